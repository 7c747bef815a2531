from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml

from hasura_perm.errors import HasuraPermError
from hasura_perm.introspect import INTROSPECTION_SQL
from hasura_perm.introspect import introspect
from hasura_perm.introspect import snapshot_from_rows
from hasura_perm.postgres import TempCluster
from hasura_perm.postgres import find_bindir

SCHEMA_SQL = """
CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name varchar(100),
  tags text[],
  scores integer[] NOT NULL DEFAULT '{}',
  profile jsonb,
  settings json,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE users ADD COLUMN legacy integer;
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE users ADD COLUMN nickname text;
CREATE UNIQUE INDEX users_lower_email ON users (lower(email));

CREATE TABLE projects (
  id integer PRIMARY KEY,
  title text NOT NULL,
  description text,
  created_by_user_id integer NOT NULL REFERENCES users (id),
  budget numeric(10, 2),
  uid uuid NOT NULL,
  archived boolean NOT NULL DEFAULT false,
  CONSTRAINT projects_owner_title_key UNIQUE (created_by_user_id, title),
  CONSTRAINT projects_uid_key UNIQUE (uid)
);

CREATE TABLE project_members (
  project_id integer REFERENCES projects (id),
  user_id integer REFERENCES users (id),
  role text NOT NULL,
  PRIMARY KEY (user_id, project_id)
);

CREATE VIEW active_projects AS SELECT id, title FROM projects WHERE NOT archived;
CREATE MATERIALIZED VIEW project_counts AS
  SELECT created_by_user_id, count(*) AS n FROM projects GROUP BY 1;
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);

CREATE SCHEMA audit;
CREATE TABLE audit.changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  member_project_id integer NOT NULL,
  member_user_id integer NOT NULL,
  "Odd Name" text,
  CONSTRAINT changes_member_fkey FOREIGN KEY (member_project_id, member_user_id)
    REFERENCES public.project_members (project_id, user_id)
);
"""

EXPECTED: dict[str, Any] = {
    "version": 1,
    "tables": {
        "audit.changes": {
            "kind": "table",
            "columns": {
                "id": "bigint",
                "member_project_id": "integer",
                "member_user_id": "integer",
                "Odd Name": "text",
            },
            "nullable": ["Odd Name"],
            "primary_key": ["id"],
            "foreign_keys": [
                {
                    "name": "changes_member_fkey",
                    "columns": ["member_project_id", "member_user_id"],
                    "references": "public.project_members",
                    "ref_columns": ["project_id", "user_id"],
                }
            ],
        },
        "public.active_projects": {
            "kind": "view",
            "columns": {"id": "integer", "title": "text"},
            "nullable": ["id", "title"],
        },
        "public.events": {
            "kind": "partitioned_table",
            "columns": {"id": "bigint", "at": "date"},
            "nullable": ["id"],
        },
        "public.project_counts": {
            "kind": "materialized_view",
            "columns": {"created_by_user_id": "integer", "n": "bigint"},
            "nullable": ["created_by_user_id", "n"],
        },
        "public.project_members": {
            "kind": "table",
            "columns": {"project_id": "integer", "user_id": "integer", "role": "text"},
            "primary_key": ["user_id", "project_id"],
            "foreign_keys": [
                {
                    "name": "project_members_project_id_fkey",
                    "columns": ["project_id"],
                    "references": "public.projects",
                    "ref_columns": ["id"],
                },
                {
                    "name": "project_members_user_id_fkey",
                    "columns": ["user_id"],
                    "references": "public.users",
                    "ref_columns": ["id"],
                },
            ],
        },
        "public.projects": {
            "kind": "table",
            "columns": {
                "id": "integer",
                "title": "text",
                "description": "text",
                "created_by_user_id": "integer",
                "budget": "numeric",
                "uid": "uuid",
                "archived": "boolean",
            },
            "nullable": ["budget", "description"],
            "primary_key": ["id"],
            "foreign_keys": [
                {
                    "name": "projects_created_by_user_id_fkey",
                    "columns": ["created_by_user_id"],
                    "references": "public.users",
                    "ref_columns": ["id"],
                }
            ],
            "unique": [["created_by_user_id", "title"], ["uid"]],
        },
        "public.users": {
            "kind": "table",
            "columns": {
                "id": "integer",
                "email": "text",
                "name": "character varying",
                "tags": "text[]",
                "scores": "integer[]",
                "profile": "jsonb",
                "settings": "json",
                "created_at": "timestamp with time zone",
                "nickname": "text",
            },
            "nullable": ["name", "nickname", "profile", "settings", "tags"],
            "primary_key": ["id"],
            "unique": [["email"]],
        },
    },
}


