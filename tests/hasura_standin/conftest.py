"""Fixtures for driving the Hasura stand-in over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.hasura_standin import StandinServer

# The schema of Hasura's own tests-py/queries/v1/permissions/setup.yaml, plus a table with the
# column types the operator checks care about.
FIXTURE_SCHEMA = """
CREATE TABLE author (id serial PRIMARY KEY, name text UNIQUE, remarks text);
CREATE TABLE article (
    id serial PRIMARY KEY,
    title text,
    content text,
    author_id integer REFERENCES author(id),
    is_published boolean,
    published_on timestamp
);
CREATE TABLE doc (id serial PRIMARY KEY, owner_id integer, body jsonb, raw json, tags text[]);
"""

ARTICLE_AUTHOR = {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
AUTHOR_ARTICLES = {
    "name": "articles",
    "using": {"foreign_key_constraint_on": {"column": "author_id", "table": "article"}},
}

Post = Callable[..., requests.Response]


@pytest.fixture
def standin(pg_url: str) -> Iterator[StandinServer]:
    """A running stand-in on 127.0.0.1 (free port) over a fresh, empty database."""
    server = StandinServer(pg_url).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def schema_standin(standin: StandinServer) -> StandinServer:
    """The stand-in with author, article and doc created and tracked, and the article<->author
    relationships in place; resource_version is 1 afterwards."""
    standin.run_sql(FIXTURE_SCHEMA)
    standin.seed(
        {
            "version": 3,
            "sources": [
                {
                    "name": "default",
                    "kind": "postgres",
                    "tables": [
                        {
                            "table": {"schema": "public", "name": "author"},
                            "array_relationships": [AUTHOR_ARTICLES],
                        },
                        {
                            "table": {"schema": "public", "name": "article"},
                            "object_relationships": [ARTICLE_AUTHOR],
                        },
                        {"table": {"schema": "public", "name": "doc"}},
                    ],
                    "configuration": {"connection_info": {"database_url": {"from_env": "PG_URL"}}},
                }
            ],
        }
    )
    standin.set_resource_version(1)
    return standin


def _poster(server: StandinServer, route: str) -> Post:
    def post(
        body: Any, *, headers: dict[str, str] | None = None, timeout: float = 10
    ) -> requests.Response:
        sent = server.headers if headers is None else headers
        return requests.post(server.url + route, json=body, headers=sent, timeout=timeout)

    return post


@pytest.fixture
def metadata_api(schema_standin: StandinServer) -> Post:
    """POST to `/v1/metadata` of `schema_standin` with the admin secret (override with headers=)."""
    return _poster(schema_standin, "/v1/metadata")


@pytest.fixture
def query_api(standin: StandinServer) -> Post:
    """POST to `/v2/query` of `standin` with the admin secret."""
    return _poster(standin, "/v2/query")
