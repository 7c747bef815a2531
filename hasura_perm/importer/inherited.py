"""Hasura inherited roles (`inherited_roles.yaml`) in an import.

Hasura derives an inherited role's permission on a table and action only where the role
has none of its own (server/src-lib/Hasura/RQL/DDL/Schema/Cache/Permission.hs): for
insert, update and delete, the parents' permission when every parent that has one has the
same one (`CheckPermission`'s Semigroup in Hasura/RQL/Types/Roles/Internal.hs; parents
that differ make it inconsistent, so the role gets nothing); for select, the union of the
parents' permissions (filters ORed, columns per cell, the largest limit).

Where every derived permission is simply the one permission its parents agree on, that is
what `inherits:` means in hasura-perm: the role's permissions are those copies, and the
import adds them to the permissions it expresses (the role then inherits in the imported
files, and compile writes the copies out; Hasura uses a role's own permission before
deriving one, so nothing changes). Where some select would be a union of different
parents, or parents disagree on a write, `inherits:` cannot say it: the inherited role is
left to Hasura, as unmanaged metadata compile never touches (its own permissions, if any,
are imported like any role's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hasura_perm.importer.normalise import Rule
from hasura_perm.metadata.permission import ACTIONS
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet


@dataclass(frozen=True)
class InheritedRole:
    name: str
    parents: tuple[str, ...]
    expressed: bool  # True: its derived permissions are imported (as `inherits`)
    reason: str = ""  # why not, when it is left to Hasura


def inherited_roles_of(metadata: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """role -> parents, from the metadata's `inherited_roles` (malformed entries skipped)."""
    out: dict[str, tuple[str, ...]] = {}
    entries = metadata.get("inherited_roles") or []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("role_name"), str):
            continue
        parents = entry.get("role_set") or []
        out[entry["role_name"]] = tuple(p for p in parents if isinstance(p, str))
    return out


def add_derived(permissions: PermissionSet, metadata: dict[str, Any]) -> list[InheritedRole]:
    """Add to `permissions` (in place) the permissions Hasura derives for each inherited
    role that `inherits:` can express; describe every inherited role."""
    roles = inherited_roles_of(metadata)
    done: dict[str, InheritedRole] = {}
    for name in _ordered(roles):
        parents = roles[name]
        unexpressed = [p for p in parents if p in done and not done[p].expressed]
        if unexpressed:
            reason = f"its parent {unexpressed[0]} is left to Hasura"
            done[name] = InheritedRole(name, parents, False, reason)
            continue
        derived, reason = _derive(permissions, name, parents)
        if reason:
            done[name] = InheritedRole(name, parents, False, reason)
            continue
        for table, action, (body, comment) in derived:
            permissions.add(Permission(table, action, name, body, comment))
        done[name] = InheritedRole(name, parents, True)
    return [done[n] for n in sorted(done)]


def _derive(
    permissions: PermissionSet, name: str, parents: tuple[str, ...]
) -> tuple[list[tuple[Any, str, Rule]], str]:
    derived: list[tuple[Any, str, Rule]] = []
    for table in permissions.tables():
        for action in ACTIONS:
            if permissions.get(table, action, name) is not None:
                continue  # the role's own permission wins
            found = (permissions.get(table, action, p) for p in parents)
            bodies = [p.body for p in found if p is not None]
            if not bodies:
                continue
            if any(body != bodies[0] for body in bodies[1:]):
                what = "a union of different permissions" if action == "select" else "nothing"
                return [], (
                    f"its parents have different {action} permissions on {table} (Hasura "
                    f"gives it {what}), which `inherits` cannot say"
                )
            derived.append((table, action, (bodies[0], None)))
    return derived, ""


def _ordered(roles: dict[str, tuple[str, ...]]) -> list[str]:
    """Parents before children (Hasura refuses cycles; a cycle here is simply cut)."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for parent in roles.get(name, ()):
            if parent in roles:
                visit(parent)
        out.append(name)

    for name in sorted(roles):
        visit(name)
    return out
