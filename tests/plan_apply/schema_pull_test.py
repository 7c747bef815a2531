"""`schema pull --env`: the snapshot through Hasura's run_sql equals the direct one."""

from __future__ import annotations

from pathlib import Path

import yaml

from hasura_perm.schema.introspect import introspect
from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import Cli


def test_schema_pull_through_hasura_matches_a_direct_pull(
    cli: Cli, server: StandinServer, pg_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "through-hasura.yaml"
    result = cli("schema", "pull", "--env", "test", "--into", str(out))
    assert result.code == 0, result.err
    assert result.out == f"Wrote 10 tables and 1 function(s) Hasura can track to {out}.\n"
    assert yaml.safe_load(out.read_text()) == introspect(pg_url)
    assert yaml.safe_load(out.read_text())["functions"] == {
        "public.search_projects": {"returns": "public.projects", "volatility": "stable"}
    }
    (request,) = server.requests
    assert (request.path, request.type, request.status) == ("/v2/query", "run_sql", 200)
    assert request.body["args"]["read_only"] is True


def test_schema_pull_of_the_example_reproduces_its_committed_snapshot(
    cli: Cli, project: Path
) -> None:
    snapshot = project / "permissions" / "schema.yaml"
    committed = snapshot.read_text()
    assert cli("schema", "pull", "--env", "test").code == 0
    assert snapshot.read_text() == committed


def test_schema_pull_takes_env_or_database_url_not_both(cli: Cli, pg_url: str) -> None:
    result = cli("schema", "pull", "--env", "test", "--database-url", pg_url)
    assert (result.code, result.err) == (
        1,
        "error: pass only one of --database-url, --env\n",
    )
