"""What an import will write to permissions/: session variables, roles, named parts,
defaults and table rules (factoring.py fills it, extract.py names its parts, files.py
writes it)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.names import TableName
from hasura_perm.importer.inherit import Inheritance
from hasura_perm.importer.patterns import TableSpec

RoleRules = dict[str, dict[str, Any]]  # action -> role -> rule (a mapping, or "deny")


@dataclass
class DefaultEntry:
    spec: TableSpec
    rules: RoleRules
    tables: list[TableName]  # the tables it is meant for


@dataclass
class Plan:
    session: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    column_sets: dict[str, list[str]] = field(default_factory=dict)
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: list[DefaultEntry] = field(default_factory=list)
    tables: dict[TableName, RoleRules] = field(default_factory=dict)
    inheritance: dict[str, Inheritance] = field(default_factory=dict)

    def rules(self) -> list[dict[str, Any]]:
        """Every rule mapping (not `deny`), defaults first."""
        holders = [d.rules for d in self.defaults] + list(self.tables.values())
        return [
            rule
            for holder in holders
            for by_role in holder.values()
            for rule in by_role.values()
            if isinstance(rule, dict)
        ]
