"""Shared fixtures. A real PostgreSQL cluster is started once per run and shared."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest

from hasura_perm.core.parse_cache import ENV as PARSE_CACHE_ENV
from hasura_perm.schema.postgres import TempCluster


@pytest.fixture(scope="session", autouse=True)
def _parse_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # The suite never writes to the user's cache. One throwaway cache for the whole run, so
    # the tests also take the cached path (reading the same text again is a hit).
    patch = pytest.MonkeyPatch()
    patch.setenv(PARSE_CACHE_ENV, str(tmp_path_factory.mktemp("parse-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[TempCluster]:
    with TempCluster() as cluster:
        yield cluster


@pytest.fixture
def pg_url(pg_cluster: TempCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh, empty database named after the test; dropped afterwards (it lives in RAM)."""
    name = _database_name(request.node.nodeid, request.node.name)
    yield pg_cluster.create_database(name)
    pg_cluster.drop_database(name)


def _database_name(nodeid: str, test_name: str) -> str:
    # Readable prefix for debugging, hash of the node id so parametrized tests never collide.
    slug = re.sub(r"[^a-z0-9]+", "_", test_name.lower()).strip("_")[:40]
    return f"{slug}_{hashlib.sha1(nodeid.encode()).hexdigest()[:10]}"
