"""Plan, apply and drift of action permissions and introspection against the stand-in, over
real HTTP: one guarded bulk, verified, and nothing else on the server touched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hasura_standin import StandinServer
from tests.helpers import write
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata

PING = {
    "handler": "https://actions.example.org/ping",
    "output_type": "Pong",
    "kind": "synchronous",
    "type": "query",
    "arguments": [],
}


def action(name: str, *roles: str | dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "definition": dict(PING)}
    perms = [{"role": r} if isinstance(r, str) else r for r in roles]
    if perms:
        entry["permissions"] = perms
    return entry


def seed(server: StandinServer, actions: list[dict[str, Any]], disabled: list[str]) -> None:
    extra: dict[str, Any] = {
        "actions": actions,
        "custom_types": {
            "objects": [{"name": "Pong", "fields": [{"name": "ok", "type": "Boolean!"}]}]
        },
    }
    if disabled:
        extra["graphql_schema_introspection"] = {"disabled_for_roles": disabled}
    assert server.seed(example_metadata(with_permissions=True, **extra)) == []


@pytest.fixture
def surface_project(project: Path) -> Path:
    write(
        project,
        "metadata/actions.yaml",
        "actions:\n"
        "  - name: ping\n    definition:\n      kind: synchronous\n      handler: https://actions.example.org/ping\n"
        "  - name: report_a\n    definition:\n      kind: synchronous\n      handler: https://actions.example.org/a\n"
        "  - name: report_b\n    definition:\n      kind: synchronous\n      handler: https://actions.example.org/b\n"
        "custom_types:\n  enums: []\n  input_objects: []\n  objects: []\n  scalars: []\n",
    )
    write(
        project,
        "permissions/actions.yaml",
        'actions:\n  "report_*":\n    viewer: {}\n  report_b:\n    editor: deny\n'
        "  ping:\n    file_service: {comment: health checks}\n",
    )
    roles = (project / "permissions/roles.yaml").read_text()
    write(project, "permissions/roles.yaml", roles + "  guest:\n    introspection: false\n")
    return project


def export_surface(server: StandinServer) -> tuple[dict[str, list[Any]], list[str]]:
    exported = server.export()
    actions = {a["name"]: a.get("permissions", []) for a in exported.get("actions", [])}
    disabled = exported.get("graphql_schema_introspection", {}).get("disabled_for_roles", [])
    return actions, disabled


def test_plan_apply_drift_of_actions_and_introspection(
    surface_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    seed(
        server,
        [action("ping", "outsider", "viewer"), action("report_a"), action("report_b", "editor")],
        ["outsider"],
    )
    planned = cli("plan", "--env", "test", "--format", "json")
    assert planned.code == 2, planned.err
    surface = json.loads(planned.out)["surface"]
    described = {(c["kind"], c["name"], c["role"], c["change"], c["effect"]) for c in surface}
    assert described == {
        ("action", "ping", "viewer", "remove", "narrowing"),
        ("action", "ping", "file_service", "add", "widening"),
        ("action", "report_a", "viewer", "add", "widening"),
        ("action", "report_a", "editor", "add", "widening"),
        ("action", "report_a", "project_admin", "add", "widening"),
        ("action", "report_b", "editor", "remove", "narrowing"),
        ("action", "report_b", "viewer", "add", "widening"),
        ("introspection", "", "guest", "add", "narrowing"),
        ("introspection", "", "file_service", "add", "narrowing"),  # the example's
    }
    writes_before = len(server.requests)
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.out + applied.err
    assert applied.err == ""
    bulks = [r.body for r in server.requests[writes_before:] if r.body.get("type") == "bulk"]
    assert len(bulks) == 1 and bulks[0]["resource_version"] is not None
    kinds = [c["type"] for c in bulks[0]["args"]]
    assert "set_graphql_schema_introspection_options" in kinds
    actions, disabled = export_surface(server)
    assert actions["ping"][-1] == {"role": "outsider"}  # unowned: kept
    assert {p["role"] for p in actions["ping"]} == {"outsider", "file_service"}
    assert {"role": "file_service", "comment": "health checks"} in actions["ping"]
    assert {p["role"] for p in actions["report_a"]} == {"viewer", "editor", "project_admin"}
    assert {p["role"] for p in actions["report_b"]} == {"viewer"}
    assert sorted(disabled) == ["file_service", "guest", "outsider"]
    drift = cli("drift", "--env", "test")
    assert drift.code == 0, drift.out
    # a console edit: drift names it
    server.execute(
        {"type": "drop_action_permission", "args": {"action": "report_a", "role": "editor"}}
    )
    server.execute(
        {"type": "set_graphql_schema_introspection_options", "args": {"disabled_for_roles": []}}
    )
    drift = cli("drift", "--env", "test")
    assert drift.code == 2
    assert "- action report_a no longer granted to editor (missing, narrowing)" in drift.out
    assert "- introspection enabled for guest (missing, widening)" in drift.out


def test_granting_an_action_the_server_lacks_is_refused_before_any_write(
    surface_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    seed(server, [action("ping")], [])
    before = server.export()
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert "action(s) the project grants are not defined on test: report_a, report_b" in result.err
    assert server.export() == before


def test_saved_plan_is_refused_when_an_action_permission_moved(
    surface_project: Path, cli: Cli, server: StandinServer, tmp_path: Path
) -> None:
    assert cli("compile").code == 0
    seed(server, [action("ping"), action("report_a"), action("report_b")], [])
    saved = tmp_path / "plan.json"
    assert cli("plan", "--env", "test", "--out", str(saved)).code == 2
    server.execute(
        {"type": "create_action_permission", "args": {"action": "report_a", "role": "viewer"}}
    )
    # the edit moved resource_version: the plan is stale either way
    result = cli("apply", "--env", "test", "--plan", str(saved), "--yes")
    assert result.code == 1
    assert "stale" in result.err


def test_standin_refuses_duplicate_and_missing_action_permissions(server: StandinServer) -> None:
    seed(server, [action("ping", "viewer")], [])
    status, body = server.execute(
        {"type": "create_action_permission", "args": {"action": "ping", "role": "viewer"}}
    )
    assert (status, body["code"]) == (400, "already-exists")
    assert body["error"] == 'permission for role "viewer" is already defined on "ping"'
    status, body = server.execute(
        {"type": "drop_action_permission", "args": {"action": "ping", "role": "editor"}}
    )
    assert (status, body["code"]) == (400, "not-exists")
    # create on an unknown action changes nothing and succeeds (`ix` on a missing key)
    before = server.export()
    status, body = server.execute(
        {"type": "create_action_permission", "args": {"action": "nope", "role": "viewer"}}
    )
    assert (status, body) == (200, {"message": "success"})
    exported = server.export()
    assert exported["actions"] == before["actions"]
    # create prepends, as `%~ (:) ...` does
    server.execute(
        {
            "type": "create_action_permission",
            "args": {"action": "ping", "role": "editor", "comment": "c"},
        }
    )
    assert export_surface(server)[0]["ping"] == [
        {"role": "editor", "comment": "c"},
        {"role": "viewer"},
    ]
    status, body = server.execute({"type": "set_graphql_schema_introspection_options", "args": {}})
    assert (status, body["code"]) == (400, "parse-failed")


def test_a_concurrent_action_grant_is_a_400_conflict_naming_the_action(
    surface_project: Path, cli: Cli, server: StandinServer
) -> None:
    """runCreateActionPermission refuses a role already there before runMetadataQuery
    compares resource_version: the conflict is a 400 at the action command."""
    assert cli("compile").code == 0
    seed(server, [action("ping"), action("report_a"), action("report_b")], [])
    server.faults.edit_after_next_export(
        {"type": "create_action_permission", "args": {"action": "report_a", "role": "viewer"}}
    )
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert (
        "the server refused the write while creating the permission of viewer to call action "
        'report_a: permission for role "viewer" is already defined on "report_a" (HTTP 400 '
        "already-exists); nothing of this plan was applied"
    ) in result.err
    actions, _ = export_surface(server)
    assert actions["report_a"] == [{"role": "viewer"}]  # the console's, nothing of ours
    assert actions["report_b"] == []


def test_a_partial_plan_leaves_actions_and_introspection_out(
    surface_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    seed(server, [action("ping"), action("report_a"), action("report_b")], [])
    full = json.loads(cli("plan", "--env", "test", "--format", "json").out)
    assert full["surface"]
    partial = cli(
        "plan",
        "--env",
        "test",
        "--table",
        "public.projects",
        "--role",
        "viewer",
        "--format",
        "json",
    )
    data = json.loads(partial.out)
    assert data["surface"] == [] and data["changes"] == []
    assert data["left_out"] == len(full["surface"]) + len(full["changes"])
