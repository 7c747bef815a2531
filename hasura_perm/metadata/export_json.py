"""The permissions inside a live `export_metadata` document.

The permissions come back as a metadata/permission.PermissionSet, bodies in Hasura's export
form (export_format.canonical_permission), so live and compiled permissions compare alike.
"""

from __future__ import annotations

from typing import Any

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_name_of
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet


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
    result = PermissionSet()
    for table in source_of(metadata, source).get("tables") or []:
        name = table_name_of(table["table"])
        for action, key in PERMISSION_KEYS.items():
            for perm in table.get(key) or []:
                body = perm.get("permission") or {}
                if canonical:
                    body = canonical_permission(action, body)
                result.add(Permission(name, action, perm["role"], body, perm.get("comment")))
    return result


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
            **(
                {"functions": [_without_key(f, "permissions") for f in source["functions"]]}
                if isinstance(source.get("functions"), list)
                else {}
            ),
        }
        for source in metadata.get("sources") or []
    ]
    # the surface apply also owns: action, function and remote schema permissions,
    # introspection
    out.pop("graphql_schema_introspection", None)
    if isinstance(metadata.get("actions"), list):
        out["actions"] = [
            {k: v for k, v in a.items() if k != "permissions"} if isinstance(a, dict) else a
            for a in metadata["actions"]
        ]
    if isinstance(metadata.get("remote_schemas"), list):
        out["remote_schemas"] = [
            {k: v for k, v in r.items() if k != "permissions"} if isinstance(r, dict) else r
            for r in metadata["remote_schemas"]
        ]
    return out


def _without_key(item: Any, key: str) -> Any:
    return {k: v for k, v in item.items() if k != key} if isinstance(item, dict) else item
