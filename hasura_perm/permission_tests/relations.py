"""The schema an expression is translated against: snapshot tables, plus relationships
(with their column mappings) and computed fields from the Hasura metadata table files."""

from __future__ import annotations

from typing import Any

from hasura_perm.boolexp.tree import ComputedField
from hasura_perm.boolexp.tree import Relationship
from hasura_perm.boolexp.tree import Schema
from hasura_perm.core.names import table_ref
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.schema.relationships import metadata_relationships
from hasura_perm.schema.snapshot import Snapshot


def schema_from_metadata(snapshot: Snapshot, metadata: MetadataDir) -> Schema:
    schema = Schema(dict(snapshot.tables))
    for name, table_file in metadata.tables.items():
        if name not in snapshot.tables:
            continue
        entry = table_file.entry
        schema.relationships[name] = {
            rel.name: Relationship(rel.name, rel.kind, rel.target, rel.mapping)
            for rel in metadata_relationships(name, entry, snapshot.tables)
            if rel.target is not None and rel.mapping
        }
        fields = {}
        for computed in entry.get("computed_fields") or ():
            resolved_field = _computed_field(computed)
            if resolved_field is not None:
                fields[resolved_field.name] = resolved_field
        schema.computed_fields[name] = fields
    return schema


def _computed_field(entry: dict[str, Any]) -> ComputedField | None:
    definition = entry.get("definition") or {}
    function = table_ref(definition.get("function"), dotted=True)
    if function is None or not entry.get("name"):
        return None
    return ComputedField(
        name=entry["name"],
        function=function,
        table_argument=definition.get("table_argument"),
        session_argument=definition.get("session_argument"),
    )
