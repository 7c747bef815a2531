"""The database the cases run against: a throwaway cluster (default) or a given URL.

Everything the tests do happens inside one transaction that is rolled back at the end:
with `--db URL` the schema SQL (if the tables are missing), the fixtures and every case
are undone. Sequences are reset by `TRUNCATE ... RESTART IDENTITY`, which PostgreSQL also
undoes on rollback.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path

import psycopg

from hasura_perm.boolexp.sql import quote_literal
from hasura_perm.boolexp.tree import Schema
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.schema.introspect import redact_url
from hasura_perm.schema.postgres import TempCluster

DATABASE_NAME = "hasura_perm_tests"
CONNECT_TIMEOUT_SECONDS = 10


@dataclass
class Database:
    conn: psycopg.Connection
    description: str  # for reports: "throwaway PostgreSQL 15.4" or the redacted URL
    startup_seconds: float  # starting the cluster (0 with --db)
    schema_seconds: float  # loading the schema SQL
    server_version: str


@contextmanager
def open_database(
    schema: Schema, db_url: str | None, schema_sql: Path | None, schema_display: str
) -> Iterator[Database]:
    """Yield a connection inside a transaction that holds the schema; roll it all back."""
    if db_url is None:
        with _throwaway(schema, schema_sql, schema_display) as database:
            yield database
        return
    conn = _connect(db_url)
    try:
        began = time.monotonic()
        _ensure_schema(conn, schema, schema_sql, schema_display, redact_url(db_url))
        database = Database(conn, redact_url(db_url), 0.0, time.monotonic() - began, _version(conn))
        _learn_functions(conn, schema)
        yield database
    finally:
        _close(conn)


@contextmanager
def _throwaway(schema: Schema, schema_sql: Path | None, display: str) -> Iterator[Database]:
    if schema_sql is None:
        raise HasuraPermError(
            "the project does not say where its schema SQL is: set `tests: {schema_sql: FILE}` "
            "in hasura-perm.yaml (or pass --schema-sql FILE), or run against a database that "
            "has the schema with --db URL"
        )
    began = time.monotonic()
    with TempCluster() as cluster:
        started = time.monotonic() - began
        conn = _connect(cluster.create_database(DATABASE_NAME))
        try:
            loaded = time.monotonic()
            _run_schema(conn, schema_sql, display)
            schema_seconds = time.monotonic() - loaded
            version = _version(conn)
            _learn_functions(conn, schema)
            yield Database(
                conn, f"throwaway PostgreSQL {version}", started, schema_seconds, version
            )
        finally:
            _close(conn)


def _connect(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=False)
    except psycopg.Error as exc:
        raise HasuraPermError(
            f"cannot connect to {redact_url(url)}: {redact_url(str(exc).strip())}"
        ) from None


def _close(conn: psycopg.Connection) -> None:
    try:
        conn.rollback()
    finally:
        conn.close()


def _version(conn: psycopg.Connection) -> str:
    row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


def _ensure_schema(
    conn: psycopg.Connection,
    schema: Schema,
    schema_sql: Path | None,
    display: str,
    where: str,
) -> None:
    missing = missing_tables(conn, schema)
    if not missing:
        return
    if len(missing) < len(schema.tables) or schema_sql is None:
        names = ", ".join(str(t) for t in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise HasuraPermError(
            f"{where} lacks tables of the schema snapshot ({names}); use a database that has "
            "the schema, or an empty one and `tests.schema_sql` in hasura-perm.yaml"
        )
    _run_schema(conn, schema_sql, display)


def missing_tables(conn: psycopg.Connection, schema: Schema) -> list[TableName]:
    names = sorted(schema.tables)
    rows = conn.execute(
        "SELECT to_regclass(x) IS NULL FROM unnest(%s::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n",
        ([f'"{t.schema}"."{t.name}"' for t in names],),
    ).fetchall()
    return [name for name, (absent,) in zip(names, rows, strict=True) if absent]


def _run_schema(conn: psycopg.Connection, path: Path, display: str) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HasuraPermError(f"cannot read schema SQL {display}: {exc.strerror}") from None
    try:
        conn.execute(text)
    except psycopg.Error as exc:
        raise HasuraPermError(
            f"schema SQL {display} failed: {exc.diag.message_primary or exc}"
        ) from None


def _learn_functions(conn: psycopg.Connection, schema: Schema) -> None:
    """Return types of computed fields: a scalar type, or the table a set-returning one yields."""
    for fields in schema.computed_fields.values():
        for name, cf in list(fields.items()):
            row = conn.execute(
                "SELECT format_type(p.prorettype, NULL), tn.nspname, tc.relname "
                "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "JOIN pg_type t ON t.oid = p.prorettype "
                "LEFT JOIN pg_class tc ON tc.oid = t.typrelid AND t.typrelid <> 0 "
                "LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace "
                f"WHERE n.nspname = {quote_literal(cf.function.schema)} "
                f"AND p.proname = {quote_literal(cf.function.name)} ORDER BY p.oid LIMIT 1"
            ).fetchone()
            if row is None:
                continue
            returns_table = TableName(row[1], row[2]) if row[2] else None
            if returns_table is not None and returns_table not in schema.tables:
                returns_table = None
            scalar = None if returns_table else row[0]
            fields[name] = replace(cf, returns=scalar, returns_table=returns_table)
