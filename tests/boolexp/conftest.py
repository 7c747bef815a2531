"""The shop schema of the permission-test engine, for the SQL translation's tests."""

from __future__ import annotations

from tests.permission_tests.conftest import shop_snapshot  # noqa: F401 (a fixture)
from tests.permission_tests.conftest import shop_url  # noqa: F401 (a fixture)
