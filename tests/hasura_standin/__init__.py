"""A local stand-in for Hasura v2's metadata API, for tests of clients that talk to Hasura.

    with StandinServer(database_url) as server:
        requests.post(server.url + "/v1/metadata", json=..., headers=server.headers)

See server.py for the seeding helpers and faults.py for fault injection.
"""

from __future__ import annotations

from .faults import Faults
from .server import RequestRecord
from .server import StandinServer

__all__ = ["Faults", "RequestRecord", "StandinServer"]
