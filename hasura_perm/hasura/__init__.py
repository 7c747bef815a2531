"""Talking to a Hasura v2 server: the metadata API client (the only module that imports requests)."""

from __future__ import annotations

from hasura_perm.hasura.client import Client
from hasura_perm.hasura.client import Export
from hasura_perm.hasura.client import HasuraApiError
from hasura_perm.hasura.client import WriteOutcomeUnknown

__all__ = ["Client", "Export", "HasuraApiError", "WriteOutcomeUnknown"]
