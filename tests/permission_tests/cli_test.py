"""`hasura-perm test` from the command line: exit codes, formats, files, filters, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.helpers import run_cli
from tests.helpers import write
from tests.permission_tests.conftest import dedent
from tests.permission_tests.conftest import make_shop

RULES = {
    "public.item": """\
        table: public.item
        select:
          member: {columns: [id, name], filter: {owner_id: x-hasura-user-db-id}}
        """
}

PASSING = """\
fixtures: {sql: shop.sql}
table: public.item
cases:
  - name: ann sees her items
    role: member
    claims: {sub: ann, "custom:user_db_id": "10"}
    select: {rows: [1, 4], columns: [id, name]}
  - name: bob sees his item
    role: member
    session: {x-hasura-user-db-id: 20}
    select: {rows: [3]}
"""

FAILING = PASSING.replace("rows: [3]", "rows: [3, 4]")

ROLES = """\
session:
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
roles:
  member: {}
"""


@pytest.fixture
def shop(tmp_path: Path, shop_snapshot: dict[str, Any]) -> Any:
    def build(cases: str = PASSING) -> Path:
        tables = {k: dedent(v) for k, v in RULES.items()}
        tests = {"cases.yaml": cases}
        return make_shop(tmp_path / "shop", shop_snapshot, tables, tests, roles=ROLES)

    return build


def test_passing_suite_exits_0(shop: Any, pg_url: str) -> None:
    result = run_cli("--project", str(shop()), "test", "--db", pg_url)
    assert result.code == 0, result.out + result.err
    assert "2 cases in 1 file on " in result.out
    assert "2 passed, 0 failed" in result.out
    assert pg_url.split("@")[0].split(":")[-1] not in result.out  # the password is never shown


def test_a_failing_case_exits_3_and_says_why(shop: Any, pg_url: str) -> None:
    result = run_cli("--project", str(shop(FAILING)), "test", "--db", pg_url)
    assert result.code == 3
    assert "FAIL permissions/tests/cases.yaml:8:" in result.out
    assert "visible rows: expected 3, 4; got 3 (missing: 4)" in result.out
    assert '4: {"id": 4' in result.out


def test_json_report(shop: Any, pg_url: str) -> None:
    result = run_cli(
        "--project", str(shop(FAILING)), "test", "--db", pg_url, "--format", "json", "--coverage"
    )
    assert result.code == 3
    data = json.loads(result.out)
    assert (data["passed"], data["failed"], data["ok"]) == (1, 1, False)
    failed = next(c for c in data["cases"] if not c["passed"])
    assert failed["name"] == "bob sees his item" and failed["line"] == 8
    assert failed["rule"] == "permissions/tables/public.item.yaml:3:3"
    assert failed["sql"] and failed["rows"][0]["key"] == "4"
    assert data["coverage"]["rules"][0]["allowed"] is True


def test_junit_report_to_a_file_with_text_on_stdout(shop: Any, pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "perms.xml"
    args = ["--project", str(shop(FAILING)), "test", "--db", pg_url, "--format", "junit"]
    result = run_cli(*args, "--out", str(out), "--mutate")
    assert result.code == 3
    assert "1 passed, 1 failed" in result.out
    root = ET.parse(out).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    cases = suites["permissions/tests/cases.yaml"]
    assert (cases.get("tests"), cases.get("failures")) == ("2", "1")
    failure = cases.find("testcase[@name='bob sees his item']/failure")
    assert failure is not None and "missing: 4" in failure.get("message", "")
    assert "mutation testing" in suites


def test_min_coverage_exits_3_below_and_0_above(shop: Any, pg_url: str) -> None:
    root = str(shop())
    below = run_cli("--project", root, "test", "--db", pg_url, "--min-coverage", "100")
    assert below.code == 0, below.out  # one rule, allowed and denied: 100%
    write(
        Path(root),
        "permissions/tables/public.org.yaml",
        "table: public.org\nselect:\n  member: {columns: [id], filter: {id: 1}}\n",
    )
    below = run_cli("--project", root, "test", "--db", pg_url, "--min-coverage", "100")
    assert below.code == 3
    assert "Rule coverage: 50% (2/4 items of 2 rules) (below the minimum of 100%)" in below.out
    assert "public.org select member" in below.out
    above = run_cli("--project", root, "test", "--db", pg_url, "--min-coverage", "50")
    assert above.code == 0


def test_mutate_lists_survivors_with_file_and_line(shop: Any, pg_url: str) -> None:
    result = run_cli("--project", str(shop()), "test", "--db", pg_url, "--mutate")
    assert result.code == 3
    assert (
        "SURVIVED permissions/tables/public.item.yaml:3:3  public.item select member: aggregations allowed"
        in result.out
    )
    assert "column `owner_id` added" not in result.out  # the columns expectation kills it


def test_case_filter_and_file_selection(shop: Any, pg_url: str) -> None:
    root = shop(FAILING)
    only = run_cli("--project", str(root), "test", "--db", pg_url, "--case", "ann*")
    assert only.code == 0 and "1 case in 1 file" in only.out
    nothing = run_cli("--project", str(root), "test", "--db", pg_url, "--case", "nobody")
    assert nothing.code == 1 and "no case matches 'nobody'" in nothing.err
    file_arg = run_cli(
        "--project", str(root), "test", "--db", pg_url, "permissions/tests/cases.yaml"
    )
    assert file_arg.code == 3


def test_throwaway_database_by_default(shop: Any) -> None:
    result = run_cli("--project", str(shop()), "test")
    assert result.code == 0, result.out + result.err
    assert "on throwaway PostgreSQL" in result.out and "started in" in result.out


def test_user_errors_exit_1_without_traceback(shop: Any, pg_url: str) -> None:
    root = shop(
        "cases:\n  - name: x\n    role: member\n    table: public.nope\n    select: {rows: []}\n"
    )
    bad = run_cli("--project", str(root), "test", "--db", pg_url)
    assert bad.code == 1
    assert (
        "permissions/tests/cases.yaml:4:5: table public.nope is not in the schema snapshot"
        in bad.err
    )
    assert "Traceback" not in bad.err

    shutil.rmtree(root / "permissions" / "tests")
    none = run_cli("--project", str(root), "test", "--db", pg_url)
    assert none.code == 1 and "no permission tests in permissions/tests/" in none.err


def test_missing_schema_sql_is_explained(shop: Any) -> None:
    root = shop()
    write(root, "hasura-perm.yaml", "version: 1\n")
    (root / "db" / "schema.sql").unlink()
    result = run_cli("--project", str(root), "test")
    assert result.code == 1
    assert "does not say where its schema SQL is" in result.err


def test_a_database_without_the_schema_gets_it_inside_the_transaction(
    shop: Any, pg_url: str
) -> None:
    root = shop()
    write(
        root, "hasura-perm.yaml", "version: 1\n"
    )  # no tests.schema_sql: db/schema.sql is the default
    result = run_cli("--project", str(root), "test", "--db", pg_url)
    assert result.code == 0, result.out + result.err


def test_stderr_carries_nothing_without_a_terminal(shop: Any, pg_url: str) -> None:
    # Progress is for a terminal; a log (CI, a pipe, this capture) gets only the report.
    result = run_cli("--project", str(shop()), "test", "--db", pg_url, "--mutate")
    assert result.err == ""
    quiet = run_cli("--project", str(shop()), "test", "--db", pg_url, "--mutate", "--quiet")
    assert quiet.err == ""


def test_progress_is_silent_without_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hasura_perm.commands import test as test_command

    clock = iter([0.0, 5.0, 10.0, 15.0])
    monkeypatch.setattr(test_command.time, "monotonic", lambda: next(clock))
    progress = test_command._Progress()  # capsys: stderr is not a terminal
    progress("mutants: 3/10")
    progress("mutants: 9/10")
    progress.done()
    assert capsys.readouterr().err == ""
