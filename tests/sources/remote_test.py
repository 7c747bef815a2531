"""plan, apply and drift over several sources, over real HTTP against the Hasura stand-in
with two real PostgreSQL databases: one bulk request for every source's changes."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import pytest

from tests.hasura_standin import StandinServer
from tests.helpers import run_cli
from tests.sources.support import CONFIG
from tests.sources.support import two_source_project

SECRET = f"hp-sources-{secrets.token_hex(8)}"
SQL = {
    "default": "CREATE TABLE users (id int PRIMARY KEY, email text);"
    "CREATE TABLE notes (id int PRIMARY KEY, owner_id int, body text);",
    "reports": "CREATE TABLE notes (id int PRIMARY KEY, owner_id int, summary text);"
    "CREATE TABLE summaries (id int PRIMARY KEY, owner_id int, total numeric);",
}
TRACKED = {"default": ["users", "notes"], "reports": ["notes", "summaries"]}
OWN = {"reader": {"columns": ["id", "owner_id"], "filter": "own"}}
FILES = {
    "tables/notes.yaml": {"table": "default:notes", "select": OWN},
    "tables/report_notes.yaml": {"table": "reports:notes", "select": OWN},
}


@pytest.fixture
def server(pg_cluster, request) -> Iterator[StandinServer]:
    suffix = secrets.token_hex(4)
    urls = {name: pg_cluster.create_database(f"src_{name}_{suffix}") for name in SQL}
    standin = StandinServer(urls["default"], sources=urls, admin_secret=SECRET).start()
    try:
        for name, sql in SQL.items():
            standin.run_sql(sql, name)
        sources = [
            {
                "name": name,
                "kind": "postgres",
                "configuration": {"connection_info": {"database_url": {"from_env": "X"}}},
                "tables": [{"table": {"schema": "public", "name": t}} for t in TRACKED[name]],
            }
            for name in SQL
        ]
        assert standin.seed({"version": 3, "sources": sources}) == []
        yield standin
    finally:
        standin.stop()
        for name in SQL:
            pg_cluster.drop_database(f"src_{name}_{suffix}")


def project_for(tmp_path, server, monkeypatch):
    config = CONFIG + (
        f"environments:\n  test:\n    endpoint: {server.url}\n    admin_secret_env: HP_SRC_SECRET\n"
    )
    monkeypatch.setenv("HP_SRC_SECRET", SECRET)
    monkeypatch.delenv("HASURA_GRAPHQL_ENDPOINT", raising=False)
    monkeypatch.delenv("HASURA_GRAPHQL_ADMIN_SECRET", raising=False)
    root = two_source_project(tmp_path, FILES, config=config)
    assert run_cli("--project", str(root), "compile").code == 0
    return root


def permissions_on(server: StandinServer, source: str, table: str) -> list:
    export = server.export()
    src = next(s for s in export["sources"] if s["name"] == source)
    entry = next(t for t in src["tables"] if t["table"]["name"] == table)
    return entry.get("select_permissions") or []


def test_plan_apply_drift_over_both_sources(tmp_path, server, monkeypatch):
    root = project_for(tmp_path, server, monkeypatch)
    args = ("--project", str(root))
    plan = run_cli(*args, "plan", "--env", "test", "--format", "json")
    assert plan.code == 2, plan.err
    changes = json.loads(plan.out)["changes"]
    assert [(c["table"], c["change"]) for c in changes] == [
        ("default:public.notes", "add"),
        ("reports:public.notes", "add"),
    ]
    writes_before = len([r for r in server.requests if r.body.get("type") == "bulk"])
    applied = run_cli(*args, "apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.err
    bulks = [r for r in server.requests if r.body.get("type") == "bulk"]
    assert len(bulks) == writes_before + 1  # one request, every source
    assert [c["args"]["source"] for c in bulks[-1].body["args"]] == ["default", "reports"]
    assert permissions_on(server, "default", "notes")[0]["role"] == "reader"
    assert permissions_on(server, "reports", "notes")[0]["permission"]["columns"] == [
        "id",
        "owner_id",
    ]
    assert permissions_on(server, "reports", "summaries") == []
    assert run_cli(*args, "drift", "--env", "test").code == 0
    # A console edit on the reports source only.
    server.execute(
        {
            "type": "pg_drop_select_permission",
            "args": {
                "source": "reports",
                "table": {"schema": "public", "name": "notes"},
                "role": "reader",
            },
        }
    )
    drift = run_cli(*args, "drift", "--env", "test", "--format", "json")
    assert drift.code == 2
    assert [c["table"] for c in json.loads(drift.out)["changes"]] == ["reports:public.notes"]
    assert SECRET not in plan.out + plan.err + applied.out + applied.err + drift.out + drift.err


def test_schema_pull_through_hasura_writes_every_sources_snapshot(tmp_path, server, monkeypatch):
    root = project_for(tmp_path, server, monkeypatch)
    (root / "permissions" / "schema.reports.yaml").unlink()
    result = run_cli("--project", str(root), "schema", "pull", "--env", "test")
    assert result.code == 0, result.err
    reports = (root / "permissions" / "schema.reports.yaml").read_text()
    assert "public.summaries:" in reports and "public.users:" not in reports
    assert "public.users:" in (root / "permissions" / "schema.yaml").read_text()
    sources = [r.body["args"]["source"] for r in server.requests if r.type == "run_sql"]
    assert sources == ["default", "reports"]
    one = run_cli("--project", str(root), "schema", "pull", "--env", "test", "--source", "reports",
                  "--into", str(tmp_path / "r.yaml"))  # fmt: skip
    assert one.code == 0 and (tmp_path / "r.yaml").read_text() == reports
