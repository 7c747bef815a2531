"""What a rule may name on a table: columns and types (from the schema snapshot),
relationships and computed fields (from the Hasura metadata table files)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.names import TableName
from hasura_perm.snapshot import Snapshot
from hasura_perm.snapshot import Table

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
        rels = self.relationships.setdefault(name, {})
        for kind in ("object", "array"):
            for rel in table_meta.get(f"{kind}_relationships") or ():
                target = self._relationship_target(name, kind, rel.get("using") or {})
                rels[rel["name"]] = Relationship(rel["name"], kind, target)
        computed = {c["name"] for c in table_meta.get("computed_fields") or ()}
        if computed:
            self.computed_fields[name] = computed

    def _relationship_target(
        self, name: TableName, kind: str, using: dict[str, Any]
    ) -> TableName | None:
        manual = using.get("manual_configuration")
        if manual:
            return _table_ref(manual.get("remote_table"))
        fk = using.get("foreign_key_constraint_on")
        if isinstance(fk, dict):  # array relationship: the other table points at us
            return _table_ref(fk.get("table"))
        if fk is None:
            return None
        columns = (fk,) if isinstance(fk, str) else tuple(fk)
        table = self.table(name)
        for key in table.foreign_keys if table else ():
            if key.columns == columns:
                return key.references
        return None


def _table_ref(value: Any) -> TableName | None:
    if isinstance(value, str):
        return TableName("public", value)
    if isinstance(value, dict) and "name" in value:
        return TableName(value.get("schema", "public"), value["name"])
    return None
