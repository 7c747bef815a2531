"""`hasura-perm explain` on the worked example: resolution, named parts, compiled permission,
and SQL that real PostgreSQL runs to exactly the rows the rule admits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
import pytest

from hasura_perm.review.explanation import with_session
from hasura_perm.review.sqlformat import pretty_sql
from tests.helpers import NOTES_RULES
from tests.helpers import ROLES
from tests.helpers import make_project
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]


def explain(*args: str) -> str:
    result = run_cli("explain", *args, cwd=REPO)
    assert result.code == 0, result.err
    return result.out


def explain_json(*args: str) -> dict:
    return json.loads(explain(*args, "--format", "json"))


def test_a_table_file_rule_with_its_named_parts() -> None:
    out = explain("--role", "viewer", "--table", "public.projects", "--action", "select")

    assert out.startswith("public.projects · select · viewer\n\nHow the rule was found:\n")
    assert (
        "  1. permissions/tables/public.projects.yaml:5:3: the table file's select rule for `viewer`\n"
        "\nResult: table file, rule at permissions/tables/public.projects.yaml:5:3\n"
    ) in out
    assert '  filter: "published"\n' in out
    assert '  columns: {"all_except":["budget","attributes","audit"]}\n' in out
    assert (
        "Named parts it uses:\n"
        '  column set `audit` (permissions/conditions.yaml:23:3): ["created_at","created_by_user_id","updated_at","updated_by_user_id"]\n'
        '  condition `published` (permissions/conditions.yaml:12:3): {"_and":["not_deleted",{"is_published":{"_eq":true}}]}\n'
        '  condition `not_deleted` (permissions/conditions.yaml:7:3): {"is_deleted":{"_eq":false}}\n'
    ) in out
    assert "Compiles to (in metadata/databases/default/tables/public_projects.yaml):\n" in out
    assert "  select_permissions:\n    - role: viewer\n      permission:\n        columns:\n" in out
    # The block is what compile writes into the metadata file.
    block = out[out.index("  select_permissions:") :]
    metadata = (REPO / "metadata/databases/default/tables/public_projects.yaml").read_text()
    entry = block[: block.index("\nAs SQL")].splitlines()[2:]
    assert "\n".join(line[2:] for line in entry) in metadata
    assert "As SQL on a row `projects` of public.projects:\n  rows it may read: WHERE\n" in out


def test_a_default_rule() -> None:
    data = explain_json("--role", "viewer", "--table", "project_components", "--action", "select")
    assert data["resolution"] == [
        "permissions/tables/public.project_components.yaml: the table file has no select rule for `viewer`",
        "permissions/defaults.yaml:21:7: default `public.project_*`, the most specific default "
        "matching public.project_components with a select rule for `viewer`",
    ]
    assert data["origin"] == "default `public.project_*`"
    assert [(n["kind"], n["name"]) for n in data["named"]] == [
        ("condition", "not_deleted"),
        ("condition", "on_published_project"),
        ("condition", "published"),
    ]


def test_an_inherited_rule() -> None:
    data = explain_json("--role", "project_admin", "--table", "project_notes", "--action", "insert")
    assert data["resolution"] == [
        "no table file for public.project_notes",
        "no default matching public.project_notes has an insert rule for `project_admin`",
        "parent `editor` has one (default `public.project_*`, permissions/defaults.yaml:30:7): "
        "`project_admin` inherits it",
    ]
    assert data["origin"] == "inherited from editor (default `public.project_*`)"
    assert data["location"] == "permissions/defaults.yaml:30:7"
    kinds = [(n["kind"], n["name"]) for n in data["named"]]
    assert ("column set", "audit") in kinds and ("preset", "stamp_creator") in kinds
    assert ("condition", "active_user") in kinds and ("condition", "is_me") in kinds
    assert set(data["sql"]) == {"check"}


def test_deny_and_no_rule() -> None:
    denied = explain("--role", "project_admin", "--table", "projects", "--action", "delete")
    assert (
        "  1. permissions/tables/public.projects.yaml:50:3: the table file says `deny`; "
        "defaults and parents are not asked\n"
    ) in denied
    assert denied.endswith("`project_admin` has no delete permission on public.projects.\n")
    none = explain_json("--role", "file_service", "--table", "projects", "--action", "select")
    assert none["allowed"] is False and none["permission"] is None
    assert (
        none["resolution"][-1]
        == "`file_service` inherits from no role: no select permission on public.projects"
    )


def test_session_values_replace_the_lookups() -> None:
    out = explain(
        "--role", "editor", "--table", "projects", "--action", "update",
        "--session", "X-Hasura-User-Db-Id=7", "--session", "x-hasura-user-id=abc",
    )  # fmt: skip
    sql = out[out.index("As SQL") :]
    assert "(x-hasura-user-db-id=7, x-hasura-user-id=abc)" in sql
    assert "current_setting" not in sql
    assert '("projects"."created_by_user_id" = \'7\'::integer)' in sql
    assert "  rows it may update: WHERE\n" in sql
    assert "  rows after the update must satisfy: CHECK\n" in sql
    assert "note: given but not used by this rule: x-hasura-user-id" in sql
    lookup = explain("--role", "editor", "--table", "projects", "--action", "update")
    assert "(current_setting('hasura.user')::json ->> 'x-hasura-user-db-id')::integer" in lookup
    assert "read from the request's session at run time: x-hasura-user-db-id" in lookup


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--role", "viewr", "--table", "projects", "--action", "select"],
            "unknown role `viewr`; did you mean `viewer`?",
        ),
        (
            ["--role", "viewer", "--table", "project", "--action", "select"],
            "public.project is not a managed table; did you mean `public.projects`?",
        ),
        (
            [
                "--role",
                "viewer",
                "--table",
                "projects",
                "--action",
                "select",
                "--session",
                "user=7",
            ],
            "expected NAME=VALUE",
        ),
        (
            # Not a near name of a managed table: no unrelated suggestion, the managed list.
            ["--role", "viewer", "--table", "organizations", "--action", "select"],
            "public.organizations is not a managed table (managed: public.component_types, ",
        ),
        (
            [
                "--role",
                "viewer",
                "--table",
                "projects",
                "--action",
                "select",
                "--session",
                "x-hasura-user-dbid=7",
            ],
            "--session x-hasura-user-dbid: not a session variable of the project; did you mean "
            "`x-hasura-user-db-id`?",
        ),
    ],
)
def test_mistakes(args: list[str], message: str) -> None:
    result = run_cli("explain", *args, cwd=REPO)
    assert result.code == 1
    assert message in result.err and "Traceback" not in result.err


@pytest.fixture
def example_db(pg_url: str) -> psycopg.Connection:
    conn = psycopg.connect(pg_url, autocommit=True)
    conn.execute((REPO / "db" / "schema.sql").read_text())
    conn.execute((REPO / "permissions" / "tests" / "seed.sql").read_text())
    yield conn
    conn.close()


@pytest.mark.parametrize(
    ("role", "table", "action", "session", "ids"),
    [
        ("viewer", "projects", "select", [], [1, 7]),
        (
            "editor", "projects", "select",
            ["x-hasura-user-db-id=2", "x-hasura-department-ids={1}"], [1, 2, 3, 7],
        ),
        ("editor", "projects", "update", ["x-hasura-user-db-id=2"], [1, 2, 3]),
        (
            "editor", "project_notes", "select",
            ["x-hasura-user-db-id=3", "x-hasura-department-ids={2}"], [1, 3, 7],
        ),
        ("project_admin", "projects", "select", [], [1, 2, 3, 4, 5, 6, 7]),
    ],
)  # fmt: skip
def test_the_sql_selects_exactly_the_rows_the_rule_admits(
    example_db: psycopg.Connection,
    role: str,
    table: str,
    action: str,
    session: list[str],
    ids: list[int],
) -> None:
    args = ["--role", role, "--table", table, "--action", action]
    for item in session:
        args += ["--session", item]
    data = explain_json(*args)
    where = data["sql"]["filter"]

    rows = example_db.execute(f"SELECT id FROM public.{table} AS {table} WHERE {where} ORDER BY id")

    assert [r[0] for r in rows] == ids


def test_with_session_types_and_quotes() -> None:
    lookup = "((current_setting('hasura.user')::json ->> 'x-hasura-a')::numeric(10,2))"
    sql = f"(t.x = {lookup}) AND (t.y = {lookup})"
    assert (
        with_session(sql, {"x-hasura-a": "1.5"})
        == "(t.x = '1.5'::numeric(10,2)) AND (t.y = '1.5'::numeric(10,2))"
    )
    assert with_session(sql, {"x-hasura-a": "it's"}).count("'it''s'::numeric(10,2)") == 2
    assert with_session(sql, {"x-hasura-b": "1"}) == sql


def test_pretty_sql_changes_only_whitespace_outside_quotes() -> None:
    sql = (
        '(("t"."a" = \'x AND (y\' ) AND (("t"."b" = 1) OR ("t"."c" IS NULL) OR '
        'EXISTS (SELECT 1 FROM "public"."u" AS "u" WHERE (("u"."id" = "t"."u_id") AND '
        "(\"u\".\"name\" = 'a '' OR b')))))"
    )
    pretty = pretty_sql(sql, width=40)
    assert pretty != sql and "\n" in pretty
    assert "'x AND (y'" in pretty and "'a '' OR b'" in pretty

    def squeeze(text: str) -> str:
        parts = re.split(r"('(?:[^']|'')*')", text)
        return "".join(p if i % 2 else re.sub(r"\s+", "", p) for i, p in enumerate(parts))

    assert squeeze(pretty) == squeeze(sql)
    assert pretty_sql("(a = 1") == "(a = 1"  # unbalanced input is left alone
    assert pretty_sql("(a = 1) AND (b = 2)", width=80) == "(a = 1) AND (b = 2)"


def test_a_snapshot_table_without_rules_is_named_as_such(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", {"roles.yaml": ROLES, "tables/notes.yaml": NOTES_RULES})
    args = ("--project", str(root), "explain", "--role", "viewer", "--table", "users")
    result = run_cli(*args, "--action", "select")
    assert result.code == 1
    assert result.err.startswith(
        "error: public.users is in the schema snapshot but not managed: no table file or "
        "default matches it"
    )
