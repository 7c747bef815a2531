"""`hasura-perm schema pull --database-url` against a real PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_snapshot_is_what_schema_pull_writes(pg_url, tmp_path):
    """The committed permissions/schema.yaml is exactly the snapshot of db/schema.sql."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute((ROOT / "db" / "schema.sql").read_text())
    out = tmp_path / "schema.yaml"
    result = run_cli("schema", "pull", "--database-url", pg_url, "--into", str(out))
    assert result.code == 0, result.err
    assert "Wrote 10 tables" in result.out
    assert out.read_text() == (ROOT / "permissions" / "schema.yaml").read_text()


def test_schema_pull_never_prints_the_password(pg_url, tmp_path):
    bad = pg_url.replace("@", "x@", 1)  # same user, wrong password
    result = run_cli("schema", "pull", "--database-url", bad, "--into", str(tmp_path / "s.yaml"))
    password = bad.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert result.code == 1
    assert "cannot read the schema" in result.err
    assert password not in result.err + result.out
    assert not (tmp_path / "s.yaml").exists()


def test_schema_pull_needs_a_database(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = run_cli("schema", "pull", "--into", str(tmp_path / "s.yaml"))
    assert result.code == 1
    assert "--database-url" in result.err
