"""The remote tests share plan_apply's fixtures: the stand-in over real HTTP on a real
PostgreSQL database with the worked example loaded, the example project pointed at it, and
the check that the admin secret never leaks."""

from __future__ import annotations

from tests.plan_apply.conftest import cli  # noqa: F401
from tests.plan_apply.conftest import project  # noqa: F401
from tests.plan_apply.conftest import secret_never_leaks  # noqa: F401
from tests.plan_apply.conftest import server  # noqa: F401
