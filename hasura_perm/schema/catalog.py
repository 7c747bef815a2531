"""What a rule may name on a table: columns and types (from the schema snapshot),
relationships and computed fields (from the Hasura metadata table files)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.names import TableName
from hasura_perm.core.validate import did_you_mean
from hasura_perm.schema.relationships import metadata_relationships
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import Table

TEXT_TYPES = frozenset(
    {"text", "character varying", "character", "citext", "name", '"char"', "bpchar", "varchar"}
)
INTEGER_TYPES = frozenset({"integer", "bigint", "smallint", "int", "int2", "int4", "int8"})
NUMBER_TYPES = INTEGER_TYPES | {"numeric", "real", "double precision", "float4", "float8", "money"}


def type_category(pg_type: str) -> str:
    """A coarse class of a Postgres type, enough to check which operators apply."""
    t = pg_type.lower().removeprefix("public.")
    if t.endswith("[]"):
        return "array"
    if t in TEXT_TYPES:
        return "text"
    if t in INTEGER_TYPES:
        return "integer"
    if t in NUMBER_TYPES:
        return "number"
    if t in ("boolean", "bool"):
        return "boolean"
    if t in ("jsonb", "json", "geometry", "geography", "ltree"):
        return t
    return "other"


@dataclass(frozen=True)
class Relationship:
    name: str
    kind: str  # "object" | "array"
    target: TableName | None  # None when the metadata does not let us tell


@dataclass
class Catalog:
    snapshot: Snapshot
    relationships: dict[TableName, dict[str, Relationship]] = field(default_factory=dict)
    computed_fields: dict[TableName, set[str]] = field(default_factory=dict)
    entries: dict[TableName, dict[str, Any]] = field(default_factory=dict)  # metadata entries
    table_files: dict[TableName, str] = field(default_factory=dict)  # where, as shown to the user
    metadata_dir: str = "metadata"  # hasura-perm.yaml `metadata:`, for messages
    source: str = "default"  # the Hasura source, for messages

    def table(self, name: TableName) -> Table | None:
        return self.snapshot.tables.get(name)

    def fields(self, name: TableName) -> list[str]:
        """Every name a boolean expression may use on the table, for suggestions."""
        table = self.table(name)
        names = list(table.columns) if table else []
        names += list(self.relationships.get(name, {}))
        names += sorted(self.computed_fields.get(name, ()))
        return names

    def add_table_metadata(self, name: TableName, table_meta: dict[str, Any]) -> None:
        """Learn relationships and computed fields from one metadata table entry."""
        self.entries[name] = table_meta
        rels = self.relationships.setdefault(name, {})
        for rel in metadata_relationships(name, table_meta, self.snapshot.tables):
            rels[rel.name] = Relationship(rel.name, rel.kind, rel.target)
        computed = {c["name"] for c in table_meta.get("computed_fields") or ()}
        if computed:
            self.computed_fields[name] = computed


def missing_relationship_note(catalog: Catalog, table: TableName, key: str, hint: str) -> str:
    """The hint for an unknown field `key`: the relationship a foreign key would give under
    that name or a close one (where to add it, and how), else `hint` (did you mean...), else
    where relationships come from."""
    from hasura_perm.schema.relationships import suggest  # it needs Catalog's module loaded first

    if catalog.table(table) is None:
        return hint
    where = catalog.table_files.get(table) or (
        f"{catalog.metadata_dir}/databases/{catalog.source}/tables/{table.schema}_{table.name}.yaml"
    )
    source = f"relationships are read from the Hasura metadata table files ({where}), not from the schema snapshot"
    suggestions = suggest(catalog.snapshot, catalog.entries, only={table})
    command = f"`hasura-perm relationships add --table {table}`"
    match = next((s for s in suggestions if s.name == key), None)
    if match is not None:
        here = ", ".join(h for h, _ in match.mapping)
        there = ", ".join(t for _, t in match.mapping)
        return (
            f"; {source}. The foreign key between {table} ({here}) and {match.target} ({there}) "
            f"gives this {match.kind} relationship: run {command}, or add to that file "
            f"`{match.kind}_relationships: [{yaml_flow(match.entry())}]`"
        )
    close = did_you_mean(key, [s.name for s in suggestions])
    if close:
        return f"{close.rstrip('?')}, a relationship its foreign keys give? {command} adds it; {source}"
    names = ", ".join(f"`{s.name}`" for s in suggestions[:5])
    if hint and suggestions:
        return f"{hint} ({source}; its foreign keys give {names}: {command} adds them)"
    if hint:
        return hint
    if suggestions:
        return f"; {source}. Its foreign keys give {names}: {command} adds them"
    return f"; {source}"


def yaml_flow(value: Any) -> str:
    """Compact YAML flow text for a small mapping (messages only)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {yaml_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    return str(value)
