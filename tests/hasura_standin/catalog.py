"""What Hasura reads from a Postgres source: relations, their columns with Hasura's type names,
and foreign keys (for `foreign_key_constraint_on` relationships)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import psycopg

QualifiedName = tuple[str, str]

# `pgScalarTranslations` in Hasura/Backends/Postgres/SQL/Types.hs, mapped to `pgScalarTypeToText`.
_SCALAR_NAMES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "float8",
    "numeric": "numeric",
    "money": "money",
    "bool": "boolean",
    "bpchar": "bpchar",
    "char": "bpchar",
    "varchar": "varchar",
    "text": "text",
    "citext": "citext",
    "date": "date",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "timetz": "timetz",
    "json": "json",
    "jsonb": "jsonb",
    "geometry": "geometry",
    "geography": "geography",
    "raster": "raster",
    "uuid": "uuid",
    "ltree": "ltree",
    "lquery": "lquery",
    "ltxtquery": "ltxtquery",
}

STRING_TYPES = ("varchar", "text", "citext", "bpchar")

_COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attnum, a.attname,
       coalesce(bt.typname, t.typname) AS typname,
       coalesce(bt.typcategory, t.typcategory) AS typcategory,
       et.typname AS elemname,
       (a.attidentity = 'a' OR a.attgenerated = 's') AS immutable
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
LEFT JOIN pg_type et ON et.oid = coalesce(bt.typelem, t.typelem)
    AND coalesce(bt.typcategory, t.typcategory) = 'A'
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY n.nspname, c.relname, a.attnum
"""

_PRIMARY_KEYS_SQL = """
SELECT n.nspname, c.relname,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype = 'p'
"""

_FOREIGN_KEYS_SQL = """
SELECT n.nspname, c.relname, fn.nspname, fc.relname,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord),
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class fc ON fc.oid = con.confrelid
JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype = 'f'
"""


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: QualifiedName
    ref_columns: tuple[str, ...]


@dataclass
class TableCatalog:
    columns: dict[str, str] = field(default_factory=dict)  # column -> Hasura type text
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    primary_key: tuple[str, ...] | None = None  # `_tciPrimaryKey`; None when there is none
    # Columns neither insertable nor updatable: identity ALWAYS or generated STORED
    # (`is_insertable`/`is_updatable` in server/src-rsr/pg_table_metadata.sql).
    immutable: set[str] = field(default_factory=set)


class Catalog(dict[QualifiedName, TableCatalog]):
    """Tables by name; `functions`: the trackable functions' return tables (a function whose
    result is a table's row type, SETOF or one, and not overloaded: trackable in Hasura)."""

    functions: dict[QualifiedName, QualifiedName]

    def __init__(self) -> None:
        super().__init__()
        self.functions = {}


_FUNCTIONS_SQL = """
SELECT n.nspname, p.proname, rn.nspname, rc.relname
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_type t ON t.oid = p.prorettype
JOIN pg_class rc ON rc.oid = t.typrelid AND rc.relkind IN ('r', 'v', 'm', 'f', 'p')
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND (SELECT count(*) FROM pg_proc o
       WHERE o.pronamespace = p.pronamespace AND o.proname = p.proname) = 1
"""


def hasura_type_name(typname: str, category: str, elemname: str | None) -> str:
    """`pgScalarTypeToText . textToPGScalarType`: unknown, enum and composite names pass through."""
    if category == "A" and elemname:
        return _SCALAR_NAMES.get(elemname, elemname) + "[]"
    return _SCALAR_NAMES.get(typname, typname)


def load_catalog(database_url: str) -> Catalog:
    """Read the live catalog; called on every schema-cache build so `run_sql` DDL is seen."""
    catalog = Catalog()
    with psycopg.connect(database_url, autocommit=True) as conn:
        for schema, name, ref_schema, ref_name in conn.execute(_FUNCTIONS_SQL):
            catalog.functions[(schema, name)] = (ref_schema, ref_name)
        for row in conn.execute(_COLUMNS_SQL):
            schema, name, _num, column, typname, category, elem, immutable = row
            table = catalog.setdefault((schema, name), TableCatalog())
            table.columns[column] = hasura_type_name(typname, category, elem)
            if immutable:
                table.immutable.add(column)
        for schema, name, cols in conn.execute(_PRIMARY_KEYS_SQL):
            if (schema, name) in catalog:
                catalog[(schema, name)].primary_key = tuple(cols)
        for schema, name, ref_schema, ref_name, cols, ref_cols in conn.execute(_FOREIGN_KEYS_SQL):
            if (schema, name) in catalog:
                catalog[(schema, name)].foreign_keys.append(
                    ForeignKey(tuple(cols), (ref_schema, ref_name), tuple(ref_cols))
                )
    return catalog
