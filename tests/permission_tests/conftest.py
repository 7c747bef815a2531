"""A small "shop" schema for the permission-test engine: every column type the operators
care about, nullable and NOT NULL columns, object and array relationships, a computed field."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from hasura_perm.schema.introspect import introspect
from hasura_perm.schema.postgres import TempCluster
from tests.helpers import make_project
from tests.helpers import write

SHOP_SQL = """\
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE TABLE org (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE item (
  id serial PRIMARY KEY,
  org_id integer REFERENCES org (id),
  owner_id integer,
  name text NOT NULL,
  label text,
  score numeric,
  qty integer NOT NULL DEFAULT 0,
  tags text[] NOT NULL DEFAULT '{}',
  attrs jsonb NOT NULL DEFAULT '{}',
  path ltree,
  uid uuid,
  created date
);
CREATE TABLE item_note (
  id integer PRIMARY KEY,
  item_id integer NOT NULL REFERENCES item (id),
  body text NOT NULL,
  author_id integer
);
CREATE FUNCTION item_total(it item) RETURNS integer LANGUAGE sql STABLE AS $$ SELECT it.qty * 2 $$;
CREATE FUNCTION item_notes(it item) RETURNS SETOF item_note LANGUAGE sql STABLE
  AS $$ SELECT * FROM item_note WHERE item_id = it.id $$;
"""

SHOP_ROWS = """\
INSERT INTO org VALUES (1, 'Acme'), (2, 'Beta Corp');
INSERT INTO item (id, org_id, owner_id, name, label, score, qty, tags, attrs, path, uid, created) VALUES
  (1, 1, 10, 'Alpha', 'red', 1.5, 5, '{a,b}', '{"k": 1, "color": "red"}', 'top.a',
   '00000000-0000-0000-0000-000000000001', '2024-01-01'),
  (2, 1, NULL, 'beta', NULL, NULL, 0, '{b}', '{"k": 2}', 'top.a.b',
   '00000000-0000-0000-0000-000000000002', '2024-02-01'),
  (3, 2, 20, 'Gamma', 'blue', 10, 7, '{}', '{}', 'top.c', NULL, NULL),
  (4, NULL, 10, 'delta', '', NULL, 1, '{c}', '{"color": "blue"}', NULL, NULL, NULL);
INSERT INTO item_note VALUES (1, 1, 'hello', 10), (2, 3, 'bye', 20), (3, 1, 'again', NULL);
"""

ROLES = """\
session:
  x-hasura-user-id: {from: sub}
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
  x-hasura-org-ids: {from: "custom:org_ids", type: "integer[]"}
  x-hasura-plan: {value: gold}
roles:
  member: {description: A shop member}
  manager: {inherits: member}
  service: {}
"""


def _relationship(name: str, fk: Any) -> dict[str, Any]:
    return {"name": name, "using": {"foreign_key_constraint_on": fk}}


SHOP_METADATA: dict[str, Any] = {
    "public.org": {
        "table": {"name": "org", "schema": "public"},
        "array_relationships": [
            _relationship(
                "items", {"column": "org_id", "table": {"name": "item", "schema": "public"}}
            )
        ],
    },
    "public.item": {
        "table": {"name": "item", "schema": "public"},
        "object_relationships": [_relationship("org", "org_id")],
        "array_relationships": [
            _relationship(
                "notes", {"column": "item_id", "table": {"name": "item_note", "schema": "public"}}
            )
        ],
        "computed_fields": [
            {
                "name": "total",
                "definition": {"function": {"name": "item_total", "schema": "public"}},
            },
            {
                "name": "note_rows",
                "definition": {"function": {"name": "item_notes", "schema": "public"}},
            },
        ],
    },
    "public.item_note": {
        "table": {"name": "item_note", "schema": "public"},
        "object_relationships": [
            {
                "name": "item",
                "using": {
                    "manual_configuration": {
                        "remote_table": {"name": "item", "schema": "public"},
                        "column_mapping": {"item_id": "id"},
                    }
                },
            }
        ],
    },
}


@pytest.fixture(scope="session")
def shop_snapshot(pg_cluster: TempCluster) -> dict[str, Any]:
    """The shop schema as `hasura-perm schema pull` would write it."""
    url = pg_cluster.create_database("shop_snapshot")
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SHOP_SQL)
        return introspect(url)
    finally:
        pg_cluster.drop_database("shop_snapshot")


@pytest.fixture(scope="module")
def shop_url(pg_cluster: TempCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database holding the shop schema and rows, shared by a module's read-only tests."""
    name = f"shop_{request.module.__name__.rsplit('.', 1)[-1]}"
    url = pg_cluster.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SHOP_SQL)
        conn.execute(SHOP_ROWS)
    yield url
    pg_cluster.drop_database(name)


def make_shop(
    root: Path,
    snapshot: dict[str, Any],
    tables: dict[str, str],
    tests: dict[str, str],
    *,
    roles: str = ROLES,
    config: str = "version: 1\ntests: {schema_sql: db/schema.sql}\n",
) -> Path:
    """A hasura-perm project for the shop: rules per table file, test files, schema SQL."""
    files: dict[str, Any] = {"roles.yaml": roles}
    files.update({f"tables/{name}.yaml": text for name, text in tables.items()})
    files.update({f"tests/{name}": text for name, text in tests.items()})
    make_project(root, files, schema=snapshot, config=config, metadata=SHOP_METADATA)
    write(root, "db/schema.sql", SHOP_SQL)
    write(root, "permissions/tests/shop.sql", SHOP_ROWS)
    return root


def dedent(text: str) -> str:
    return textwrap.dedent(text)
