"""Read a live PostgreSQL catalog into the schema snapshot (plain data, deterministic order).

One SELECT returns text columns only, so the same query works over a direct connection and
through Hasura's `run_sql` (rows of strings with a header row); `snapshot_from_rows` serves both.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

import psycopg

from hasura_perm.core.errors import HasuraPermError

SNAPSHOT_VERSION = 1
CONNECT_TIMEOUT_SECONDS = 10

# Hasura's own bookkeeping; never a table whose permissions a user manages.
DEFAULT_EXCLUDED_SCHEMAS = frozenset({"hdb_catalog"})

KINDS = {
    "r": "table",
    "v": "view",
    "m": "materialized_view",
    "f": "foreign_table",
    "p": "partitioned_table",
}

INTROSPECTION_COLUMNS = ["table_schema", "table_name", "relkind", "columns", "constraints"]

# Every output column is text and never NULL: run_sql hands back strings, and lists travel as
# JSON so that any identifier survives. Reserved schemas all start with pg_ (user schemas cannot).
INTROSPECTION_SQL = r"""
SELECT
  n.nspname::text AS table_schema,
  c.relname::text AS table_name,
  c.relkind::text AS relkind,
  COALESCE((
    SELECT json_agg(
             json_build_array(
               a.attname, format_type(a.atttypid, NULL), a.attnotnull,
               CASE WHEN has_identity THEN attidentity::text ELSE '' END = 'a'
               OR CASE WHEN has_generated THEN attgenerated::text ELSE '' END = 's')
             ORDER BY a.attnum)
    FROM pg_catalog.pg_attribute a
    -- Servers before 10 (12) have no attidentity (attgenerated) column; there the bare name
    -- means the one-column row below instead, which the CASE never reads.
    CROSS JOIN (SELECT current_setting('server_version_num')::int >= 100000)
      AS attidentity(has_identity)
    CROSS JOIN (SELECT current_setting('server_version_num')::int >= 120000)
      AS attgenerated(has_generated)
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  ), '[]')::text AS columns,
  COALESCE((
    SELECT json_agg(
             json_build_object(
               'name', k.conname,
               'type', k.contype,
               'columns', (
                 SELECT json_agg(ka.attname ORDER BY kc.ord)
                 FROM unnest(k.conkey) WITH ORDINALITY AS kc(attnum, ord)
                 JOIN pg_catalog.pg_attribute ka
                   ON ka.attrelid = k.conrelid AND ka.attnum = kc.attnum),
               'ref_schema', rn.nspname,
               'ref_table', rc.relname,
               'ref_columns', (
                 SELECT json_agg(ra.attname ORDER BY rk.ord)
                 FROM unnest(k.confkey) WITH ORDINALITY AS rk(attnum, ord)
                 JOIN pg_catalog.pg_attribute ra
                   ON ra.attrelid = k.confrelid AND ra.attnum = rk.attnum))
             ORDER BY k.conname)
    FROM pg_catalog.pg_constraint k
    LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
    LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
    WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'f')
  ), '[]')::text AS constraints
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')
  AND n.nspname <> 'information_schema'
  AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
-- Functions Hasura can track (a table's row type, or SETOF it), one row each, relkind 'function':
-- `columns` holds [return schema, return table, volatility]. Overloaded names are left out:
-- Hasura refuses to track them (getSingleUniqueFunctionOverload in Hasura/Function/API.hs).
SELECT
  n.nspname::text, p.proname::text, 'function',
  json_build_array(rn.nspname, rc.relname, p.provolatile)::text, '[]'
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_type t ON t.oid = p.prorettype
JOIN pg_catalog.pg_class rc ON rc.oid = t.typrelid AND rc.relkind IN ('r', 'v', 'm', 'f', 'p')
JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname <> 'information_schema'
  AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_aggregate g WHERE g.aggfnoid = p.oid)
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  AND (SELECT count(*) FROM pg_catalog.pg_proc o
       WHERE o.pronamespace = p.pronamespace AND o.proname = p.proname) = 1
