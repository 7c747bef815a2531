"""Hasura's own permission tests, rewritten as hasura-perm cases (conformance/*/): every case
passes, names the Hasura fixture it comes from, and the projects' rules compile to exactly
the metadata their folders hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.permission_tests import engine
from hasura_perm.schema.postgres import TempCluster
from hasura_perm.spec.project import load_project
from tests.helpers import run_cli

CONFORMANCE = Path(__file__).parent / "conformance"
PROJECTS = sorted(p.name for p in CONFORMANCE.iterdir() if (p / "hasura-perm.yaml").is_file())
MINIMUM_CASES = 25


@pytest.fixture(scope="module")
def reports(pg_cluster: TempCluster) -> dict[str, engine.Report]:
    out = {}
    for name in PROJECTS:
        project = load_project(CONFORMANCE / name)
        url = pg_cluster.create_database(f"conformance_{name}")
        try:
            out[name] = engine.run(
                engine.load(project), db_url=url, schema_sql=engine.schema_sql_path(project)
            )
        finally:
            pg_cluster.drop_database(f"conformance_{name}")
    return out


@pytest.mark.parametrize("name", PROJECTS)
def test_every_case_passes(reports: dict[str, engine.Report], name: str) -> None:
    failures = [(r.case.title, r.problems) for r in reports[name].results if not r.passed]
    assert failures == []


def test_at_least_25_hasura_cases_each_naming_its_fixture(
    reports: dict[str, engine.Report],
) -> None:
    cases = [r.case for report in reports.values() for r in report.results]
    assert len(cases) >= MINIMUM_CASES
    unnamed = [c.title for c in cases if not c.source]
    assert unnamed == []
    hasura_paths = ("graphql_query/", "graphql_mutation/", "Spec.hs")
    assert all(any(p in c.source for p in hasura_paths) for c in cases)


def test_every_kind_of_action_is_covered(reports: dict[str, engine.Report]) -> None:
    actions = {r.case.action for report in reports.values() for r in report.results}
    assert actions == {"select", "insert", "update", "delete"}


@pytest.mark.parametrize("name", PROJECTS)
def test_rules_compile_to_the_committed_metadata(name: str) -> None:
    result = run_cli("--project", str(CONFORMANCE / name), "compile", "--check")
    assert result.code == 0, result.out + result.err
