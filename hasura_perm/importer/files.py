"""Lay a plan out as permissions/ files (relative path -> text).

roles.yaml                 session variables and roles (with inferred inheritance)
conditions.yaml            conditions, column sets and presets (when there are any)
defaults.yaml              rules shared by several tables
tables/<schema>.<table>.yaml   what is truly table-specific
"""

from __future__ import annotations

from typing import Any

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.paths import file_name_problem
from hasura_perm.importer import yamlout
from hasura_perm.importer.planned import DefaultEntry
from hasura_perm.importer.planned import Plan

TABLES_DIR = "tables"


def plan_files(plan: Plan, origin: str) -> dict[str, str]:
    files = {"roles.yaml": _roles_file(plan, origin)}
    if plan.conditions or plan.column_sets or plan.presets:
        files["conditions.yaml"] = _named_parts_file(plan)
    if plan.defaults:
        files["defaults.yaml"] = _defaults_file(plan.defaults)
    for table, rules in plan.tables.items():
        files[table_file_path(table)] = _table_file(table, rules)
    return files


def table_file_path(table: TableName) -> str:
    # Names come from someone else's metadata: they must be one part of a file name.
    for part, what in ((table.schema, "schema"), (table.name, "table")):
        problem = file_name_problem(part, what)
        if problem:
            raise HasuraPermError(f"cannot import {table!s}: {problem}")
    return f"{TABLES_DIR}/{table.schema}.{table.name}.yaml"


def _roles_file(plan: Plan, origin: str) -> str:
    header = (
        f"# Imported from {origin} by `hasura-perm import`.\n"
        "# Say where each session variable comes from: add `from:` (the Cognito claim).\n"
    )
    data: dict[str, Any] = {}
    if plan.session:
        data["session"] = plan.session
    data["roles"] = plan.roles
    return header + "\n" + yamlout.dump(data, gaps=("roles",))


def _named_parts_file(plan: Plan) -> str:
    data: dict[str, Any] = {}
    for key in ("conditions", "column_sets", "presets"):
        if getattr(plan, key):
            data[key] = getattr(plan, key)
    return yamlout.dump(data, gaps=("column_sets", "presets"))


def _defaults_file(defaults: list[DefaultEntry]) -> str:
    header = (
        "# Rules shared by several tables. Per (table, action, role) a table file wins,\n"
        "# then the most specific matching default, then the parent role's rule.\n"
    )
    chunks = ["defaults:"]
    for index, entry in enumerate(defaults):
        if index:
            chunks.append("")
        chunks.extend(yamlout.dump_item(_entry_data(entry), 2))
    return header + "\n" + "\n".join(chunks) + "\n"


def _entry_data(entry: DefaultEntry) -> dict[str, Any]:
    patterns = entry.spec.patterns
    data: dict[str, Any] = {"tables": patterns[0] if len(patterns) == 1 else patterns}
    if entry.spec.excepts:
        data["except"] = entry.spec.excepts
    data.update(entry.rules)
    return data


def _table_file(table: TableName, rules: dict[str, dict[str, Any]]) -> str:
    data: dict[str, Any] = {"table": str(table)}
    data.update(rules)
    return yamlout.dump(data, gaps=tuple(rules))
