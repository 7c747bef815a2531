"""What Hasura derives for `combines` roles (its inherited roles), for review: the matrix,
explain and whoami show it; compile never writes it (the server derives it at request time).

As in server/src-lib/Hasura/RQL/DDL/Schema/Cache/Permission.hs and RQL/Types/Roles/Internal.hs:
only where the role has no permission of its own; insert, update and delete when every
parent that has one has the same one (parents that differ: nothing, an inconsistency the
server reports); select as the union of the parents' (filters ORed, columns joined, the
largest limit any parent sets, aggregations when any parent has them). Hasura redacts per cell (a column is
visible only in the rows of a parent that sees it); one permission here cannot say that, so
the union is the widest view: every column and every row any parent has.
"""

from __future__ import annotations

from typing import Any

from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.graphs import depths
from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet


def derived_permissions(compiled: Compiled) -> PermissionSet:
    """The permissions Hasura derives for `combines` roles (none where the role has its own)."""
    out = PermissionSet()
    combines = dict(getattr(compiled.surface, "combines", None) or {})
    if not combines:
        return out
    depth = depths(combines)  # parents first: a parent may be a combines role itself
    order = sorted(combines, key=lambda r: (depth.get(r, 0), r))

    def get(table: TableName, action: str, role: str) -> Permission | None:
        return compiled.get(table, action, role) or out.get(table, action, role)

    for role in order:
        for table in compiled.tables:
            for action in ("insert", "select", "update", "delete"):
                if compiled.get(table, action, role) is not None:
                    continue
                found = [p for parent in combines[role] if (p := get(table, action, parent))]
                permission = _combine(found, role, action)
                if permission is not None:
                    out.add(permission)
    return out


def _combine(parents: list[Permission], role: str, action: str) -> Permission | None:
    if not parents:
        return None
    first = parents[0]
    origin = f"derived by Hasura from {', '.join(p.role for p in parents)}"
    if action != "select":
        if any(p.body != first.body for p in parents[1:]):
            return None
        body = first.body
    else:
        body = _select_union([p.body for p in parents])
    return Permission(first.table, action, role, body, None, first.location, origin)


def _select_union(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    columns: list[str] = []
    for body in bodies:
        columns += [c for c in body.get("columns") or [] if c not in columns]
    filters = [body.get("filter") or {} for body in bodies]
    out: dict[str, Any] = {"columns": sorted(columns)}
    if any(f == {} for f in filters):
        out["filter"] = {}
    else:
        out["filter"] = filters[0] if len(filters) == 1 else {"_or": filters}
    # `Maybe (Max Int)`: the largest limit any parent sets (a parent without one adds none)
    limits = [body["limit"] for body in bodies if body.get("limit") is not None]
    if limits:
        out["limit"] = max(limits)
    if any(body.get("allow_aggregations") for body in bodies):
        out["allow_aggregations"] = True
    return out