ORDER BY 1, 2
"""

VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}


def introspect(url: str, *, schemas: list[str] | None = None) -> dict[str, Any]:
    """Snapshot of the database at `url`; `schemas` limits it to those schemas."""
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            with conn.cursor() as cursor:
                cursor.execute(INTROSPECTION_SQL)
                header = [column.name for column in cursor.description or []]
                rows = [list(row) for row in cursor.fetchall()]
    except psycopg.Error as exc:
        detail = _scrub(str(exc).strip(), url)
        raise HasuraPermError(
            f"cannot read the schema of {redact_url(url)}: {detail}\n"
            "Check the database URL, that the server is running and that the user may connect."
        ) from None
    return snapshot_from_rows([header, *rows], schemas=schemas)


def snapshot_from_rows(
    rows: list[list[str]], *, schemas: list[str] | None = None
) -> dict[str, Any]:
    """Build the snapshot from INTROSPECTION_SQL's result: a header row, then one row per table."""
    if not rows or list(rows[0]) != INTROSPECTION_COLUMNS:
        found = list(rows[0]) if rows else "nothing"
        raise HasuraPermError(
            f"unexpected introspection result: header {found}, expected {INTROSPECTION_COLUMNS}"
        )
    tables, functions = {}, {}
    for row in rows[1:]:
        if len(row) != len(INTROSPECTION_COLUMNS):
            raise HasuraPermError(f"unexpected introspection result: row {row!r}")
        record = dict(zip(INTROSPECTION_COLUMNS, row, strict=True))
        if _selected(record["table_schema"], schemas):
            name = f"{record['table_schema']}.{record['table_name']}"
            if record["relkind"] == "function":
                functions[name] = _function_from_record(name, record)
            else:
                tables[name] = _table_from_record(name, record)
    snapshot: dict[str, Any] = {"version": SNAPSHOT_VERSION, "tables": dict(sorted(tables.items()))}
    if functions:  # the key is optional: snapshots without functions stay as they were
        snapshot["functions"] = dict(sorted(functions.items()))
    return snapshot


def _function_from_record(name: str, record: dict[str, str]) -> dict[str, Any]:
    try:
        schema, table, volatility = json.loads(record["columns"])
        return {"returns": f"{schema}.{table}", "volatility": VOLATILITY[volatility]}
    except (KeyError, TypeError, ValueError) as exc:
        raise HasuraPermError(f"unexpected introspection result for {name}: {exc!r}") from None


def redact_url(text: str) -> str:
    """`text` (a URL, a conninfo string or a message holding one) with passwords replaced by ***."""
    text = re.sub(r"(://[^:/@\s]*:)[^/\s]*@", r"\1***@", text)
    return re.sub(r"(password\s*=\s*)('[^']*'|[^&\s]*)", r"\1***", text)


def _selected(schema: str, schemas: list[str] | None) -> bool:
    if schemas is None:
        return schema not in DEFAULT_EXCLUDED_SCHEMAS
    return schema in schemas


def _table_from_record(name: str, record: dict[str, str]) -> dict[str, Any]:
    try:
        kind = KINDS[record["relkind"]]
        columns = json.loads(record["columns"])
        constraints = json.loads(record["constraints"])
        table: dict[str, Any] = {"kind": kind, "columns": {c[0]: c[1] for c in columns}}
        _add_if_any(table, "nullable", sorted(c[0] for c in columns if not c[2]))
        # Identity ALWAYS and stored generated columns: Hasura cannot insert or update them
        # (`is_insertable`/`is_updatable` in the engine's pg_table_metadata.sql).
        _add_if_any(table, "generated", sorted(c[0] for c in columns if len(c) > 3 and c[3]))
        _add_constraints(table, constraints)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise HasuraPermError(f"unexpected introspection result for {name}: {exc!r}") from None
    return table


def _add_constraints(table: dict[str, Any], constraints: list[dict[str, Any]]) -> None:
    primary = [k["columns"] for k in constraints if k["type"] == "p"]
    if primary:
        table["primary_key"] = primary[0]
    foreign = [_foreign_key(k) for k in constraints if k["type"] == "f"]
    _add_if_any(table, "foreign_keys", sorted(foreign, key=lambda fk: fk["name"]))
    _add_if_any(table, "unique", sorted(k["columns"] for k in constraints if k["type"] == "u"))


def _foreign_key(constraint: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": constraint["name"],
        "columns": constraint["columns"],
        "references": f"{constraint['ref_schema']}.{constraint['ref_table']}",
        "ref_columns": constraint["ref_columns"],
    }


def _add_if_any(table: dict[str, Any], key: str, values: list[Any]) -> None:
    if values:
        table[key] = values


def _scrub(message: str, url: str) -> str:
    """Remove the password from a driver message, should the driver echo the connection."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in {password or "", unquote(password or "")} - {""}:
        message = message.replace(secret, "***")
    return redact_url(message)