@pytest.fixture
def app_url(pg_url: str) -> str:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
    return pg_url


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_snapshot_of_a_live_database(app_url: str) -> None:
    snapshot = introspect(app_url)
    assert snapshot == EXPECTED
    # Same text, not just equal dicts: key order is part of the contract (deterministic YAML).
    assert _yaml(snapshot) == _yaml(EXPECTED)


def test_empty_database_has_no_tables(pg_url: str) -> None:
    assert introspect(pg_url) == {"version": 1, "tables": {}}


def test_schemas_limit_the_snapshot(app_url: str) -> None:
    assert list(introspect(app_url, schemas=["audit"])["tables"]) == ["audit.changes"]
    assert introspect(app_url, schemas=["nowhere"])["tables"] == {}


def test_system_temporary_extension_and_hasura_objects_are_left_out(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (id int)")
        conn.execute("CREATE TEMPORARY TABLE scratch (id int)")
        conn.execute("CREATE SCHEMA hdb_catalog")
        conn.execute("CREATE TABLE hdb_catalog.hdb_version (version text)")
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_buffercache'"
        ).fetchone()
        if available:
            conn.execute("CREATE EXTENSION pg_buffercache")  # owns the view public.pg_buffercache

        assert list(introspect(pg_url)["tables"]) == ["public.kept"]
        assert list(introspect(pg_url, schemas=["hdb_catalog"])["tables"]) == [
            "hdb_catalog.hdb_version"
        ]
    if not available:
        pytest.skip("postgresql-contrib not installed: extension-owned objects not exercised")


def _rows_through_psql(url: str) -> list[list[str]]:
    """The query sent as plain text by another client, rows back as strings with a header,
    the shape Hasura's run_sql answers with."""
    bindir = find_bindir()
    assert bindir is not None
    psql = os.path.join(bindir, "psql")
    if not os.access(psql, os.X_OK):
        pytest.skip("psql not installed")
    result = subprocess.run(
        [psql, "-X", "--csv", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", INTROSPECTION_SQL],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    rows = list(csv.reader(io.StringIO(result.stdout)))
    return json.loads(json.dumps(rows))  # through JSON, as run_sql's answer travels


def test_rows_path_and_direct_path_agree(app_url: str) -> None:
    rows = _rows_through_psql(app_url)
    assert all(isinstance(cell, str) for row in rows for cell in row)
    assert snapshot_from_rows(rows) == introspect(app_url) == EXPECTED
    assert snapshot_from_rows(rows, schemas=["audit"]) == introspect(app_url, schemas=["audit"])


def _assert_clean_failure(url: str, shown_user: str) -> None:
    with pytest.raises(HasuraPermError) as caught:
        introspect(url)
    message = str(caught.value)
    assert "Wr0ng-s3cret" not in message
    assert f"cannot read the schema of postgresql://{shown_user}:***@127.0.0.1:" in message


def test_wrong_password_is_a_clean_error_without_the_password(pg_cluster: TempCluster) -> None:
    good = urlsplit(pg_cluster.url)
    bad = pg_cluster.url.replace(f":{good.password}@", ":Wr0ng-s3cret@")
    _assert_clean_failure(bad, "postgres")


@pytest.mark.parametrize("port", ["1", "xyz"], ids=["refused", "not-a-port"])
def test_unreachable_url_is_a_clean_error_without_the_password(port: str) -> None:
    _assert_clean_failure(f"postgresql://alice:Wr0ng-s3cret@127.0.0.1:{port}/app", "alice")


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([], id="empty"),
        pytest.param([["?column?"], ["1"]], id="other-query"),
        pytest.param(
            [
                ["table_schema", "table_name", "relkind", "columns", "constraints"],
                ["public", "t", "r", "not json", "[]"],
            ],
            id="bad-json",
        ),
        pytest.param(
            [["table_schema", "table_name", "relkind", "columns", "constraints"], ["public"]],
            id="short-row",
        ),
    ],
)
def test_malformed_rows_are_a_clean_error(rows: list[list[str]]) -> None:
    with pytest.raises(HasuraPermError, match="unexpected introspection result"):
        snapshot_from_rows(rows)
