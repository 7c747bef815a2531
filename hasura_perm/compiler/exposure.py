"""Columns a compile newly grants because `columns: all` or `all_except` picked them up.

A rule that says `columns: all` (or `{all_except: [...]}`) is expanded from the schema
snapshot. When a migration adds a column (`documents.api_token`) and the snapshot is
pulled again, the next compile grants it to every such rule without any change in
permissions/: the pull request shows only metadata lines. Both `compile` and the lint
rule `new-column-exposed` compare the compiled permissions with the metadata/ that is on
disk (the last written, usually the committed state) and say so:
"viewer now reads documents.api_token (new column)".
"""

from __future__ import annotations

from dataclasses import dataclass

from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.table_files import MetadataDir

_VERBS = {"select": "reads", "insert": "may insert", "update": "may update"}


@dataclass(frozen=True)
class Exposure:
    permission: Permission
    column: str
    new_column: bool  # no permission of the table granted it before

    def describe(self) -> str:
        p = self.permission
        why = "new column" if self.new_column else "the rule's `all` now takes it in"
        return f"{p.role} now {_VERBS[p.action]} {p.table.name}.{self.column} ({why})"


def new_exposures(compiled: Compiled, previous: MetadataDir) -> list[Exposure]:
    """Columns that `all`/`all_except` rules grant now and the same permission in
    `previous` did not. New permissions (no previous one) are not exposures: the rule
    itself is new and shows in permissions/."""
    found = []
    for table in compiled.permissions.tables():
        before = _previous_columns(previous, table)
        known = set().union(*before.values()) if before else set()
        for action in sorted(PERMISSION_KEYS):  # alphabetical, as this report always listed
            for permission in compiled.permissions.on(table, action):
                old = before.get((action, permission.role))
                if not permission.expands_all or old is None or "*" in old:
                    continue
                added = [c for c in permission.body.get("columns") or () if c not in old]
                found += [Exposure(permission, c, c not in known) for c in added]
    return found


def _previous_columns(previous: MetadataDir, table: TableName) -> dict[tuple[str, str], set[str]]:
    table_file = previous.tables.get(table)
    if table_file is None:
        return {}
    columns: dict[tuple[str, str], set[str]] = {}
    for action, key in PERMISSION_KEYS.items():
        for item in table_file.entry.get(key) or ():
            if isinstance(item, dict) and isinstance(item.get("permission"), dict):
                granted = item["permission"].get("columns")
                if isinstance(role := item.get("role"), str):
                    columns[(action, role)] = set(granted or ())
    return columns
