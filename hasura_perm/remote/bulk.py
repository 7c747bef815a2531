"""The one request an apply sends: a `bulk` of permission commands carrying the resource_version
the plan was made against (shared/reference/hasura-v2-permissions-and-metadata-api.md section 3).

`bulk` is all-or-nothing for metadata, and its top-level resource_version makes the server answer
409 (and change nothing) when anyone wrote in between. There is no "update permission" command:
an update is a drop and a create of the same permission inside the same bulk, and a change of the
comment alone is `pg_set_permission_comment`, whose permission type goes under the key
`permission` (Hasura's `FromJSON SetPermComment`, RQL/DDL/Permission.hs; the API docs say `type`,
which the server refuses with 400 parse-failed).
"""

from __future__ import annotations

import re
from typing import Any

from hasura_perm.remote.plan import ADD
from hasura_perm.remote.plan import REMOVE
from hasura_perm.remote.plan import Change


def bulk_request(changes: list[Change], source: str, resource_version: int) -> dict[str, Any]:
    commands = [command for change, command in commands_of(changes, source)]
    return {"type": "bulk", "resource_version": resource_version, "args": commands}


def commands_of(changes: list[Change], source: str) -> list[tuple[Change, dict[str, Any]]]:
    """(change, command) pairs in request order: removals, then updates, then additions."""
    order = {REMOVE: 0, "update": 1, ADD: 2}
    out: list[tuple[Change, dict[str, Any]]] = []
    for change in sorted(changes, key=lambda c: order[c.change]):
        if change.comment_only:
            out.append((change, _set_comment(change, source)))
            continue
        if change.before is not None:
            out.append((change, _drop(change, source)))
        if change.after is not None:
            out.append((change, _create(change, source)))
    return out


def fence_request(resource_version: int) -> dict[str, Any]:
    """A write that changes no metadata but moves resource_version on, if and only if it still is
    `resource_version`: after it, a write still in flight against that version can only fail."""
    return {
        "type": "reload_metadata",
        "resource_version": resource_version,
        "args": {"reload_remote_schemas": False, "reload_sources": False},
    }


def change_at(path: str, changes: list[Change], source: str) -> Change | None:
    """The change whose command an error path like `$.args[3].args.permission` points at."""
    found = re.match(r"^\$\.args\[(\d+)\]", path or "")
    pairs = commands_of(changes, source)
    if found and int(found.group(1)) < len(pairs):
        return pairs[int(found.group(1))][0]
    return None


def _place(change: Change, source: str) -> dict[str, Any]:
    """`source` and `table` of a command; a plan over several sources names each table
    `source:schema.table`, and the command goes to that source."""
    own, table = change.table.source_part()
    return {"source": own or source, "table": {"schema": table.schema, "name": table.name}}


def _drop(change: Change, source: str) -> dict[str, Any]:
    args = {**_place(change, source), "role": change.role}
    return {"type": f"pg_drop_{change.action}_permission", "args": args}


def _create(change: Change, source: str) -> dict[str, Any]:
    assert change.after is not None
    body, comment = change.after.stored
    args: dict[str, Any] = {
        **_place(change, source),
        "role": change.role,
        "permission": body,
    }
    if comment is not None:
        args["comment"] = comment
    return {"type": f"pg_create_{change.action}_permission", "args": args}


def _set_comment(change: Change, source: str) -> dict[str, Any]:
    assert change.after is not None
    args = {
        **_place(change, source),
        "role": change.role,
        "permission": change.action,
        "comment": change.after.comment,
    }
    return {"type": "pg_set_permission_comment", "args": args}
