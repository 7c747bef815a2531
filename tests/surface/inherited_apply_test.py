"""Hasura inherited roles (`combines:`) through plan, apply and drift against the stand-in, and
the stand-in's add_inherited_role / drop_inherited_role as RQL/DDL/InheritedRoles.hs runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hasura_standin import StandinServer
from tests.helpers import write
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata


def seed(server: StandinServer, inherited: list[dict[str, Any]]) -> None:
    assert server.seed(example_metadata(with_permissions=True, inherited_roles=inherited)) == []


def live_inherited(server: StandinServer) -> dict[str, set[str]]:
    entries = server.export().get("inherited_roles", [])
    names = [e["role_name"] for e in entries]
    assert names == sorted(names)  # the export's order
    return {e["role_name"]: set(e["role_set"]) for e in entries}


def add(server: StandinServer, name: str, *parents: str) -> tuple[int, Any]:
    return server.execute(
        {"type": "add_inherited_role", "args": {"role_name": name, "role_set": list(parents)}}
    )


@pytest.fixture
def combines_project(project: Path) -> Path:
    roles = (project / "permissions/roles.yaml").read_text()
    write(
        project,
        "permissions/roles.yaml",
        roles
        + "  reviewer:\n    combines: [viewer, file_service]\n"
        + "  auditor:\n    combines: [viewer]\n",
    )
    return project


def test_plan_apply_drift_of_inherited_roles(
    combines_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    seed(
        server,
        [
            {"role_name": "auditor", "role_set": ["editor"]},  # changed set
            {"role_name": "editor", "role_set": ["viewer"]},  # declared, no combines: removed
            {"role_name": "zz_other", "role_set": ["viewer"]},  # not ours: kept
        ],
    )
    planned = cli("plan", "--env", "test", "--format", "json")
    assert planned.code == 2, planned.err
    inherited = [c for c in json.loads(planned.out)["surface"] if c["kind"] == "inherited_role"]
    assert [(c["role"], c["change"], c["effect"]) for c in inherited] == [
        ("auditor", "update", "mixed"),
        ("editor", "remove", "narrowing"),
        ("reviewer", "add", "widening"),
    ]
    text = cli("plan", "--env", "test")
    assert "reviewer becomes a Hasura inherited role of viewer, file_service" in text.out
    assert "inherited role auditor: parents editor -> viewer" in text.out
    writes_before = len(server.requests)
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.out + applied.err
    bulks = [r.body for r in server.requests[writes_before:] if r.body.get("type") == "bulk"]
    assert len(bulks) == 1
    kinds = [c["type"] for c in bulks[0]["args"]]
    # drops before everything, adds after everything; a changed set losing a parent is dropped
    # first, then added again
    assert kinds[:2] == ["drop_inherited_role", "drop_inherited_role"]
    assert kinds[-2:] == ["add_inherited_role", "add_inherited_role"]
    assert live_inherited(server) == {
        "auditor": {"viewer"},
        "reviewer": {"viewer", "file_service"},
        "zz_other": {"viewer"},
    }
    assert cli("drift", "--env", "test").code == 0
    # a console edit: drift names it
    add(server, "reviewer", "viewer")
    drift = cli("drift", "--env", "test")
    assert drift.code == 2
    assert "inherited role reviewer: parents viewer, file_service -> viewer" in drift.out
    assert "narrowing" in drift.out


def test_a_changed_set_that_only_gains_is_one_add(
    combines_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    seed(
        server,
        [
            {"role_name": "auditor", "role_set": ["viewer"]},
            {"role_name": "reviewer", "role_set": ["viewer"]},
        ],
    )
    writes_before = len(server.requests)
    assert cli("apply", "--env", "test", "--yes").code == 0
    bulk = next(r.body for r in server.requests[writes_before:] if r.body.get("type") == "bulk")
    inherited = [c for c in bulk["args"] if "inherited" in c["type"]]
    assert inherited == [
        {
            "type": "add_inherited_role",
            "args": {"role_name": "reviewer", "role_set": ["viewer", "file_service"]},
        }
    ]


def test_dropping_a_parents_last_permission_goes_after_dropping_the_role(
    combines_project: Path, cli: Cli, server: StandinServer
) -> None:
    """The live inherited role `gone` names `auditor`, whose only permission the plan drops;
    the server would refuse that drop while `gone` still names it."""
    write(
        combines_project,
        "permissions/roles.yaml",
        (combines_project / "permissions/roles.yaml").read_text() + "  gone: {}\n",
    )
    assert cli("compile").code == 0
    metadata = example_metadata(
        with_permissions=True, inherited_roles=[{"role_name": "gone", "role_set": ["auditor"]}]
    )
    table = metadata["sources"][0]["tables"][0]
    table.setdefault("select_permissions", []).append(
        {"role": "auditor", "permission": {"columns": [], "filter": {}}}
    )
    assert server.seed(metadata) == []
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.out + applied.err
    assert "gone" not in live_inherited(server)


def test_standin_add_and_drop_inherited_role_follow_the_engine(server: StandinServer) -> None:
    seed(server, [])
    status, body = add(server, "pair", "pair", "viewer")
    assert (status, body["code"], body["error"]) == (
        400,
        "invalid-params",
        "an inherited role name cannot be in the role combination",
    )
    status, body = add(server, "pair", "viewer", "nobody")
    assert (status, body["code"]) == (400, "invalid-configuration")
    assert body["error"] == (
        "Inconsistent object: in inherited role pair: the following parent role(s) are not "
        'found: nobody which are required to construct the inherited role: "pair"'
    )
    assert add(server, "pair", "viewer", "editor", "viewer")[0] == 200
    assert live_inherited(server) == {"pair": {"viewer", "editor"}}
    assert add(server, "pair", "viewer")[0] == 200  # replaces, no already-exists
    assert live_inherited(server) == {"pair": {"viewer"}}
    assert add(server, "trio", "pair")[0] == 200  # an inherited role is a known parent
    status, body = add(server, "pair", "trio")
    assert (status, body["code"]) == (400, "cyclic-dependency")
    status, body = server.execute({"type": "drop_inherited_role", "args": {"role_name": "nope"}})
    assert (status, body["code"], body["error"]) == (
        400,
        "not-exists",
        '"nope" inherited role doesn\'t exist',
    )
    # dropping `pair` leaves `trio` without its parent: a new inconsistency, refused
    status, body = server.execute({"type": "drop_inherited_role", "args": {"role_name": "pair"}})
    assert (status, body["code"]) == (400, "unexpected")
    assert server.execute({"type": "drop_inherited_role", "args": {"role_name": "trio"}})[0] == 200
    assert server.execute({"type": "drop_inherited_role", "args": {"role_name": "pair"}})[0] == 200
    assert "inherited_roles" not in server.export()  # left out when empty
    status, body = server.execute({"type": "add_inherited_role", "args": {"role_name": "x"}})
    assert (status, body["code"]) == (400, "parse-failed")


def test_a_saved_plan_round_trips_and_a_concurrent_drop_is_named(
    combines_project: Path, cli: Cli, server: StandinServer, tmp_path: Path
) -> None:
    assert cli("compile").code == 0
    seed(server, [{"role_name": "editor", "role_set": ["viewer"]}])
    saved = tmp_path / "plan.json"
    assert cli("plan", "--env", "test", "--out", str(saved)).code == 2
    # someone drops the inherited role we were about to drop: a 400 at our first command
    server.faults.edit_after_next_export(
        {"type": "drop_inherited_role", "args": {"role_name": "editor"}}
    )
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert (
        'while dropping the inherited role editor: "editor" inherited role doesn\'t exist '
        "(HTTP 400 not-exists)"
    ) in result.err
    assert "editor" not in live_inherited(server)  # the console's drop, nothing of ours
    assert "reviewer" not in live_inherited(server)
    # the saved plan is stale now; a fresh one applies
    assert "stale" in cli("apply", "--env", "test", "--plan", str(saved), "--yes").err
    fresh = tmp_path / "fresh.json"
    assert cli("plan", "--env", "test", "--out", str(fresh)).code == 2
    applied = cli("apply", "--env", "test", "--plan", str(fresh), "--yes")
    assert applied.code == 0, applied.err
    assert live_inherited(server) == {"auditor": {"viewer"}, "reviewer": {"viewer", "file_service"}}
