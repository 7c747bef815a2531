"""An entry's `permissions:` list with hasura-perm's roles made what compile wants: actions,
functions and remote schemas all keep the roles hasura-perm does not own where they are, and
place the list before one key of theirs, as the server exports them (no key when empty)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Keep = Callable[[dict[str, Any], dict[str, Any]], bool]


def _equal(present: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return present == wanted


def with_owned_permissions(
    entry: dict[str, Any],
    wanted: dict[str, dict[str, Any]],
    owned: set[str],
    *,
    before: str,
    keep: Keep = _equal,
) -> dict[str, Any]:
    """`entry` whose permissions of `owned` roles are `wanted` (role -> permission entry, in the
    order new ones are added). A present permission of a wanted role stays as written when
    `keep(present, wanted)` says it means the same. `entry` itself when nothing changes."""
    present = entry.get("permissions") or []
    kept = []
    for perm in present:
        role = perm["role"]
        if role not in owned:
            kept.append(perm)
        elif role in wanted:
            kept.append(perm if keep(perm, wanted[role]) else wanted[role])
    have = {p["role"] for p in kept}
    kept += [new for role, new in wanted.items() if role not in have]
    if kept == present:
        return entry
    return with_permission_list(entry, kept, before)


def with_permission_list(
    entry: dict[str, Any], permissions: list[Any], before: str
) -> dict[str, Any]:
    """`entry` with `permissions` replaced by the given list, placed before key `before` when
    the entry has it, else last; no key at all when the list is empty."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key == before and permissions and "permissions" not in out:
            out["permissions"] = permissions
        if key != "permissions":
            out[key] = value
        elif permissions:
            out["permissions"] = permissions
    if permissions and "permissions" not in out:
        out["permissions"] = permissions
    return out
