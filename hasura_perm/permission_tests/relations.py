"""The schema an expression is translated against: snapshot tables, plus relationships
(with their column mappings) and computed fields from the Hasura metadata table files."""

from __future__ import annotations

from typing import Any

from hasura_perm.boolexp.tree import ComputedField
from hasura_perm.boolexp.tree import Relationship
from hasura_perm.boolexp.tree import Schema
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_ref
from hasura_perm.metadata.directory import MetadataDir
from hasura_perm.schema.snapshot import Snapshot


def schema_from_metadata(snapshot: Snapshot, metadata: MetadataDir) -> Schema:
    schema = Schema(dict(snapshot.tables))
    for name, table_file in metadata.tables.items():
        if name not in snapshot.tables:
            continue
        entry = table_file.entry
        rels = {}
        for kind in ("object", "array"):
            for rel in entry.get(f"{kind}_relationships") or ():
                resolved = _relationship(snapshot, name, kind, rel)
                if resolved is not None:
                    rels[resolved.name] = resolved
        schema.relationships[name] = rels
        fields = {}
        for computed in entry.get("computed_fields") or ():
            resolved_field = _computed_field(computed)
            if resolved_field is not None:
                fields[resolved_field.name] = resolved_field
        schema.computed_fields[name] = fields
    return schema


def _relationship(
    snapshot: Snapshot, table: TableName, kind: str, rel: dict[str, Any]
) -> Relationship | None:
    using = rel.get("using") or {}
    manual = using.get("manual_configuration")
    if isinstance(manual, dict):
        target = table_ref(manual.get("remote_table"), dotted=True)
        mapping = tuple((manual.get("column_mapping") or {}).items())
        return Relationship(rel["name"], kind, target, mapping) if target and mapping else None
    fk = using.get("foreign_key_constraint_on")
    if isinstance(fk, (str, list)):  # our columns point at the target
        columns = (fk,) if isinstance(fk, str) else tuple(fk)
        for key in snapshot.tables[table].foreign_keys:
            if key.columns == columns:
                mapping = tuple(zip(key.columns, key.ref_columns, strict=True))
                return Relationship(rel["name"], kind, key.references, mapping)
        return None
    if isinstance(fk, dict):  # the target's columns point at us
        target = table_ref(fk.get("table"), dotted=True)
        columns = fk.get("columns") or fk.get("column")
        columns = (columns,) if isinstance(columns, str) else tuple(columns or ())
        other = snapshot.tables.get(target) if target else None
        for key in other.foreign_keys if other else ():
            if key.columns == columns and key.references == table:
                mapping = tuple(zip(key.ref_columns, key.columns, strict=True))
                return Relationship(rel["name"], kind, target, mapping)
    return None


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
