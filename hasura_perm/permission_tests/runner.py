"""Run cases against PostgreSQL: each test file's fixtures in a savepoint, each case in a
savepoint inside it, both rolled back (see actions.py for what each action runs)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from hasura_perm.boolexp import sql as q
from hasura_perm.boolexp import tree as t
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.permission_tests.actions import Action
from hasura_perm.permission_tests.actions import CaseError
from hasura_perm.permission_tests.actions import message
from hasura_perm.permission_tests.cases import Case
from hasura_perm.permission_tests.cases import TestFile
from hasura_perm.permission_tests.judge import judge
from hasura_perm.permission_tests.outcome import CaseResult
from hasura_perm.permission_tests.outcome import Lookup
from hasura_perm.permission_tests.outcome import Outcome
from hasura_perm.permission_tests.outcome import RuleKey


class Runner:
    def __init__(
        self, conn: psycopg.Connection, schema: t.Schema, boolean_null_collapse: bool = False
    ) -> None:
        self.conn = conn
        self.schema = schema
        self.boolean_null_collapse = boolean_null_collapse
        self._sequences: dict[TableName, list[tuple[str, str]]] = {}
        self._savepoints = 0

    @contextmanager
    def fixtures(self, test_file: TestFile) -> Iterator[None]:
        """Empty tables, then the file's fixtures; all undone on exit."""
        with self._savepoint():
            self._truncate()
            for path in test_file.fixtures.sql_files:
                self._fixture_sql(path, test_file)
            for row in test_file.fixtures.rows:
                self._fixture_row(row.table, row.values, str(row.location))
            for name, table in self.schema.tables.items():
                if table.kind in ("table", "partitioned_table"):
                    self._bump_sequences(name)
            yield

    def run(self, case: Case, lookup: Lookup) -> CaseResult:
        began = time.perf_counter()
        uses: set[RuleKey] = set()

        def tracked(table: TableName, action: str, role: str) -> Permission | None:
            uses.add((table, action, role))
            return lookup(table, action, role)

        action = Action(self, case, tracked)
        try:
            with self._savepoint():
                self.conn.execute(
                    "SELECT set_config('hasura.user', %s, true)",
                    (json.dumps({**case.session, "x-hasura-role": case.role}),),
                )
                action.run()
        except CaseError as error:
            action.outcome.error = str(error)
        except HasuraPermError as error:
            action.outcome.error = str(error)
        problems = judge(case, action.outcome)
        return CaseResult(case, action.outcome, problems, uses, time.perf_counter() - began)

    # -- plumbing

    @contextmanager
    def _savepoint(self) -> Iterator[str]:
        self._savepoints += 1
        name = f"hp_{self._savepoints}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield name
        finally:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.execute(f"RELEASE SAVEPOINT {name}")

    def _truncate(self) -> None:
        tables = [
            q.quote_table(name)
            for name, table in sorted(self.schema.tables.items())
            if table.kind in ("table", "partitioned_table")
        ]
        if tables:
            self.conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    def _fixture_sql(self, path: Path, test_file: TestFile) -> None:
        try:
            self.conn.execute(path.read_text(encoding="utf-8"))
        except (OSError, psycopg.Error) as exc:
            raise HasuraPermError(
                f"{test_file.display}: fixture SQL {path.name} failed: {message(exc)}"
            ) from None

    def _fixture_row(self, table: TableName, values: dict[str, Any], where: str) -> None:
        types = self.schema.table(table).columns
        if values:
            columns = ", ".join(q.quote_ident(c) for c in values)
            literals = ", ".join(q.literal(v, types[c]) for c, v in values.items())
            statement = f"INSERT INTO {q.quote_table(table)} ({columns}) VALUES ({literals})"
        else:
            statement = f"INSERT INTO {q.quote_table(table)} DEFAULT VALUES"
        try:
            with self.nested():
                self.conn.execute(statement)
        except psycopg.Error as exc:
            raise HasuraPermError(
                f"{where}: fixture row for {table} failed: {message(exc)}"
            ) from None

    @contextmanager
    def nested(self) -> Iterator[None]:
        """A savepoint kept on success (released) and undone on error."""
        self._savepoints += 1
        name = f"hp_{self._savepoints}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {name}")

    @contextmanager
    def undone(self) -> Iterator[None]:
        """A savepoint always rolled back: each row of a row-by-row change starts afresh."""
        with self._savepoint():
            yield

    def _bump_sequences(self, table: TableName) -> None:
        """Move serial sequences past the fixture rows, so inserts in cases get free ids."""
        if table not in self._sequences:
            rows = self.conn.execute(
                "SELECT a.attname, pg_get_serial_sequence(%s, a.attname) FROM pg_attribute a "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                (q.quote_table(table), q.quote_table(table)),
            ).fetchall()
            self._sequences[table] = [(c, s) for c, s in rows if s]
        for column, sequence in self._sequences[table]:
            self.conn.execute(
                f"SELECT setval({q.quote_literal(sequence)}, m) FROM "
                f"(SELECT max({q.quote_ident(column)})::bigint AS m FROM {q.quote_table(table)}) x "
                "WHERE m IS NOT NULL"
            )

    def query(self, outcome: Outcome, statement: str) -> list[tuple[Any, ...]]:
        outcome.sql.append(statement)
        return self.conn.execute(statement).fetchall()
