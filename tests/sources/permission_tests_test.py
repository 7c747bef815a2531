"""`hasura-perm test` with several sources: each source's cases run against a database
built from that source's own schema SQL (real PostgreSQL)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from tests.helpers import run_cli
from tests.helpers import write
from tests.sources.support import two_source_project

CONFIG = """\
version: 1
sources:
  default: {schema: permissions/schema.yaml, schema_sql: db/default.sql}
  reports: {schema_sql: db/reports.sql}
"""
OWN = {"reader": {"columns": ["id", "owner_id"], "filter": "own"}}
FILES = {
    "tables/notes.yaml": {"table": "default:notes", "select": OWN},
    "tables/report_notes.yaml": {"table": "reports:notes", "select": OWN},
}
ROWS = {"public.notes": [{"id": 1, "owner_id": 7}, {"id": 2, "owner_id": 8}]}
PRINCIPALS = {"rita": {"role": "reader", "claims": {"sub": "7"}}}


def case_file(rows: list[int]) -> dict:
    return {
        "fixtures": {"rows": ROWS},
        "principals": PRINCIPALS,
        "cases": [
            {
                "name": "rita reads her notes",
                "as": "rita",
                "table": "notes",
                "select": {"rows": rows},
            }
        ],
    }


def project(tmp_path, reports_rows: list[int]):
    root = two_source_project(tmp_path, FILES, config=CONFIG)
    write(
        root,
        "db/default.sql",
        "CREATE TABLE users (id int PRIMARY KEY, email text);\n"
        "CREATE TABLE notes (id int PRIMARY KEY, owner_id int, body text);\n",
    )
    write(
        root,
        "db/reports.sql",
        "CREATE TABLE notes (id int PRIMARY KEY, owner_id int, summary text);\n"
        "CREATE TABLE summaries (id int PRIMARY KEY, owner_id int, total numeric);\n",
    )
    write(root, "permissions/tests/notes.yaml", case_file([1]))
    write(root, "permissions/tests/reports/notes.yaml", case_file(reports_rows))
    assert run_cli("--project", str(root), "compile").code == 0
    return root


def test_each_source_runs_its_own_cases(tmp_path):
    root = project(tmp_path, [1])
    result = run_cli("--project", str(root), "test", "--format", "json")
    assert result.code == 0, result.out + result.err
    data = json.loads(result.out)
    assert sorted(data["sources"]) == ["default", "reports"]


def test_a_failing_case_in_one_source_fails_the_run(tmp_path):
    root = project(tmp_path, [1, 2])  # rita cannot read note 2 of the reports source
    result = run_cli("--project", str(root), "test")
    assert result.code == 3
    assert "== source reports" in result.out and "== source default" in result.out
    assert "permissions/tests/reports/notes.yaml" in result.out


def test_junit_over_several_sources_names_each_suites_source(tmp_path):
    root = project(tmp_path, [1, 2])
    out = tmp_path / "report.xml"
    result = run_cli("--project", str(root), "test", "--format", "junit", "--out", str(out))
    assert result.code == 3, result.out + result.err
    assert "== source reports" in result.out  # the text report still goes to stdout
    suites = {
        s.get("name"): (
            s.get("tests"),
            s.get("failures"),
            s.find("properties/property").get("value"),
        )
        for s in ElementTree.parse(out).getroot().iter("testsuite")
    }
    assert suites == {
        "default: permissions/tests/notes.yaml": ("1", "0", "default"),
        "reports: permissions/tests/reports/notes.yaml": ("1", "1", "reports"),
    }


def test_db_and_schema_sql_say_their_source(tmp_path, pg_url):
    root = project(tmp_path, [1])
    # default's schema SQL only from the command line; reports on a database of our own.
    write(
        root,
        "hasura-perm.yaml",
        "version: 1\nsources:\n  default: {schema: permissions/schema.yaml}\n  reports: {schema_sql: db/reports.sql}\n",
    )
    args = ("--project", str(root), "test", "--format", "json")
    missing = run_cli(*args)
    assert missing.code == 1
    assert "source 'default' has permission tests but no schema SQL" in missing.err
    assert "--schema-sql default=FILE" in missing.err
    result = run_cli(
        *args, "--schema-sql", "default=db/default.sql", "--db", f"reports={pg_url}", cwd=root
    )
    assert result.code == 0, result.out + result.err
    data = json.loads(result.out)["sources"]
    assert "throwaway" in data["default"]["database"]
    assert "throwaway" not in data["reports"]["database"]
    secret_url = pg_url.replace("://", "://someone:hunter2@", 1)
    plain = run_cli(*args, "--db", secret_url)
    assert plain.code == 1
    assert "--db: the project has several sources (default, reports); say which" in plain.err
    assert "hunter2" not in plain.err + plain.out
    unknown = run_cli(*args, "--schema-sql", "report=db/reports.sql")
    assert unknown.code == 1 and "--schema-sql 'report=db/reports.sql'" in unknown.err
