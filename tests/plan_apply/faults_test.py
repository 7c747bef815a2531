"""Faults injected into the apply's write: the server ends exactly as before or exactly as
intended, never in between, and apply says which."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hasura_perm.compiler.build import build
from hasura_perm.metadata.export_json import live_permissions
from hasura_perm.metadata.export_json import without_permissions
from hasura_perm.remote.plan import same_permissions
from hasura_perm.spec.project import load_project
from tests.hasura_standin import StandinServer
from tests.plan_apply.apply_test import EXAMPLE_CHANGES
from tests.plan_apply.conftest import IMPATIENT_TIMEOUT
from tests.plan_apply.conftest import Cli

TIMEOUT = IMPATIENT_TIMEOUT

NOTHING_APPLIED = (
    "nothing was applied: the server holds the same permissions as before (verified by reading "
    "them back): run apply again"
)


def settle(server: StandinServer, seconds: float = 10.0) -> None:
    """Wait until every request the server received has finished (a hung one may still run)."""
    deadline = time.monotonic() + seconds
    while any(r.status is None and r.outcome == "answered" for r in server.requests):
        assert time.monotonic() < deadline, "a request never finished"
        time.sleep(0.05)


Arm = Callable[[StandinServer], Any]

# fault -> (arm it, what apply says about it, the bulk's final HTTP status: None when dropped)
FAULTS_LEAVING_THE_OLD_STATE: dict[str, tuple[Arm, str, int | None]] = {
    "500": (
        lambda s: s.faults.fail_next("bulk"),
        "answered HTTP 500: stand-in: injected internal error",
        500,
    ),
    "hang, then the server applies": (
        lambda s: s.faults.hang_next(TIMEOUT + 0.3, "bulk"),
        f"did not answer within {TIMEOUT:g}s",
        409,  # it ran late, after the fence had moved resource_version on
    ),
    "hang, then the connection drops": (
        lambda s: s.faults.hang_next(TIMEOUT + 0.3, "bulk", then="drop"),
        f"did not answer within {TIMEOUT:g}s",
        None,
    ),
    "connection dropped before applying": (
        lambda s: s.faults.drop_next("bulk", when="before"),
        "closed the connection without answering",
        None,
    ),
}


@pytest.mark.parametrize("fault", FAULTS_LEAVING_THE_OLD_STATE)
def test_faults_that_leave_the_server_as_before(
    cli: Cli, server: StandinServer, fault: str
) -> None:
    arm, reason, bulk_status = FAULTS_LEAVING_THE_OLD_STATE[fault]
    before = server.export()
    arm(server)
    result = cli("apply", "--env", "impatient", "--yes")
    settle(server)
    assert result.code == 1
    assert (
        result.err
        == f"error: apply to impatient failed: {server.url} {reason}; {NOTHING_APPLIED}\n"
    )
    assert server.export() == before
    bulks = [r for r in server.requests if r.type == "bulk"]
    assert [r.status for r in bulks] == [bulk_status], "a write is sent once, never resent"
    fence = [r for r in server.requests if r.type == "reload_metadata"]
    assert [r.status for r in fence] == [200]


def test_a_connection_dropped_after_applying_is_reported_as_applied(
    cli: Cli, server: StandinServer, project: Path
) -> None:
    before = server.export()
    server.faults.drop_next("bulk", when="after")
    result = cli("apply", "--env", "impatient", "--yes")
    assert result.code == 0
    assert result.err == (
        f"warning: {server.url} closed the connection without answering, but the server "
        "applied the change (verified by reading it back)\n"
    )
    assert f"Applied to impatient: {EXAMPLE_CHANGES} added" in result.out
    after = server.export()
    assert without_permissions(after) == without_permissions(before)
    intended = build(load_project(project)).compiled.permissions
    assert same_permissions(live_permissions(after, "default"), intended)
    assert [r.type for r in server.requests].count("bulk") == 1
    assert cli("drift", "--env", "test").code == 0


def test_when_even_the_fence_fails_apply_says_the_outcome_is_not_settled(
    cli: Cli, server: StandinServer
) -> None:
    before = server.export()
    server.faults.fail_next("bulk")
    server.faults.fail_next("reload_metadata")
    result = cli("apply", "--env", "impatient", "--yes")
    assert result.code == 1
    assert result.err == (
        f"error: apply to impatient failed: {server.url} answered HTTP 500: stand-in: injected "
        "internal error; the server still holds the same permissions as before, but the request "
        "may still be in flight: run `hasura-perm drift --env impatient` in a minute\n"
    )
    assert server.export() == before
