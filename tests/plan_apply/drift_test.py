"""drift: live vs compiled for owned permissions; exit 0 clean, 2 drift, 1 could not check."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import Cli


def console(server: StandinServer, kind: str, table: str, role: str, **args: Any) -> None:
    status, result = server.execute({"type": kind, "args": {"table": table, "role": role, **args}})
    assert status == 200, result


@pytest.fixture
def applied(cli: Cli, server: StandinServer) -> StandinServer:
    assert cli("apply", "--env", "test", "--yes").code == 0
    return server


def test_drift_finds_an_added_a_removed_and_a_changed_permission_and_only_those(
    cli: Cli, applied: StandinServer
) -> None:
    # added: a declared role gets a permission the project does not give it
    console(
        applied,
        "pg_create_select_permission",
        "projects",
        "file_service",
        permission={"columns": ["id", "name"], "filter": {}},
    )
    # removed
    console(applied, "pg_drop_delete_permission", "project_notes", "project_admin")
    # changed: a wider column list, recreated by hand
    console(applied, "pg_drop_update_permission", "users", "viewer")
    console(
        applied,
        "pg_create_update_permission",
        "users",
        "viewer",
        permission={
            "columns": ["display_name", "email"],
            "filter": {"id": {"_eq": "x-hasura-user-db-id"}},
            "check": {"id": {"_eq": "x-hasura-user-db-id"}},
        },
        comment="Everyone may rename themselves, nobody else",
    )
    # equivalent rewrites are not drift: `$eq`, session-variable case, list order
    console(applied, "pg_drop_select_permission", "users", "viewer")
    console(
        applied,
        "pg_create_select_permission",
        "users",
        "viewer",
        permission={
            "columns": ["id", "display_name", "department_id"],
            "filter": {"is_active": {"$eq": True}},
            "limit": 100,
            "query_root_fields": ["select_by_pk", "select"],
        },
    )
    # an undeclared role's permission is information, not drift
    console(
        applied,
        "pg_create_select_permission",
        "departments",
        "auditor",
        permission={"columns": "*", "filter": {}},
    )

    result = cli("drift", "--env", "test", "--format", "json")
    assert result.code == 2
    report = json.loads(result.out)
    found = [(c["table"], c["action"], c["role"], c["change"], c["effect"]) for c in report["changes"]]  # fmt: skip
    assert found == [
        ("public.project_notes", "delete", "project_admin", "remove", "narrowing"),
        ("public.projects", "select", "file_service", "add", "widening"),
        ("public.users", "update", "viewer", "update", "widening"),
    ]
    changed = report["changes"][2]["detail"]["fields"]
    assert changed == {
        "columns": {
            "before": ["display_name"],
            "after": ["display_name", "email"],
            "added": ["email"],
            "removed": [],
            "effect": "widening",
        }
    }
    assert report["summary"]["missing"] == report["summary"]["unexpected"] == 1
    assert report["summary"]["changed"] == 1
    assert report["unowned"] == [{"table": "public.departments", "action": "select", "role": "auditor"}]  # fmt: skip

    text = cli("drift", "--env", "test")
    assert text.code == 2
    assert text.out.splitlines()[0] == (
        f"Drift on test (resource_version {applied.resource_version}): 3 difference(s): "
        "1 unexpected, 1 missing, 1 changed (2 widening, 1 narrowing)."
    )
    assert "  ~ changed update viewer (widening)\n      columns: +email (widening)" in text.out
    assert "  - missing delete project_admin (narrowing)" in text.out
    assert "  + unexpected select file_service (widening)" in text.out
    assert "Not managed by hasura-perm (information, not drift):" in text.out
    assert "    public.departments select auditor" in text.out


def test_drift_could_not_check_exits_1(cli: Cli, applied: StandinServer) -> None:
    applied.faults.fail_next("export_metadata", times=5)
    result = cli("drift", "--env", "test", "--format", "json")
    assert result.code == 1
    assert result.out == ""  # nothing on stdout a pipeline could mistake for a report
    assert result.err.startswith(f"error: {applied.url} answered HTTP 500")


def test_drift_markdown(cli: Cli, applied: StandinServer) -> None:
    console(applied, "pg_drop_select_permission", "departments", "viewer")
    result = cli("drift", "--env", "test", "--format", "markdown")
    assert result.code == 2
    assert "| - | `public.departments` | select | `viewer` | missing | narrowing |" in result.out
