"""Apply and drift as functions, against the Hasura stand-in over real HTTP: read the live
export, plan, apply in one guarded request and verify, refuse a stale saved plan, and find
drift. (The commands over the same server are in tests/plan_apply/.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.compiler.build import Build
from hasura_perm.compiler.build import build
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.remote.apply import apply_plan
from hasura_perm.remote.apply import check_saved_plan
from hasura_perm.remote.apply import find_drift
from hasura_perm.remote.apply import make_plan
from hasura_perm.remote.apply import read_live
from hasura_perm.remote.client import Client
from hasura_perm.remote.plan import ADD
from hasura_perm.remote.plan import REMOVE
from hasura_perm.spec.project import load_project
from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import SECRET

ENV = "test"


def _setup(project: Path, server: StandinServer) -> tuple[Build, Client]:
    compiled = build(load_project(project))
    return compiled, Client(server.url, SECRET, insecure=True, backoff=0.05)


def test_plan_apply_and_no_drift_after(project: Path, server: StandinServer) -> None:
    compiled, client = _setup(project, server)
    live = read_live(client, "default")
    assert len(live.permissions) == 0  # the stand-in tracks the tables, without permissions
    plan = make_plan(compiled, live, environment=ENV, endpoint=client.shown_endpoint)
    assert plan.changes and {c.change for c in plan.changes} == {ADD}
    assert plan.resource_version == live.resource_version and plan.owned_count == 0
    owned = len(compiled.compiled.permissions)
    assert len(plan.changes) == owned  # one add per compiled permission

    outcome = apply_plan(client, plan, live)
    assert outcome.message

    after = read_live(client, "default")
    assert after.resource_version > live.resource_version
    again = make_plan(compiled, after, environment=ENV, endpoint=client.shown_endpoint)
    assert not again.changed and again.owned_count == owned
    drift = find_drift(compiled, after, environment=ENV)
    assert not drift.changed and drift.unowned == [] and drift.unmanaged_count == 0


def test_a_saved_plan_is_refused_once_the_server_moved_on(
    project: Path, server: StandinServer
) -> None:
    compiled, client = _setup(project, server)
    live = read_live(client, "default")
    plan = make_plan(compiled, live, environment=ENV, endpoint=client.shown_endpoint)
    check_saved_plan(plan, live, "plan.json")  # same server state: fine
    table = next(iter(plan.changes)).table
    status, result = server.execute(
        {
            "type": "pg_create_select_permission",
            "args": {
                "table": {"schema": table.schema, "name": table.name},
                "role": "someone_else",
                "permission": {"columns": [], "filter": {}},
            },
        }
    )
    assert status == 200, result
    moved = read_live(client, "default")
    with pytest.raises(HasuraPermError, match=r"plan.json is stale: .* is now at"):
        check_saved_plan(plan, moved, "plan.json")
    # Nothing was written by the refused check: the server still has one permission.
    assert len(moved.permissions) == 1


def test_drift_names_a_missing_permission_and_an_undeclared_roles_one(
    project: Path, server: StandinServer
) -> None:
    compiled, client = _setup(project, server)
    live = read_live(client, "default")
    plan = make_plan(compiled, live, environment=ENV, endpoint=client.shown_endpoint)
    apply_plan(client, plan, live)
    gone = next(c for c in plan.changes if c.action == "select")
    status, result = server.execute(
        {
            "type": "pg_drop_select_permission",
            "args": {
                "table": {"schema": gone.table.schema, "name": gone.table.name},
                "role": gone.role,
            },
        }
    )
    assert status == 200, result
    status, result = server.execute(
        {
            "type": "pg_create_delete_permission",
            "args": {
                "table": {"schema": gone.table.schema, "name": gone.table.name},
                "role": "undeclared_role",
                "permission": {"filter": {}},
            },
        }
    )
    assert status == 200, result

    drift = find_drift(compiled, read_live(client, "default"), environment=ENV)
    assert [(c.table, c.action, c.role, c.change) for c in drift.changes] == [
        (gone.table, "select", gone.role, REMOVE)  # missing on the server
    ]
    assert drift.unowned == [(gone.table, "delete", "undeclared_role")]
    assert drift.changed


def test_plan_refuses_a_table_the_server_does_not_track(
    project: Path, server: StandinServer
) -> None:
    compiled, client = _setup(project, server)
    live = read_live(client, "default")
    managed = min(compiled.compiled.tables)
    live.tracked.discard(managed)
    with pytest.raises(HasuraPermError, match=rf"not tracked on {ENV}: {managed};"):
        make_plan(compiled, live, environment=ENV, endpoint=client.shown_endpoint)
