"""The rules as written in permissions/: find the rule behind a compiled permission (by its
location) and the named parts it uses (conditions, column sets, presets), so reviews can say
"filter `published`" and not only the expanded expression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hasura_perm.boolexp.operators import logical_name
from hasura_perm.compiler.build import Build
from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_ref
from hasura_perm.metadata.permission import Permission
from hasura_perm.schema.catalog import Catalog
from hasura_perm.spec import ACTIONS
from hasura_perm.spec import Node
from hasura_perm.spec import Spec

EXPRESSION_FIELDS = ("filter", "check")


@dataclass(frozen=True)
class Named:
    """A named part a rule uses: a condition, column set or preset, and its definition."""

    kind: str  # "condition" | "column set" | "preset"
    name: str
    location: Location
    definition: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "location": str(self.location),
            "definition": self.definition,
        }


@dataclass(frozen=True)
class RuleSource:
    """Where a compiled permission came from, and the rule as written there."""

    origin: str
    location: Location | None  # None for a permission not read from a file
    rule: Any  # the rule's value in the spec file (None if it cannot be found)
    conditions: dict[str, tuple[str, ...]]  # filter/check -> condition names used, transitively

    def written(self, field: str) -> Any:
        return self.rule.get(field) if isinstance(self.rule, dict) else None

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "location": str(self.location),
            "rule": self.rule,
            "conditions": {k: list(v) for k, v in self.conditions.items() if v},
        }


class SpecIndex:
    """A project's spec with its rules indexed by location, and a catalog to tell columns
    from relationships while looking for condition names."""

    def __init__(self, spec: Spec, catalog: Catalog) -> None:
        self.spec = spec
        self.catalog = catalog
        self.rules: dict[Location, Node] = {}
        for holder in [*spec.tables.values(), *spec.defaults]:
            for action in ACTIONS:
                for role in holder.value.get(action, {}):
                    node = holder.child(action, role)
                    self.rules[node.location] = node

    @classmethod
    def of(cls, result: Build) -> SpecIndex:
        """The index of a build of one source, from the spec and catalog it was compiled with."""
        assert result.spec is not None and result.catalog is not None  # one source's build
        return cls(result.spec, result.catalog)

    def rule_at(self, location: Location | None) -> Node | None:
        return self.rules.get(location) if location is not None else None

    def source(self, permission: Permission) -> RuleSource:
        node = self.rule_at(permission.location)
        rule = node.value if node is not None else None
        conditions = {
            field: tuple(self.conditions_in(rule[field], permission.table))
            for field in EXPRESSION_FIELDS
            if isinstance(rule, dict) and field in rule
        }
        return RuleSource(permission.origin, permission.location, rule, conditions)

    # -- named parts

    def conditions_in(self, expr: Any, table: TableName | None) -> list[str]:
        """Every condition an expression written in the spec uses, directly or through other
        conditions, in the order they first appear."""
        found: list[str] = []
        self._walk(expr, table, found)
        return found

    def condition(self, name: str) -> Named:
        node = self.spec.conditions[name]
        return Named("condition", name, node.location, node.value)

    def column_sets_in(self, columns: Any) -> list[Named]:
        names = [columns] if isinstance(columns, str) else columns
        if isinstance(columns, dict):
            names = columns.get("all_except", [])
        return [
            Named(
                "column set", n, self.spec.column_sets[n].location, self.spec.column_sets[n].value
            )
            for n in names or []
            if isinstance(n, str) and n in self.spec.column_sets
        ]

    def presets_in(self, presets: Any) -> list[Named]:
        items = presets if isinstance(presets, list) else [presets]
        return [
            Named("preset", n, self.spec.presets[n].location, self.spec.presets[n].value)
            for n in items
            if isinstance(n, str) and n in self.spec.presets
        ]

    def _walk(self, expr: Any, table: TableName | None, found: list[str]) -> None:
        if isinstance(expr, str):
            if expr in self.spec.conditions and expr not in found:
                found.append(expr)
                self._walk(self.spec.conditions[expr].value, table, found)
            return
        if not isinstance(expr, dict):
            return
        for key, value in expr.items():
            logical = logical_name(key)
            if logical in ("_and", "_or"):
                for item in value if isinstance(value, list) else []:
                    self._walk(item, table, found)
            elif logical == "_not":
                self._walk(value, table, found)
            elif logical == "_exists" and isinstance(value, dict):
                target = value.get("_table")
                self._walk(value.get("_where"), table_ref(target, dotted=True), found)
            else:
                self._walk_field(key, value, table, found)

    def _walk_field(self, key: str, value: Any, table: TableName | None, found: list[str]) -> None:
        info = self.catalog.table(table) if table is not None else None
        if info is not None and key in info.columns:
            return  # operators on a column: a string there is a literal, not a condition
        relationship = self.catalog.relationships.get(table, {}).get(key) if table else None
        if relationship is not None:
            self._walk(value, relationship.target, found)
        elif info is None:
            self._walk(value, None, found)  # we cannot tell; names of conditions still count
