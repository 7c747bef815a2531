"""Load permission test files (permissions/tests/*.yaml) into cases.

A file holds fixtures (SQL files and/or rows per table), optional named principals and the
cases. Every problem is reported at file:line, all at once (SpecError).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.boolexp.sql import text_value
from hasura_perm.cognito.handler import pre_token
from hasura_perm.cognito.mapping import session_sources
from hasura_perm.core import validate
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.core.reading import shown_path
from hasura_perm.core.reading import yaml_files
from hasura_perm.core.validate import did_you_mean
from hasura_perm.core.yaml_source import load_file
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec import Node
from hasura_perm.spec import Spec

ACTIONS = ("select", "insert", "update", "delete")
Key = tuple[str, ...]
BACKEND_ONLY_HEADER = "x-hasura-use-backend-only-permissions"
RESERVED_SESSION = {"x-hasura-role", BACKEND_ONLY_HEADER}
STATEMENTS = {
    "select": ("rows", "columns", "aggregate", "count", "limit", "error"),
    "insert": ("allowed", "stored", "columns", "error"),
    "update": ("rows", "rejected_by_check", "allowed", "stored", "columns", "error"),
    "delete": ("rows", "error"),
}


@dataclass(frozen=True)
class Expectation:
    """What a case states about one action. Unset fields are not checked."""

    rows: list[Key] | None = None
    columns: list[str] | None = None
    where: Any = None
    error: str | None = None
    # select
    aggregate: bool | None = None
    count: int | None = None
    limit: int | None = None
    check_limit: bool = False
    # insert / update
    row: dict[str, Any] = field(default_factory=dict)  # insert: the object; update: `_set`
    allowed: bool | None = None
    reason: str | None = None
    stored: dict[str, Any] | None = None
    rejected_by_check: list[Key] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    location: Location
    table: TableName
    role: str
    session: dict[str, str]  # lower-case names -> text values, as Hasura receives them
    action: str
    expect: Expectation
    key: tuple[str, ...]
    source: str | None = None
    auth: str = "admin_secret"  # or "jwt": how the caller authenticates

    @property
    def title(self) -> str:
        return f"{self.location}: {self.name}"


@dataclass(frozen=True)
class FixtureRow:
    table: TableName
    values: dict[str, Any]
    location: Location


@dataclass(frozen=True)
class Fixtures:
    sql_files: list[Path]
    rows: list[FixtureRow]  # in the order written


@dataclass(frozen=True)
class TestFile:
    path: Path
    display: str
    fixtures: Fixtures
    cases: list[Case]


def test_files(tests_dir: Path, root: Path | None = None) -> list[Path]:
    """Every test file; anything that cannot be read is an error, so no test is skipped
    silently (`root`: the project, which links may not leave)."""
    if not tests_dir.is_dir():
        return []
    base = root or tests_dir
    return yaml_files(tests_dir, base, lambda p: shown_path(p, base), skip=set(), skip_dirs=set())


def load_suite(paths: list[Path], root: Path, spec: Spec, snapshot: Snapshot) -> list[TestFile]:
    """Every test file, validated; raise SpecError listing every problem."""
    problems: list[Diagnostic] = []
    files = []
    for path in paths:
        loaded = _FileLoader(path, shown_path(path, root), spec, snapshot, problems, root).load()
        if loaded is not None:
            files.append(loaded)
    if problems:
        raise SpecError(problems)
    return files


class _FileLoader:
    def __init__(
        self,
        path: Path,
        display: str,
        spec: Spec,
        snapshot: Snapshot,
        problems: list[Diagnostic],
        root: Path | None = None,
    ) -> None:
        self.path, self.display, self.spec, self.snapshot = path, display, spec, snapshot
        self.problems = problems
        self.project_root = root  # a link out of the project is refused

    def load(self) -> TestFile | None:
        try:
            doc = load_file(self.path, self.display, root=self.project_root)
        except SpecError as error:
            self.problems.extend(error.problems)
            return None
        if doc.data is None:
            return None  # only comments (init's first test file): no cases yet
        schema_problems = validate.check(doc, "permission_tests")
        if schema_problems:
            self.problems.extend(schema_problems)
            return None
        self.root = Node(doc.data, doc, ())
        before = len(self.problems)
        fixtures = self._fixtures()
        cases = [self._case(self.root.child("cases", i)) for i in range(len(doc.data["cases"]))]
        if len(self.problems) > before:
            return None
        return TestFile(self.path, self.display, fixtures, [c for c in cases if c is not None])

    def report(self, node: Node, message: str) -> None:
        self.problems.append(Diagnostic(node.location, message))

    # -- fixtures

    def _fixtures(self) -> Fixtures:
        data = self.root.value.get("fixtures") or {}
        sql = data.get("sql") or []
        sql_files = []
        for i, relative in enumerate([sql] if isinstance(sql, str) else sql):
            path = (self.path.parent / relative).resolve()
            if not path.is_file():
                where = self.root.child("fixtures", "sql", *(() if isinstance(sql, str) else (i,)))
                self.report(
                    where, f"fixture SQL file {relative} does not exist (relative to this file)"
                )
            sql_files.append(path)
        rows = []
        for name, table_rows in (data.get("rows") or {}).items():
            node = self.root.child("fixtures", "rows", name)
            table = self._table(node, name)
            if table is not None:
                for i, row in enumerate(table_rows):
                    self._columns_exist(node.child(i), table, row)
                    rows.append(FixtureRow(table, row, node.child(i).location))
        return Fixtures(sql_files, rows)

    def _table(self, node: Node, name: str) -> TableName | None:
        table = TableName.parse(name)
        if table not in self.snapshot.tables:
            hint = did_you_mean(str(table), [str(t) for t in self.snapshot.tables])
            self.report(node, f"table {table} is not in the schema snapshot{hint}")
            return None
        return table

    def _columns_exist(self, node: Node, table: TableName, row: dict[str, Any]) -> bool:
        columns = self.snapshot.tables[table].columns
        ok = True
        for column in row:
            if column not in columns:
                hint = did_you_mean(column, list(columns))
                self.report(node.child(column), f"{table} has no column `{column}`{hint}")
                ok = False
        return ok

    # -- cases

    def _case(self, node: Node) -> Case | None:
        value = node.value
        actions = [a for a in ACTIONS if a in value]
        if len(actions) != 1:
            found = ", ".join(actions) or "none"
            self.report(
                node,
                f"a case states exactly one of select, insert, update, delete (found: {found})",
            )
            return None
        action = actions[0]
        table_name = value.get("table") or self.root.value.get("table")
        if table_name is None:
            self.report(node, "which table? add `table:` to the case or to the file")
            return None
        table = self._table(node.child("table") if "table" in value else node, table_name)
        caller = self._caller(node)
        if table is None or caller is None:
            return None
        key = self._key(node, table)
        if key is None:
            return None
        expect = self._expectation(node.child(action), action, table, key)
        if expect is None:
            return None
        role, session, auth = caller
        return Case(
            name=value["name"],
            file=self.display,
            location=node.child("name").location,
            table=table,
            role=role,
            session=session,
            action=action,
            expect=expect,
            key=key,
            source=value.get("source"),
            auth=auth,
        )

    def _caller(self, node: Node) -> tuple[str, dict[str, str], str] | None:
        value = node.value
        base: dict[str, Any] = {}
        base_node = node
        if "as" in value:
            principals = self.root.value.get("principals") or {}
            if value["as"] not in principals:
                hint = did_you_mean(value["as"], list(principals))
                self.report(
                    node.child("as"),
                    f"unknown principal `{value['as']}`{hint or '; define it under `principals:`'}",
                )
                return None
            base = principals[value["as"]]
            base_node = self.root.child("principals", value["as"])
        role = value.get("role", base.get("role"))
        if role is None:
            self.report(node, "which role? add `role:` or `as: <principal>`")
            return None
        if role not in self.spec.roles:
            hint = did_you_mean(role, list(self.spec.roles))
            where = node.child("role") if "role" in value else base_node.child("role")
            self.report(where, f"unknown role `{role}`{hint or '; declare it under `roles:`'}")
            return None
        if "combines" in (self.spec.roles[role].value or {}):
            where = node.child("role") if "role" in value else base_node.child("role")
            self.report(
                where,
                f"role `{role}` is a Hasura inherited role (`combines`): the server derives its "
                "permissions at request time (with per-cell column redaction), which these "
                "tests do not reproduce; test its parents instead",
            )
            return None
        has_claims = "claims" in value or "claims" in base
        auth = value.get("auth", base.get("auth", "jwt" if has_claims else "admin_secret"))
        if auth == "admin_secret" and has_claims:
            where = node.child("auth") if "auth" in value else base_node.child("auth")
            self.report(
                where,
                "`claims` come from a token (auth: jwt); an admin-secret caller sends its "
                "session as headers: use `session:` or drop `auth: admin_secret`",
            )
            return None
        # A case's claims are a token of its own: they replace the principal's, not add to them.
        session = self._claims(value.get("claims", base.get("claims")) or {})
        for source, owner in ((base, "principal"), (value, "case")):
            where = node if owner == "case" else base_node
            for name, raw in (source.get("session") or {}).items():
                session[name.lower()] = text_value(raw)
                self._declared(where.child("session", name), name.lower())
        return role, session, auth

    def _claims(self, claims: dict[str, Any]) -> dict[str, str]:
        """Session variables from Cognito attributes, built by the shipped pre token Lambda's
        own code: typed, arrays as Postgres literals, values that do not fit left out."""
        if not claims:
            return {}
        return lambda_session(claims, self.spec)

    def _declared(self, node: Node, name: str) -> None:
        if name not in self.spec.session and name not in RESERVED_SESSION:
            hint = did_you_mean(name, list(self.spec.session))
            self.report(node, f"session variable `{name}` is not declared under `session:`{hint}")

    def _key(self, node: Node, table: TableName) -> tuple[str, ...] | None:
        info = self.snapshot.tables[table]
        key = tuple(node.value.get("key") or info.primary_key)
        if not key:
            self.report(
                node, f"{table} has no primary key; say which columns identify a row with `key:`"
            )
            return None
        for column in key:
            if column not in info.columns:
                self.report(node.child("key"), f"{table} has no column `{column}`")
                return None
        return key

    def _expectation(
        self, node: Node, action: str, table: TableName, key: tuple[str, ...]
    ) -> Expectation | None:
        value = node.value
        before = len(self.problems)
        rows = self._rows(node, "rows", key)
        rejected = self._rows(node, "rejected_by_check", key)
        payload_key = "row" if action == "insert" else "set"
        payload = value.get(payload_key) or {}
        if payload:
            self._columns_exist(node.child(payload_key), table, payload)
        if value.get("stored"):
            self._columns_exist(node.child("stored"), table, value["stored"])
        if action == "update" and "set" not in value and "error" not in value:
            self.report(node, "an update case needs `set:` (the client's `_set`; `{}` for none)")
        stated = [k for k in STATEMENTS[action] if k in value]
        if not stated:
            wanted = ", ".join(f"`{k}`" for k in STATEMENTS[action])
            self.report(node, f"state what you expect of this {action}: one or more of {wanted}")
        if value.get("reason") and value.get("allowed") is not False:
            self.report(node.child("reason"), "`reason` explains a refusal; add `allowed: false`")
        if len(self.problems) > before:
            return None
        return Expectation(
            rows=rows,
            columns=value.get("columns"),
            where=value.get("where"),
            error=value.get("error"),
            aggregate=value.get("aggregate"),
            count=value.get("count"),
            limit=value.get("limit"),
            check_limit="limit" in value,
            row=payload,
            allowed=value.get("allowed"),
            reason=value.get("reason"),
            stored=value.get("stored"),
            rejected_by_check=rejected,
        )

    def _rows(self, node: Node, name: str, key: tuple[str, ...]) -> list[Key] | None:
        if name not in node.value:
            return None
        out = []
        for i, item in enumerate(node.value[name]):
            parsed = parse_key(item, key)
            if parsed is None:
                self.report(
                    node.child(name, i),
                    f"a row is named by its key ({', '.join(key)}): "
                    + ("a value" if len(key) == 1 else "a mapping or a list of the key's values"),
                )
            else:
                out.append(parsed)
        return out


def lambda_session(claims: dict[str, Any], spec: Spec) -> dict[str, str]:
    """What the pre token generation Lambda (hasura_perm/cognito/handler/pre_token.py) puts
    in the token for a user with these attributes."""
    username = claims.get("cognito:username", claims.get("username"))
    request = {"userAttributes": dict(claims)}
    event = {"userName": username, "request": request}
    mapping = {"session": session_sources(spec)}
    with contextlib.redirect_stdout(io.StringIO()):  # the Lambda logs what it leaves out
        return pre_token.session_values(event, request, mapping)


def parse_key(item: Any, key: tuple[str, ...]) -> Key | None:
    if isinstance(item, dict):
        if set(item) != set(key):
            return None
        return tuple(text_value(item[c]) for c in key)
    if isinstance(item, list):
        return tuple(text_value(v) for v in item) if len(item) == len(key) else None
    if len(key) != 1 or item is None:
        return None
    return (text_value(item),)


def show_key(key: Key, columns: tuple[str, ...]) -> str:
    if len(columns) == 1:
        return key[0]
    return "{" + ", ".join(f"{c}: {v}" for c, v in zip(columns, key, strict=True)) + "}"
