"""The access matrix: role x table x action, from the compiled project.

Each cell says whether the role has the action, whether rows are filtered (the filter for
select, update and delete; the check for insert), how many columns it may use, and where the
rule came from. Rendered as markdown and JSON here, as one HTML page in matrix_html.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from hasura_perm.boolexp.normal import normal_form
from hasura_perm.compiler.derived import derived_permissions
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core import md
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.validate import did_you_mean
from hasura_perm.metadata.permission import Permission
from hasura_perm.review.rules import SpecIndex
from hasura_perm.review.surface_matrix import surface_markdown
from hasura_perm.review.surface_matrix import surface_part
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec.resolve import default_rules
from hasura_perm.spec.resolve import index_defaults

MATRIX_FORMAT = "hasura-perm matrix"
ACTIONS = ("select", "insert", "update", "delete")  # reading order, not Hasura's export order
COLUMN_ACTIONS = ("select", "insert", "update")


@dataclass(frozen=True)
class Cell:
    table: TableName
    role: str
    action: str
    permission: Permission | None
    table_columns: int
    rule: Any = None  # the rule as written in permissions/
    conditions: tuple[str, ...] = ()  # named conditions its filter/check use
    denied_at: str | None = None  # where an explicit `deny` stops it, if one does

    @property
    def allowed(self) -> bool:
        return self.permission is not None

    @property
    def row_filtered(self) -> bool:
        if self.permission is None:
            return False
        key = "check" if self.action == "insert" else "filter"
        return normal_form(self.permission.body.get(key) or {}) != {}

    @property
    def update_checked(self) -> bool:
        if self.permission is None or self.action != "update":
            return False
        return normal_form(self.permission.body.get("check") or {}) != {}

    @property
    def columns(self) -> int | None:
        if self.permission is None or self.action not in COLUMN_ACTIONS:
            return None
        columns = self.permission.body.get("columns")
        if columns == "*":
            return self.table_columns
        return len(columns or [])

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "table": str(self.table),
            "role": self.role,
            "action": self.action,
            "allowed": self.allowed,
        }
        if self.permission is None:
            data["denied_at"] = self.denied_at
            return data
        data.update(
            {
                "row_filtered": self.row_filtered,
                "update_checked": self.update_checked,
                "columns": self.columns,
                "table_columns": self.table_columns,
                "origin": self.permission.origin,
                "location": str(self.permission.location),
                "comment": self.permission.comment,
                "permission": self.permission.body,
                "rule": self.rule,
                "conditions": list(self.conditions),
            }
        )
        return data


@dataclass
class Matrix:
    tables: list[TableName]
    roles: list[str]
    actions: tuple[str, ...]
    cells: dict[tuple[TableName, str, str], Cell]
    surface: dict[str, Any] | None = None  # actions and introspection (surface_matrix.py)

    def cell(self, table: TableName, role: str, action: str) -> Cell:
        return self.cells[(table, role, action)]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MATRIX_FORMAT,
            "tables": [str(t) for t in self.tables],
            "roles": list(self.roles),
            "actions": list(self.actions),
            "cells": [
                self.cell(t, r, a).to_json()
                for t in self.tables
                for r in self.roles
                for a in self.actions
            ],
        } | ({"surface": self.surface} if self.surface is not None else {})


def build_matrix(
    compiled: Compiled,
    snapshot: Snapshot,
    index: SpecIndex | None = None,
    *,
    roles: list[str] | None = None,
    tables: list[str] | None = None,
) -> Matrix:
    """The matrix of the compiled project; `roles` and `tables` are name patterns
    (`editor`, `*_admin`, `public.project_*`, `projects`) keeping only what they match."""
    chosen_roles = select_names(roles, compiled.roles, "role")
    chosen_tables = select_tables(tables, compiled.tables)
    defaults = index_defaults(index.spec) if index is not None else []
    derived = derived_permissions(compiled)  # `combines` roles: what Hasura derives
    cells = {}
    for table in chosen_tables:
        denials = _denials(table, index, defaults)
        width = len(snapshot.tables[table].columns) if table in snapshot.tables else 0
        for role in chosen_roles:
            for action in ACTIONS:
                permission = compiled.get(table, action, role)
                hasura = derived.get(table, action, role)
                if permission is None and hasura is not None:  # no rule as written to show
                    cells[(table, role, action)] = Cell(table, role, action, hasura, width)
                    continue
                cells[(table, role, action)] = _cell(
                    table, role, action, permission, width, index, denials
                )
    return Matrix(
        chosen_tables, chosen_roles, ACTIONS, cells, surface_part(compiled.surface, chosen_roles)
    )


def _cell(
    table: TableName,
    role: str,
    action: str,
    permission: Permission | None,
    width: int,
    index: SpecIndex | None,
    denials: dict[tuple[str, str], str],
) -> Cell:
    if permission is None:
        return Cell(table, role, action, None, width, denied_at=denials.get((action, role)))
    if index is None:
        return Cell(table, role, action, permission, width)
    source = index.source(permission)
    used = tuple(dict.fromkeys(n for names in source.conditions.values() for n in names))
    return Cell(table, role, action, permission, width, source.rule, used)


def _denials(
    table: TableName, index: SpecIndex | None, defaults: list[Any]
) -> dict[tuple[str, str], str]:
    """(action, role) -> where `deny` is written for it: table file first, then defaults
    (which apply only where the table file says nothing)."""
    if index is None:
        return {}
    found: dict[tuple[str, str], str] = {}
    for (action, role), rule in default_rules(table, defaults, []).items():
        if rule.value == "deny":
            found[(action, role)] = str(rule.location)
    table_file = index.spec.tables.get(table)
    if table_file is not None:
        for action, by_role in table_file.value.items():
            if not isinstance(by_role, dict) or action not in ACTIONS:
                continue
            for role, rule in by_role.items():
                if rule == "deny":
                    found[(action, role)] = str(table_file.child(action, role).location)
                else:
                    found.pop((action, role), None)
    return found


def select_names(patterns: list[str] | None, names: list[str], kind: str) -> list[str]:
    if not patterns:
        return list(names)
    chosen = set()
    for pattern in patterns:
        matched = fnmatch.filter(names, pattern)
        if not matched:
            hint = did_you_mean(pattern, names)
            known = ", ".join(names) or "none"
            raise HasuraPermError(f"no {kind} matches {pattern!r}{hint or f' ({kind}s: {known})'}")
        chosen.update(matched)
    return [n for n in names if n in chosen]


def select_tables(patterns: list[str] | None, tables: list[TableName]) -> list[TableName]:
    if not patterns:
        return list(tables)
    chosen = set()
    for pattern in patterns:
        matched = [
            t
            for t in tables
            if fnmatch.fnmatchcase(str(t), pattern) or fnmatch.fnmatchcase(t.name, pattern)
        ]
        if not matched:
            hint = did_you_mean(pattern, [str(t) for t in tables])
            raise HasuraPermError(
                f"no managed table matches {pattern!r}{hint or '; see `hasura-perm matrix` for the list'}"
            )
        chosen.update(matched)
    return [t for t in tables if t in chosen]


# ---------------------------------------------------------------- markdown and JSON


LEGEND = (
    "Each cell: columns the role may use, of the table's, and whether rows are **filtered** "
    "(select, update, delete: by the filter; insert: by the check) or not (**all rows**); "
    "`+ check`: an update whose result is checked too; denied: an explicit `deny`; — no permission."
)


def cell_text(cell: Cell) -> str:
    if not cell.allowed:
        return "denied" if cell.denied_at else "—"
    rows = "filtered" if cell.row_filtered else "all rows"
    if cell.update_checked:
        rows += " + check"
    if cell.columns is None:
        return rows
    return f"{cell.columns}/{cell.table_columns} · {rows}"


def render_markdown(matrix: Matrix) -> str:
    lines = [
        "## Access matrix",
        "",
        f"{len(matrix.tables)} tables × {len(matrix.roles)} roles. {LEGEND}",
        "",
    ]
    for action in matrix.actions:
        lines += [f"### {action}", ""]
        header = " | ".join(md.cell(md.code(r)) for r in matrix.roles)
        lines.append(f"| table | {header} |")
        lines.append("|---" * (len(matrix.roles) + 1) + "|")
        for table in matrix.tables:
            cells = [
                md.cell(md.escape(cell_text(matrix.cell(table, r, action)))) for r in matrix.roles
            ]
            lines.append(f"| {md.cell(md.code(str(table)))} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += surface_markdown(matrix.surface, matrix.roles)
    return "\n".join(lines)


def render_json(matrix: Matrix) -> str:
    return json.dumps(matrix.to_json(), indent=2, ensure_ascii=False) + "\n"
