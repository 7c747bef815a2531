"""What apply says after its write, over real HTTP: every answer that is not Hasura's own
refusal goes through the fence and the read-back, and the message says which state holds; a
definite refusal (a conflicting edit's 400, maintenance mode's 500) says what really happened."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hasura_standin import StandinServer
from tests.plan_apply.apply_test import EXAMPLE_CHANGES
from tests.plan_apply.apply_test import EXAMPLE_PERMISSIONS
from tests.plan_apply.apply_test import permission_count
from tests.plan_apply.apply_test import tables_of
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata
from tests.plan_apply.faults_test import NOTHING_APPLIED

HTML = {"Content-Type": "text/html; charset=utf-8"}
JSON = {"Content-Type": "application/json"}

# name -> (status, body, headers, how apply words the answer)
PROXY_ANSWERS: dict[str, tuple[int, bytes, dict[str, str], str]] = {
    "524 page": (524, b"<html>A timeout occurred</html>", HTML, "not JSON"),
    "520 page": (520, b"<html>Web server returned an unknown error</html>", HTML, "not JSON"),
    "408 page": (408, b"<html>Request Timeout</html>", HTML, "not JSON"),
    "408 empty": (408, b"", HTML, "not JSON"),
    "502 json": (502, b'{"message": "Bad gateway"}', JSON, "not Hasura"),
    "413 page": (413, b"<html>Request Entity Too Large</html>", HTML, "not JSON"),
    "404 page": (404, b"<html>Not Found</html>", HTML, "not JSON"),
    "200 page": (200, b"<html>ok</html>", HTML, "not JSON"),
}


def reason(server: StandinServer, status: int, kind: str) -> str:
    if kind == "not Hasura":
        return f"{server.url} answered HTTP {status} with JSON that is not a Hasura answer"
    proxy = "" if status == 200 else " (from a proxy in between?)"
    return f"{server.url} answered HTTP {status} with a body that is not JSON{proxy}"


@pytest.mark.parametrize("answer", PROXY_ANSWERS)
def test_a_proxy_answer_after_the_server_applied_is_settled_as_applied(
    cli: Cli, server: StandinServer, answer: str
) -> None:
    status, body, headers, kind = PROXY_ANSWERS[answer]
    server.faults.proxy_answer_next("bulk", status=status, body=body, headers=headers)
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 0, result.err
    assert result.err == (
        f"warning: {reason(server, status, kind)}, but the server applied the change "
        "(verified by reading it back)\n"
    )
    assert f"Applied to test: {EXAMPLE_CHANGES} added" in result.out
    assert permission_count(server.export()) == EXAMPLE_PERMISSIONS
    assert [r.type for r in server.requests].count("bulk") == 1, "a write is never resent"
    assert [r.status for r in server.requests if r.type == "reload_metadata"] == [409]
    assert cli("drift", "--env", "test").code == 0


@pytest.mark.parametrize("answer", PROXY_ANSWERS)
def test_a_proxy_answer_before_the_server_saw_the_write_is_settled_as_not_applied(
    cli: Cli, server: StandinServer, answer: str
) -> None:
    status, body, headers, kind = PROXY_ANSWERS[answer]
    before = server.export()
    server.faults.proxy_answer_next(
        "bulk", status=status, body=body, headers=headers, when="before"
    )
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert result.err == (
        f"error: apply to test failed: {reason(server, status, kind)}; {NOTHING_APPLIED}\n"
    )
    assert server.export() == before
    assert [r.status for r in server.requests if r.type == "reload_metadata"] == [200]


def test_a_failing_read_back_after_an_accepted_write_says_the_server_accepted_it(
    cli: Cli, server: StandinServer
) -> None:
    # the plan's export goes through; the verification's three tries are dropped
    server.faults.drop_next("export_metadata", skip=1, times=3)
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert result.err == (
        "error: test accepted the apply (HTTP 200), so it holds the intended permissions unless "
        "someone changed them since, but reading them back to verify failed: "
        f"{server.url} closed the connection without answering (tried 3 times); run "
        "`hasura-perm drift --env test` to check\n"
    )
    assert permission_count(server.export()) == EXAMPLE_PERMISSIONS
    assert cli("drift", "--env", "test").code == 0


VIEWER_SELECT = {"columns": ["id", "name"], "filter": {}}


def departments_viewer(export: dict[str, Any]) -> list[dict[str, Any]]:
    perms = tables_of(export)["departments"].get("select_permissions", [])
    return [p for p in perms if p["role"] == "viewer"]


def test_a_concurrent_create_surfaces_as_400_and_is_reported_as_a_conflict(
    cli: Cli, server: StandinServer
) -> None:
    """runCreatePerm (RQL/DDL/Permission.hs) refuses an already defined permission before
    runMetadataQuery compares resource_version: the conflict is a 400, not a 409."""
    server.faults.edit_after_next_export(
        {
            "type": "pg_create_select_permission",
            "args": {"table": "departments", "role": "viewer", "permission": VIEWER_SELECT},
        }
    )
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    version = server.resource_version - 1  # the export's, before the console's edit
    assert result.err == (
        f"error: the metadata of test changed since it was read at resource_version {version} "
        f"(now {version + 1}: a console edit or another apply?) and conflicts with this plan: "
        "the server refused the write while creating the select permission of viewer on "
        'public.departments: select permission already defined on table "departments" with '
        'role "viewer" (HTTP 400 already-exists); nothing of this plan was applied: run apply '
        "again to plan against the current state\n"
    )
    assert [r.status for r in server.requests if r.type == "bulk"] == [400]
    export = server.export()
    assert permission_count(export) == 1  # the console's, nothing of ours
    assert departments_viewer(export) == [{"role": "viewer", "permission": VIEWER_SELECT}]


def test_a_concurrent_drop_surfaces_as_400_permission_denied_and_is_reported_as_a_conflict(
    cli: Cli, server: StandinServer
) -> None:
    """runDropPerm (RQL/DDL/Permission.hs) answers `permission-denied` for a permission that is
    gone: that code is about the permission, not about the admin secret."""
    seeded = example_metadata(with_permissions=True)
    server.seed(seeded)
    server.execute(
        {
            "type": "pg_drop_select_permission",
            "args": {"table": "departments", "role": "viewer"},
        }
    )
    server.execute(
        {
            "type": "pg_create_select_permission",
            "args": {"table": "departments", "role": "viewer", "permission": VIEWER_SELECT},
        }
    )
    server.faults.edit_after_next_export(
        {"type": "pg_drop_select_permission", "args": {"table": "departments", "role": "viewer"}}
    )
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    version = server.resource_version - 1
    assert result.err == (
        f"error: the metadata of test changed since it was read at resource_version {version} "
        f"(now {version + 1}: a console edit or another apply?) and conflicts with this plan: "
        "the server refused the write while replacing the select permission of viewer on "
        'public.departments: select permission on "departments" for role "viewer" does not '
        "exist (HTTP 400 permission-denied); nothing of this plan was applied: run apply again "
        "to plan against the current state\n"
    )
    assert "admin secret" not in result.err
    assert departments_viewer(server.export()) == []


def test_maintenance_mode_is_a_definite_refusal_not_an_unknown_outcome(
    cli: Cli, server: StandinServer
) -> None:
    """runMetadataQuery (Server/API/Metadata.hs) throws 500 before storing anything."""
    before = server.export()
    server.maintenance_mode = True
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert result.err == (
        "error: test refused the apply: metadata cannot be modified in maintenance mode "
        "(HTTP 500 unexpected); nothing was applied (the server holds the same permissions as "
        "before)\n"
    )
    assert [r.type for r in server.requests] == ["export_metadata", "bulk", "export_metadata"]
    assert server.export() == before


def test_read_only_mode_is_a_definite_refusal(cli: Cli, server: StandinServer) -> None:
    before = server.export()
    server.read_only_mode = True
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert result.err == (
        "error: test refused the apply: metadata cannot be modified in read-only mode "
        "(HTTP 400 not-supported); nothing was applied (the server holds the same permissions "
        "as before)\n"
    )
    assert server.export() == before


def test_other_500s_stay_unknown_and_are_settled(cli: Cli, server: StandinServer) -> None:
    """A 500 `unexpected` may come after the metadata was stored (e.g. while notifying other
    instances), so it is not a refusal: the fence and the read-back settle it."""
    server.faults.fail_next("bulk")
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert "; nothing was applied: the server holds the same permissions as before" in result.err
    assert [r.type for r in server.requests].count("reload_metadata") == 1
