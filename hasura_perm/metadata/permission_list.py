"""Where a metadata entry's `permissions:` list goes: actions, functions and remote schemas
each put it before one key of theirs, as the server exports them (and leave it out when
empty)."""

from __future__ import annotations

from typing import Any


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
