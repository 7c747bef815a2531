"""The permissions inside a live `export_metadata` document, and which of them hasura-perm owns.

A permission set maps table -> action -> role -> (body, comment), the body in Hasura's export
form (export_format.canonical_permission), so live and compiled permissions compare alike.
Owned: a declared role's permission on a managed table; with prune, any role's permission on a
managed table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_name_of
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import canonical_permission

Entry = tuple[dict[str, Any], str | None]  # (body, comment)
PermissionSet = dict[TableName, dict[str, dict[str, Entry]]]


@dataclass(frozen=True)
class Ownership:
    tables: frozenset[TableName]
    roles: frozenset[str]
    prune: bool = False

    @classmethod
    def of(cls, compiled: Compiled, *, prune: bool = False) -> Ownership:
        return cls(frozenset(compiled.tables), frozenset(compiled.roles), prune)

    def owns(self, table: TableName, role: str) -> bool:
        return table in self.tables and (self.prune or role in self.roles)


def source_of(metadata: dict[str, Any], source: str) -> dict[str, Any]:
    for entry in metadata.get("sources") or []:
        if isinstance(entry, dict) and entry.get("name") == source:
            return entry
    names = ", ".join(str(s.get("name")) for s in metadata.get("sources") or []) or "none"
    raise HasuraPermError(
        f"the server has no source {source!r} (it has: {names}); "
        "set `source:` in hasura-perm.yaml to the database's name in Hasura"
    )


def tracked_tables(metadata: dict[str, Any], source: str) -> set[TableName]:
    return {table_name_of(t["table"]) for t in source_of(metadata, source).get("tables") or []}


def live_permissions(
    metadata: dict[str, Any], source: str, *, canonical: bool = False
) -> PermissionSet:
    """Every permission of `source` in an export_metadata document.

    Bodies are kept as exported (which is already Hasura's export form, so they usually equal
    the compiled ones as they are); plan.diff canonicalises only the pairs that differ, which
    keeps a plan over tens of thousands of permissions cheap. `canonical` does it for all."""
    result: PermissionSet = {}
    for table in source_of(metadata, source).get("tables") or []:
        name = table_name_of(table["table"])
        for action, key in PERMISSION_KEYS.items():
            for perm in table.get(key) or []:
                body = perm.get("permission") or {}
                if canonical:
                    body = canonical_permission(action, body)
                by_role = result.setdefault(name, {}).setdefault(action, {})
                by_role[perm["role"]] = (body, perm.get("comment"))
    return result


def compiled_permissions(compiled: Compiled) -> PermissionSet:
    return {
        table: {
            action: {role: (p.body, p.comment) for role, p in by_role.items()}
            for action, by_role in actions.items()
            if by_role
        }
        for table, actions in compiled.permissions.items()
    }


def entries(permissions: PermissionSet) -> Iterator[tuple[TableName, str, str, Entry]]:
    """(table, action, role, entry) in a stable order: table, then action, then role."""
    for table in sorted(permissions):
        for action in PERMISSION_KEYS:
            for role in sorted(permissions[table].get(action, {})):
                yield table, action, role, permissions[table][action][role]


def select(permissions: PermissionSet, keep: Any) -> PermissionSet:
    """The permissions for which `keep(table, role)` is true."""
    result: PermissionSet = {}
    for table, action, role, entry in entries(permissions):
        if keep(table, role):
            result.setdefault(table, {}).setdefault(action, {})[role] = entry
    return result


def owned(permissions: PermissionSet, ownership: Ownership) -> PermissionSet:
    return select(permissions, ownership.owns)


def unowned(permissions: PermissionSet, ownership: Ownership) -> PermissionSet:
    return select(permissions, lambda table, role: not ownership.owns(table, role))


def without_permissions(metadata: dict[str, Any]) -> dict[str, Any]:
    """The export with every permission list removed: what apply must never change."""
    out = dict(metadata)
    out["sources"] = [
        {
            **source,
            "tables": [
                {k: v for k, v in table.items() if k not in PERMISSION_KEYS.values()}
                for table in source.get("tables") or []
            ],
        }
        for source in metadata.get("sources") or []
    ]
    # the surface apply also owns (hasura_perm/surface): action permissions, introspection
    out.pop("graphql_schema_introspection", None)
    if isinstance(metadata.get("actions"), list):
        out["actions"] = [
            {k: v for k, v in a.items() if k != "permissions"} if isinstance(a, dict) else a
            for a in metadata["actions"]
        ]
    return out
