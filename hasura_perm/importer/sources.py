"""Import every source of a project with several sources in one go, so roles, conditions,
column sets and presets are named once for all of them.

The sources' metadata and snapshots are merged under source-qualified table names
(`timetables:route.direction` is TableName("timetables:route", "direction"), as the review
commands name them), relationship targets included, and imported as one permission set.
The table files then say their source (`table: timetables:route.direction`), defaults lifted
from one source's tables carry it in their pattern, and the round trip compiles the merged
set, which is what compile's per-source view of the same files gives.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from hasura_perm.core.names import TableName
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.read import ReadTable
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import Table

RELATIONSHIP_KEYS = ("object_relationships", "array_relationships")


def merged_read(reader: Callable[[str], ReadMetadata], sources: list[str]) -> ReadMetadata:
    """One ReadMetadata for `sources`, each read by `reader(source)`."""
    reads = [reader(source) for source in sources]
    first = reads[0]
    merged = ReadMetadata(
        layout=first.layout,
        source=", ".join(sources),
        origin=first.origin,
        metadata=first.metadata,
    )
    for source, read in zip(sources, reads, strict=True):
        for name, table in read.tables.items():
            qualified = name.in_source(source)
            entry = qualified_entry(table.entry, source)
            merged.tables[qualified] = ReadTable(qualified, entry, table.file, table.line)
        for permission in read.permissions.in_source(source):
            merged.permissions.add(permission)
        merged.problems += read.problems
        merged.permission_lines += read.permission_lines
        merged.unsorted_lists += read.unsorted_lists
    return merged


def merged_snapshot(snapshots: dict[str, Snapshot]) -> Snapshot:
    tables: dict[TableName, Table] = {}
    for source, snapshot in snapshots.items():
        for name, table in snapshot.tables.items():
            keys = tuple(
                dataclasses.replace(fk, references=fk.references.in_source(source))
                for fk in table.foreign_keys
            )
            tables[name.in_source(source)] = dataclasses.replace(
                table, name=name.in_source(source), foreign_keys=keys
            )
    return Snapshot(tables)


def qualified_entry(entry: dict[str, Any], source: str) -> dict[str, Any]:
    """A table entry whose relationships point at source-qualified tables."""
    out = copy.deepcopy(entry)
    for key in RELATIONSHIP_KEYS:
        for relationship in out.get(key) or ():
            using = relationship.get("using") if isinstance(relationship, dict) else None
            if not isinstance(using, dict):
                continue
            manual = using.get("manual_configuration")
            if isinstance(manual, dict) and "remote_table" in manual:
                manual["remote_table"] = _qualified_ref(manual["remote_table"], source)
            fk = using.get("foreign_key_constraint_on")
            if isinstance(fk, dict) and "table" in fk:
                fk["table"] = _qualified_ref(fk["table"], source)
    return out


def source_file_names(files: dict[str, str], sources: list[str]) -> dict[str, str]:
    """`tables/timetables:route.direction.yaml` -> `tables/timetables/route.direction.yaml`:
    a folder per source, and no `:` in file names."""
    out = {}
    for path, text in files.items():
        for source in sources:
            prefix = f"tables/{source}:"
            if path.startswith(prefix):
                path = f"tables/{source}/{path[len(prefix) :]}"
                break
        out[path] = text
    return out


def _qualified_ref(value: Any, source: str) -> Any:
    if isinstance(value, str):
        return {"schema": f"{source}:public", "name": value}
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return {**value, "schema": f"{source}:{value.get('schema', 'public')}"}
    return value
