"""Build a schema snapshot without a live database: replay SQL (a dump, or a project's
migrations) into a throwaway PostgreSQL and read its catalog. PostgreSQL is the parser,
so the snapshot says exactly what the database would hold.

Every statement runs on its own (autocommit), so a failure names its file and line.
Roles a script GRANTs to or ALTERs are cluster-wide and never in a dump or migration; a
missing one is created (NOLOGIN) and the statement retried, as a note.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.schema.dbfacts import DatabaseFacts
from hasura_perm.schema.dbfacts import read_facts
from hasura_perm.schema.introspect import introspect
from hasura_perm.schema.migrations import Script
from hasura_perm.schema.postgres import TempCluster
from hasura_perm.schema.sqlscript import Statement
from hasura_perm.schema.sqlscript import split_statements

# Debian/Ubuntu packages of extensions people often use, for the "not installed" message.
EXTENSION_PACKAGES = {
    "postgis": "postgresql-{major}-postgis-3",
    "postgis_topology": "postgresql-{major}-postgis-3",
    "postgis_raster": "postgresql-{major}-postgis-3",
    "pgrouting": "postgresql-{major}-pgrouting",
    "vector": "postgresql-{major}-pgvector",
    "timescaledb": "timescaledb (from Timescale's repository)",
}
MAX_ROLE_RETRIES = 20
PROGRESS_INTERVAL_SECONDS = 1.0

_MISSING_ROLE = re.compile(r'role "(.+)" does not exist')
_CREATE_EXTENSION = re.compile(
    r'^\s*create\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[\w$]+)', re.I
)


@dataclass
class Replayed:
    document: dict[str, Any]  # the snapshot, as `schema pull` writes it
    facts: DatabaseFacts
    statements: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def view_sources(self) -> dict[Any, Any]:
        return self.facts.view_sources

    @property
    def filled(self) -> dict[Any, Any]:
        return self.facts.filled


Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Replayer:
    """One throwaway cluster; each `load` replays scripts into a fresh database of it."""

    def __init__(self, progress: Progress | None = None) -> None:
        self._progress = progress or (lambda _message: None)
        self._cluster: TempCluster | None = None
        self._count = 0

    def __enter__(self) -> Replayer:
        self._progress("Starting a throwaway PostgreSQL to replay the schema SQL...")
        self._cluster = TempCluster().start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._cluster is not None:
            self._cluster.stop()
            self._cluster = None

    def load(
        self,
        scripts: list[Script],
        *,
        label: str,
        extensions: tuple[str, ...] = (),
        prelude: tuple[str, ...] = (),
        schemas: list[str] | None = None,
    ) -> Replayed:
        """Replay `scripts` in order into a new database; `prelude` statements and
        `extensions` come first (what the real database had before its migrations)."""
        assert self._cluster is not None, "use Replayer as a context manager"
        self._count += 1
        url = self._cluster.create_database(f"replay_{self._count}")
        run = _Run(url, label, self._progress)
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                run.prelude(conn, prelude, extensions)
                run.scripts(conn, scripts)
                facts = read_facts(conn)
        except psycopg.Error as exc:
            raise HasuraPermError(
                f"the throwaway PostgreSQL failed while replaying: {exc}"
            ) from None
        document = introspect(url, schemas=schemas)
        return Replayed(document, facts, run.count, run.notes)


class _Run:
    def __init__(self, url: str, label: str, progress: Progress) -> None:
        self.url = url
        self.label = label
        self.progress = progress
        self.count = 0
        self.notes: list[str] = []
        self.extensions_given = False

    def prelude(
        self, conn: psycopg.Connection, prelude: tuple[str, ...], extensions: tuple[str, ...]
    ) -> None:
        self.extensions_given = bool(extensions)
        for text in prelude:
            self._execute(conn, Script("(prelude)", text), Statement(text, 1))
        for name in extensions:
            text = f"CREATE EXTENSION IF NOT EXISTS {sql.Identifier(name).as_string(conn)} CASCADE"
            self._execute(conn, Script(f"--extensions {name}", text), Statement(text, 1))

    def scripts(self, conn: psycopg.Connection, scripts: list[Script]) -> None:
        files = len({s.display.split(" (run_sql")[0] for s in scripts})
        self.progress(f"Replaying {self.label}: {files} file(s)...")
        began = last = time.monotonic()
        for number, script in enumerate(scripts, start=1):
            for statement in split_statements(script.text, script.display):
                self._execute(conn, script, statement)
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL_SECONDS and number < len(scripts):
                self.progress(f"  {number}/{len(scripts)} scripts, {self.count} statements")
                last = now
        seconds = time.monotonic() - began
        self.progress(f"  replayed {self.count} statements in {seconds:.1f} s")

    def _execute(self, conn: psycopg.Connection, script: Script, statement: Statement) -> None:
        for _attempt in range(MAX_ROLE_RETRIES):
            try:
                conn.execute(statement.text.encode())
                self.count += 1
                return
            except psycopg.Error as exc:
                if conn.broken:
                    raise  # the server is gone: load() says so
                role = _missing_role(exc)
                if role is None:
                    raise HasuraPermError(self._failure(exc, script, statement)) from None
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                self.notes.append(
                    f"{script.display}:{script.line_offset + statement.line}: role {role!r} "
                    "does not exist here; created it (NOLOGIN) to replay the statement"
                )
        raise HasuraPermError(self._failure(None, script, statement))

    def _failure(self, exc: psycopg.Error | None, script: Script, statement: Statement) -> str:
        diag = exc.diag if exc is not None else None
        message = (diag.message_primary if diag else None) or str(exc or "too many missing roles")
        line = script.line_offset + statement.line
        position = _int(diag.statement_position if diag else None)
        if position:
            line += statement.text[: position - 1].count("\n")  # a character offset
        first = statement.text.splitlines()[0] if statement.text else ""
        lines = [f"{script.display}:{line}: {message}", f"  in the statement: {first[:120]}"]
        if diag and diag.message_detail:
            lines.append(f"  detail: {diag.message_detail}")
        if diag and diag.message_hint:
            lines.append(f"  hint: {diag.message_hint}")
        lines += self._advice(exc, statement)
        return "\n".join(lines)

    def _advice(self, exc: psycopg.Error | None, statement: Statement) -> list[str]:
        sqlstate = exc.sqlstate if exc is not None else None
        extension = _CREATE_EXTENSION.match(statement.text)
        if extension and sqlstate in ("58P01", "0A000"):
            name = extension.group(1).strip('"').replace('""', '"')
            return [_not_installed(name, self.url)]
        if sqlstate in ("42704", "42883") and not self.extensions_given:
            return [
                "  if the database has extensions its migrations do not create (PostGIS, "
                "btree_gist...), name them: --extensions postgis,btree_gist"
            ]
        return []


def _missing_role(exc: psycopg.Error) -> str | None:
    if exc.sqlstate != "42704":
        return None
    found = _MISSING_ROLE.fullmatch(exc.diag.message_primary or "")
    return found.group(1) if found else None


def _not_installed(name: str, url: str) -> str:
    major = _server_major(url)
    package = EXTENSION_PACKAGES.get(name.lower(), "").format(major=major)
    where = f" (on Debian/Ubuntu: apt-get install {package})" if package else ""
    return (
        f"  the extension `{name}` is not installed in this machine's PostgreSQL {major}: "
        f"install it{where} and run again"
    )


def _server_major(url: str) -> str:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SHOW server_version_num").fetchone()
    except psycopg.Error:
        return ""
    return str(int(row[0]) // 10000) if row else ""


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
