"""Rule coverage and mutation testing on a small shop project: what a weak suite misses, and
that a stronger one closes the gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hasura_perm.permission_tests import engine
from hasura_perm.spec.project import load_project
from tests.permission_tests.conftest import dedent
from tests.permission_tests.conftest import make_shop

ROLES = """\
session:
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
roles:
  member: {}
  manager: {}
defaults:
  - tables: public.org
    select:
      manager: {columns: all, filter: {}}
"""

RULES = {
    "public.item": """\
        table: public.item
        select:
          member:
            columns: [id, name, org_id]
            filter: {_and: [{qty: {_gt: 1}}, {_or: [{owner_id: x-hasura-user-db-id}, {org_id: 2}]}]}
        update:
          member:
            columns: [name]
            filter: {owner_id: x-hasura-user-db-id}
            check: {owner_id: x-hasura-user-db-id}
        """,
    "public.item_note": """\
        table: public.item_note
        insert:
          member:
            columns: [id, item_id, body]
            check: {author_id: x-hasura-user-db-id}
            set: {author_id: x-hasura-user-db-id}
        """,
    "public.org": """\
        table: public.org
        select:
          member: {columns: [id, name], filter: {}}
          manager: deny
        """,
}

WEAK = """\
fixtures: {sql: shop.sql}
table: public.item
cases:
  - name: a member sees their items
    role: member
    session: {x-hasura-user-db-id: "10"}
    select: {rows: [1, 3]}
"""

STRONG = """\
fixtures: {sql: shop.sql}
table: public.item
principals:
  ann: {role: member, session: {x-hasura-user-db-id: "10"}}
  cat: {role: member, session: {x-hasura-user-db-id: "30"}}
cases:
  - name: a member sees their items with more than one in stock, and org 2's
    as: ann
    select: {rows: [1, 3], columns: [id, name, org_id], aggregate: false}
  - name: without own items, only org 2's
    as: cat
    select: {rows: [3]}
  - name: a member renames only their own items
    as: ann
    update: {set: {name: X}, rows: [1, 4], rejected_by_check: [], columns: [name]}
  - name: a member writes notes as themselves
    as: ann
    table: public.item_note
    insert: {row: {id: 7, item_id: 1, body: hi}, allowed: true, stored: {author_id: 10}, columns: [id, item_id, body]}
  - name: a member cannot write notes as someone else
    as: ann
    table: public.item_note
    insert: {row: {id: 7, item_id: 1, body: hi, author_id: 20}, allowed: false, reason: columns}
  - name: everyone reads orgs
    as: ann
    table: public.org
    select: {rows: [1, 2], aggregate: false}
  - name: managers read no orgs
    role: manager
    table: public.org
    select: {rows: []}
"""


@pytest.fixture
def shop(tmp_path: Path, shop_snapshot: dict[str, Any]) -> Any:
    def build(cases: str) -> Path:
        tables = {k: dedent(v) for k, v in RULES.items()}
        tests = {"cases.yaml": dedent(cases)}
        return make_shop(tmp_path / "shop", shop_snapshot, tables, tests, roles=ROLES)

    return build


def run(root: Path, db: str, **options: Any) -> engine.Report:
    project = load_project(root)
    return engine.run(
        engine.load(project), db_url=db, schema_sql=engine.schema_sql_path(project), **options
    )


def test_coverage_names_what_a_weak_suite_misses(shop: Any, pg_url: str) -> None:
    report = run(shop(WEAK), pg_url, coverage=True, min_coverage=100)
    assert report.results[0].passed and not report.ok and not report.coverage_ok
    rules = {f"{r.key[0]} {r.key[1]} {r.key[2]}": r for r in report.coverage.rules}
    select = rules["public.item select member"]
    assert (select.allowed, select.denied, select.cases) == (True, True, 1)
    assert set(select.branches) == {"filter:_and[1]._or[0]", "filter:_and[1]._or[1]"}
    assert select.reached == {"filter:_and[1]._or[0]", "filter:_and[1]._or[1]"}
    assert rules["public.item update member"].missing() == [
        "no case is allowed through it",
        "no case is denied by it",
    ]
    assert rules["public.org select member"].denied is None  # filter {}: it cannot deny
    assert rules["public.org select member"].missing() == ["no case is allowed through it"]
    assert (report.coverage.covered, report.coverage.total) == (4, 9)


def test_a_branch_never_reached_is_reported(shop: Any, pg_url: str) -> None:
    cases = WEAK.replace('x-hasura-user-db-id: "10"', 'x-hasura-user-db-id: "99"').replace(
        "[1, 3]", "[3]"
    )
    report = run(shop(cases), pg_url, coverage=True)
    select = next(
        r for r in report.coverage.rules if r.key[1] == "select" and r.key[0].name == "item"
    )
    assert select.reached == {"filter:_and[1]._or[1]"}
    assert any("`filter:_and[1]._or[0]` is never what admits a row" in m for m in select.missing())


def test_coverage_never_rounds_up() -> None:
    from hasura_perm.permission_tests.coverage import CoverageReport
    from hasura_perm.permission_tests.coverage import RuleCoverage

    rule = RuleCoverage(key=("t", "select", "r"), permission=None, allowed=True, denied=False)  # type: ignore[arg-type]
    rule.branches = {f"filter:_or[{i}]": {} for i in range(1998)}
    rule.reached = set(rule.branches)
    report = CoverageReport([rule])
    assert (report.covered, report.total) == (1999, 2000)
    assert not report.at_least(100)
    assert report.at_least(99.95)


def test_mutants_a_weak_suite_lets_survive(shop: Any, pg_url: str) -> None:
    report = run(shop(WEAK), pg_url, mutate=True)
    survivors = {m.description for m in report.mutation.survivors}
    killed = {m.description for m in report.mutation.mutants if not m.survived}
    assert "public.item select member: filter replaced by {}" in killed
    assert 'public.item select member: filter: dropped _and[0] {"qty": {"_gt": 1}}' in killed
    assert "public.item select member: column `owner_id` added" in survivors
    assert "public.item_note insert member: preset `author_id` dropped" in survivors
    assert "public.item select member: aggregations allowed" in survivors
    deny = next(m for m in report.mutation.mutants if m.kind == "deny removed")
    assert deny.survived and deny.rules == "public.org select manager"
    assert str(deny.location) == "permissions/tables/public.org.yaml:4:3"
    assert not report.ok


def test_a_strong_suite_kills_every_mutant(shop: Any, pg_url: str) -> None:
    report = run(shop(STRONG), pg_url, coverage=True, mutate=True)
    assert report.failures == []
    assert [m.description for m in report.mutation.survivors] == []
    assert report.ok
    # The check repeats the preset and the filter on a column the update cannot change:
    # dropping it can change nothing, so it is skipped rather than reported.
    assert sorted(e.split("  ", 1)[1] for e in report.mutation.equivalent) == [
        "public.item update member: check replaced by {}",
        "public.item_note insert member: check replaced by {}",
    ]


def test_mutation_skips_failing_cases(shop: Any, pg_url: str) -> None:
    broken = WEAK.replace("[1, 3]", "[1]")
    report = run(shop(broken), pg_url, mutate=True)
    assert len(report.failures) == 1
    assert all(m.cases_run == 0 for m in report.mutation.mutants)
