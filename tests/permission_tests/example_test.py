"""The worked example (the repository root) has a permission test suite that passes, reaches
every rule, every allow/deny outcome and every `_or` arm, and kills every mutant."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.permission_tests import engine
from hasura_perm.schema.postgres import TempCluster
from hasura_perm.spec.project import load_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(pg_cluster: TempCluster) -> engine.Report:
    project = load_project(ROOT)
    url = pg_cluster.create_database("worked_example")
    try:
        return engine.run(
            engine.load(project),
            db_url=url,
            schema_sql=engine.schema_sql_path(project),
            coverage=True,
            mutate=True,
        )
    finally:
        pg_cluster.drop_database("worked_example")


def test_the_suite_passes(report: engine.Report) -> None:
    assert [(r.case.title, r.problems) for r in report.failures] == []
    assert len(report.results) >= 100


def test_full_rule_coverage(report: engine.Report) -> None:
    assert report.coverage is not None
    missing = {
        f"{r.key[0]} {r.key[1]} {r.key[2]}": r.missing()
        for r in report.coverage.rules
        if r.missing()
    }
    assert missing == {}
    assert report.coverage.at_least(100)


def test_no_surviving_mutants(report: engine.Report) -> None:
    assert report.mutation is not None
    assert [m.description for m in report.mutation.survivors] == []
    assert len(report.mutation.mutants) > 200
    kinds = {m.kind for m in report.mutation.mutants}
    assert kinds >= {
        "condition removed",
        "conjunct dropped",
        "column added",
        "preset dropped",
        "deny removed",
        "limit removed",
        "aggregations allowed",
        "backend_only removed",
    }


def test_the_schema_sql_defaults_to_db_schema_sql() -> None:
    assert engine.schema_sql_path(load_project(ROOT)) == ROOT / "db" / "schema.sql"
