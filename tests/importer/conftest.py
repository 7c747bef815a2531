"""The Hasura stand-in fixtures, for importing from a live server (`--env`)."""

from __future__ import annotations

from tests.hasura_standin.conftest import schema_standin  # noqa: F401
from tests.hasura_standin.conftest import standin  # noqa: F401
