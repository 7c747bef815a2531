"""`/v2/query` `run_sql` (Hasura/Backends/Postgres/DDL/RunSQL.hs): the whole SQL text goes to
libpq's PQexec in one transaction, and the last statement's result is returned as text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq

from .errors import HasuraError
from .errors import json_type_name

# isSchemaCacheBuildRequiredRunSQL's keyword heuristic.
_DDL_KEYWORDS = re.compile(
    r"\balter\b|\bdrop\b|\breplace\b|\bcreate function\b|\bcomment on\b", re.I
)


@dataclass(frozen=True)
class RunSql:
    sql: str
    source: str
    read_only: bool
    check_metadata_consistency: bool | None

    def rebuilds_schema_cache(self) -> bool:
        """Whether the server rebuilds its schema cache (and so bumps resource_version)."""
        if self.read_only:
            return False
        if self.check_metadata_consistency is not None:
            return self.check_metadata_consistency
        return bool(_DDL_KEYWORDS.search(self.sql))


# `FromJSON RQLQuery` (Server/API/V2Query.hs): the types the server knows on /v2/query.
V2_QUERY_TYPES = {"insert", "select", "update", "delete", "count", "bulk", "concurrent_bulk"}
V2_QUERY_TYPES |= {f"{backend}_run_sql" for backend in ("mssql", "citus", "cockroach", "bigquery")}
V2_QUERY_TYPES |= {"bigquery_database_inspection"}


def parse_run_sql(body: Any) -> RunSql:
    """`FromJSON RQLQuery` for `run_sql` and `pg_run_sql`, then `RunSQL`'s arguments."""
    if not isinstance(body, dict):
        raise HasuraError(
            400,
            "parse-failed",
            f"parsing RQLQuery failed, expected Object, but encountered {json_type_name(body)}",
        )
    kind = body.get("type")
    if "type" not in body:
        raise HasuraError(400, "parse-failed", 'key "type" not found')
    if kind in V2_QUERY_TYPES:
        # NOT A SERVER BEHAVIOUR: the real server runs these; the stand-in implements run_sql only.
        raise HasuraError(400, "not-supported", f"the stand-in does not implement {kind}")
    if kind not in ("run_sql", "pg_run_sql"):
        raise HasuraError(400, "parse-failed", f"Unrecognised RQLQuery type: {kind}")
    args = body.get("args")
    if not isinstance(args, dict):
        raise HasuraError(
            400,
            "parse-failed",
            f"parsing RunSQL failed, expected Object, but encountered {json_type_name(args)}",
            ["args"],
        )
    if not isinstance(args.get("sql"), str):
        raise HasuraError(400, "parse-failed", 'key "sql" not found', ["args"])
    return RunSql(
        sql=args["sql"],
        source=args.get("source", "default"),
        read_only=bool(args.get("read_only", False)),
        check_metadata_consistency=args.get("check_metadata_consistency"),
    )


def execute(database_url: str, query: RunSql) -> dict[str, Any]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        pgconn = conn.pgconn
        _ok(pgconn.exec_(b"BEGIN READ ONLY" if query.read_only else b"BEGIN"), query)
        result = pgconn.exec_(query.sql.encode())
        if result.status not in (
            pq.ExecStatus.TUPLES_OK,
            pq.ExecStatus.COMMAND_OK,
            pq.ExecStatus.EMPTY_QUERY,
        ):
            pgconn.exec_(b"ROLLBACK")
            raise _query_failed(result, query)
        _ok(pgconn.exec_(b"COMMIT"), query)
    if result.status == pq.ExecStatus.TUPLES_OK:
        return {"result_type": "TuplesOk", "result": _tuples(result)}
    return {"result_type": "CommandOk", "result": None}


def _tuples(result: pq.abc.PGresult) -> list[list[str | None]]:
    header = [(result.fname(i) or b"").decode() for i in range(result.nfields)]
    rows = [header]
    for row in range(result.ntuples):
        values = (result.get_value(row, col) for col in range(result.nfields))
        rows.append([None if v is None else bytes(v).decode() for v in values])
    return rows


def _ok(result: pq.abc.PGresult, query: RunSql) -> None:
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise _query_failed(result, query)


def _field(result: pq.abc.PGresult, code: pq.DiagnosticField) -> str | None:
    value = result.error_field(code)
    return None if value is None else value.decode()


def _query_failed(result: pq.abc.PGresult, query: RunSql) -> HasuraError:
    """`rawSqlErrHandler`: 400 postgres-error, the driver's error as `internal`."""
    internal = {
        "arguments": [],
        "error": {
            "description": _field(result, pq.DiagnosticField.MESSAGE_DETAIL),
            "exec_status": "FatalError",
            "hint": _field(result, pq.DiagnosticField.MESSAGE_HINT),
            "message": _field(result, pq.DiagnosticField.MESSAGE_PRIMARY),
            "status_code": _field(result, pq.DiagnosticField.SQLSTATE),
        },
        "prepared": False,
        "statement": query.sql,
    }
    return HasuraError(400, "postgres-error", "query execution failed", internal=internal)
