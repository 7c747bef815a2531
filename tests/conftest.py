"""Shared fixtures. A real PostgreSQL cluster is started once per run and shared."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest

from hasura_perm.postgres import TempCluster


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
