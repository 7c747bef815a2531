"""Hasura inherited roles (`inherited_roles.yaml`) in an import: each becomes a role with
`combines: [parents]`, so the server keeps deriving its permissions exactly as before and
compile writes the same inherited_roles.yaml back.

Hasura derives an inherited role's permission on a table and action only where the role
has none of its own (server/src-lib/Hasura/RQL/DDL/Schema/Cache/Permission.hs): for
insert, update and delete, the parents' permission when every parent that has one has the
same one (`CheckPermission`'s Semigroup in Hasura/RQL/Types/Roles/Internal.hs; parents
that differ make it inconsistent, so the role gets nothing); for select, the union of the
parents' permissions (filters ORed, columns per cell, the largest limit); an action when
any parent may call it. The role's own permissions are imported like any role's.

An inherited role is left to Hasura (its entry kept, compile never touches it) when the
server could not build it either: a parent that is no role with a permission the import
sees (tables of the imported source, actions) nor an inherited role, the role in its own
set, or a cycle. If such a role has permissions of its own it is declared, and then its
entry would be owned: that is an import problem (check.py's style: file and what to do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hasura_perm.core.graphs import find_cycles


@dataclass(frozen=True)
class InheritedRole:
    name: str
    parents: tuple[str, ...]
    expressed: bool  # True: imported as `combines: [parents]`
    reason: str = ""  # why not, when it is left to Hasura


def inherited_roles_of(metadata: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """role -> parents, from the metadata's `inherited_roles` (malformed entries skipped)."""
    out: dict[str, tuple[str, ...]] = {}
    entries = metadata.get("inherited_roles") or []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("role_name"), str):
            continue
        parents = entry.get("role_set") or []
        out[entry["role_name"]] = tuple(dict.fromkeys(p for p in parents if isinstance(p, str)))
    return out


def read_inherited(metadata: dict[str, Any], known: set[str]) -> list[InheritedRole]:
    """Every inherited role of `metadata`, and whether it is imported as `combines`.
    `known`: the roles with a permission the import sees."""
    roles = inherited_roles_of(metadata)
    in_cycle = {r for cycle in find_cycles(roles) for r in cycle}
    out: dict[str, InheritedRole] = {}
    for name in _ordered(roles):
        parents = roles[name]
        reason = _why_not(name, parents, known | set(roles), in_cycle)
        left = [p for p in parents if p in out and not out[p].expressed]
        if not reason and left:
            reason = f"its parent {left[0]} is left to Hasura"
        out[name] = InheritedRole(name, parents, not reason, reason)
    return [out[n] for n in sorted(out)]


def _why_not(name: str, parents: tuple[str, ...], known: set[str], in_cycle: set[str]) -> str:
    if not parents:
        return "it has no parents"
    if name in parents:
        return "it is in its own role_set"
    if name in in_cycle:
        return "its parents lead back to it (Hasura refuses the cycle)"
    missing = [p for p in parents if p not in known]
    if missing:
        return (
            f"its parent(s) {', '.join(missing)} hold no permission the import sees, so Hasura "
            "holds it as inconsistent (or through another source or a remote schema)"
        )
    return ""


def _ordered(roles: dict[str, tuple[str, ...]]) -> list[str]:
    """Parents before children (a cycle is simply cut)."""
    out: list[str] = []
    seen: set[str] = set()
    for start in sorted(roles):
        stack = [(start, iter(roles.get(start, ())))]
        if start in seen:
            continue
        seen.add(start)
        while stack:
            name, parents = stack[-1]
            parent = next((p for p in parents if p in roles and p not in seen), None)
            if parent is None:
                out.append(name)
                stack.pop()
            else:
                seen.add(parent)
                stack.append((parent, iter(roles[parent])))
    return out
