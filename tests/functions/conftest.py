"""The plan/apply fixtures (the stand-in over real Postgres, a copy of the example project)."""

from __future__ import annotations

from tests.plan_apply.conftest import cli  # noqa: F401
from tests.plan_apply.conftest import project  # noqa: F401
from tests.plan_apply.conftest import secret_never_leaks  # noqa: F401
from tests.plan_apply.conftest import server  # noqa: F401
