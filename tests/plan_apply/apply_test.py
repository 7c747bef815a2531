"""plan and apply of the worked example against the stand-in, over real HTTP and real Postgres."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from hasura_perm.metadata.directory import read_metadata
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import REPO
from tests.plan_apply.conftest import SECRET
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata

EXAMPLE_PERMISSIONS = 68  # permissions the worked example compiles to
EXAMPLE_FUNCTION_GRANTS = 3  # search_projects: viewer, and editor and project_admin inherit it
EXAMPLE_CHANGES = (
    EXAMPLE_PERMISSIONS + EXAMPLE_FUNCTION_GRANTS
)  # what a plan on an empty server adds

AUDITOR_SELECT = {"role": "auditor", "permission": {"columns": ["id", "name"], "filter": {}}}
EVENT_TRIGGER = {
    "name": "project_changed",
    "definition": {"enable_manual": False, "update": {"columns": "*"}},
    "retry_conf": {"interval_sec": 10, "num_retries": 0, "timeout_sec": 60},
    "webhook": "https://hooks.example.org/project",
}
EXTRA_TOP_LEVEL = {
    "remote_schemas": [
        {
            "name": "countries",
            "definition": {"url": "https://countries.example.org/graphql", "timeout_seconds": 60},
            "comment": "",
        }
    ],
    "actions": [
        {
            "name": "ping",
            "definition": {
                "handler": "https://actions.example.org/ping",
                "output_type": "Pong",
                "kind": "synchronous",
                "type": "query",
                "arguments": [],
            },
        }
    ],
    "custom_types": {"objects": [{"name": "Pong", "fields": [{"name": "ok", "type": "Boolean!"}]}]},
}


def tables_of(export: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["table"]["name"]: t for t in export["sources"][0]["tables"]}


def permission_count(export: dict[str, Any]) -> int:
    return sum(
        len(table.get(key) or [])
        for table in export["sources"][0]["tables"]
        for key in PERMISSION_KEYS.values()
    )


def non_owned_part(export: dict[str, Any], owned_roles: set[str]) -> dict[str, Any]:
    """The export without the permissions of `owned_roles`: what apply must not change."""
    out = copy.deepcopy(export)
    for table in out["sources"][0]["tables"]:
        for key in PERMISSION_KEYS.values():
            kept = [p for p in table.get(key) or [] if p["role"] not in owned_roles]
            if kept:
                table[key] = kept
            else:
                table.pop(key, None)
    return out


DECLARED = {"viewer", "editor", "project_admin", "file_service"}


def test_apply_on_an_empty_server_then_drift_is_clean_and_plan_has_nothing(
    cli: Cli, server: StandinServer
) -> None:
    planned = cli("plan", "--env", "test")
    assert planned.code == 2
    assert planned.out.startswith(
        f"Plan for test (resource_version {server.resource_version}): "
        f"{EXAMPLE_CHANGES} to add, 0 to change, 0 to remove ({EXAMPLE_CHANGES} widening)."
    )
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.err
    assert applied.out.rstrip().endswith(
        f"Applied to test: {EXAMPLE_CHANGES} added, 0 changed, 0 removed; verified "
        f"(resource_version {server.resource_version})."
    )
    assert applied.err == ""
    drift = cli("drift", "--env", "test")
    assert (drift.code, drift.out.splitlines()[0]) == (
        0,
        f"No drift on test (resource_version {server.resource_version}): the permissions "
        "hasura-perm owns match the project.",
    )
    again = cli("plan", "--env", "test")
    assert again.code == 0
    assert again.out.startswith("No changes:")
    assert f"({EXAMPLE_PERMISSIONS} permissions)" in again.out


def test_after_apply_the_server_exports_exactly_the_committed_metadata(
    cli: Cli, server: StandinServer
) -> None:
    assert cli("apply", "--env", "test", "--yes").code == 0
    committed = read_metadata(REPO / "metadata", "default")
    live = tables_of(server.export())
    for name, table_file in committed.tables.items():
        assert live[name.name] == table_file.entry, f"{name} differs"


def test_apply_is_one_bulk_request_at_the_planned_resource_version(
    cli: Cli, server: StandinServer
) -> None:
    version = server.resource_version
    assert cli("apply", "--env", "test", "--yes").code == 0
    assert [(r.type, r.status) for r in server.requests] == [
        ("export_metadata", 200),
        ("bulk", 200),
        ("export_metadata", 200),
    ]
    bulk = server.requests[1].body
    assert bulk["resource_version"] == version
    assert len(bulk["args"]) == EXAMPLE_CHANGES
    assert {c["type"] for c in bulk["args"]} == {
        f"pg_create_{a}_permission" for a in ("select", "insert", "update", "delete", "function")
    }
    functions = [c for c in bulk["args"] if c["type"] == "pg_create_function_permission"]
    assert functions[-1]["args"] == {  # after every table command, the source named
        "function": {"schema": "public", "name": "search_projects"},
        "source": "default",
        "role": "viewer",
    }
    assert bulk["args"][-EXAMPLE_FUNCTION_GRANTS:] == functions
    assert server.resource_version == version + 1


def test_a_console_edit_between_plan_and_apply_is_refused_and_changes_nothing(
    cli: Cli, server: StandinServer
) -> None:
    console_edit = {
        "type": "pg_create_select_permission",
        "args": {"table": "departments", **AUDITOR_SELECT},
    }
    server.faults.edit_after_next_export(console_edit)
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    version = server.resource_version - 1  # the export's, before the console's edit
    assert result.err == (
        f"error: the metadata of test changed since it was read at resource_version {version} "
        "(a console edit or another apply?); the server refused the write and nothing was "
        "applied: run apply again to plan against the current state\n"
    )
    assert [r.status for r in server.requests if r.type == "bulk"] == [409]
    export = server.export()
    assert permission_count(export) == 1  # the console's permission, nothing of ours
    assert tables_of(export)["departments"]["select_permissions"] == [AUDITOR_SELECT]


def test_unowned_permissions_and_other_metadata_survive_byte_for_byte(
    cli: Cli, server: StandinServer
) -> None:
    seeded = example_metadata(with_permissions=True, **copy.deepcopy(EXTRA_TOP_LEVEL))
    tables = {t["table"]["name"]: t for t in seeded["sources"][0]["tables"]}
    tables["projects"]["event_triggers"] = [EVENT_TRIGGER]
    tables["projects"]["select_permissions"].append(AUDITOR_SELECT)
    viewer = tables["users"]["select_permissions"][2]
    viewer["permission"]["limit"] = 5  # an owned permission that apply must put back
    assert server.seed(seeded) == []
    before = server.export()

    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 0, result.err
    assert "Plan for test" in result.out and "1 to change" in result.out
    assert "limit: 5 -> 100 (widening)" in result.out
    after = server.export()
    assert json.dumps(non_owned_part(after, DECLARED)) == json.dumps(
        non_owned_part(before, DECLARED)
    )
    assert tables_of(after)["projects"]["event_triggers"] == [EVENT_TRIGGER]
    assert after["remote_schemas"] == EXTRA_TOP_LEVEL["remote_schemas"]
    assert tables_of(after)["users"]["select_permissions"][2]["permission"]["limit"] == 100


def test_prune_removes_permissions_of_undeclared_roles_on_managed_tables(
    cli: Cli, server: StandinServer
) -> None:
    seeded = example_metadata(with_permissions=True)
    tables = {t["table"]["name"]: t for t in seeded["sources"][0]["tables"]}
    tables["projects"]["select_permissions"].append(AUDITOR_SELECT)
    server.seed(seeded)
    assert cli("plan", "--env", "test").code == 0
    assert cli("apply", "--env", "test", "--yes").out.startswith("No changes")

    pruning = cli("plan", "--env", "test", "--prune")
    assert pruning.code == 2
    assert "0 to add, 0 to change, 1 to remove (1 narrowing)" in pruning.out
    assert "  - select auditor (narrowing)" in pruning.out
    assert cli("apply", "--env", "test", "--prune", "--yes").code == 0
    roles = [p["role"] for p in tables_of(server.export())["projects"]["select_permissions"]]
    assert roles == ["editor", "project_admin", "viewer"]


def test_a_saved_plan_applies_and_a_stale_one_is_refused(
    cli: Cli, server: StandinServer, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    assert cli("plan", "--env", "test", "--out", str(saved)).code == 2
    data = json.loads(saved.read_text())
    assert (data["environment"], data["resource_version"]) == ("test", server.resource_version)
    assert data["summary"]["add"] == EXAMPLE_CHANGES

    server.execute({"type": "reload_metadata", "args": {}})  # anyone's write moves the version
    stale = cli("apply", "--env", "test", "--plan", str(saved), "--yes")
    assert stale.code == 1
    assert stale.err.startswith(f"error: {saved} is stale: it was made at resource_version")
    assert permission_count(server.export()) == 0

    fresh = tmp_path / "fresh.json"
    assert cli("plan", "--env", "test", "--out", str(fresh)).code == 2
    applied = cli("apply", "--env", "test", "--plan", str(fresh), "--yes")
    assert applied.code == 0, applied.err
    assert permission_count(server.export()) == EXAMPLE_PERMISSIONS
    assert cli("drift", "--env", "test").code == 0


def test_a_plan_for_another_environment_is_refused(cli: Cli, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    cli("plan", "--env", "test", "--out", str(saved))
    data = json.loads(saved.read_text())
    saved.write_text(json.dumps(data | {"environment": "production"}))
    result = cli("apply", "--env", "test", "--plan", str(saved), "--yes")
    assert result.code == 1
    assert "was made for environment 'production'" in result.err


def test_apply_refuses_to_make_metadata_inconsistent(cli: Cli, server: StandinServer) -> None:
    server.run_sql("ALTER TABLE project_files DROP COLUMN storage_key")  # snapshot is now stale
    before = server.export()
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert result.err.startswith("error: test refused the apply while creating the ")
    assert 'column "storage_key" does not exist' in result.err
    assert result.err.rstrip().endswith(
        "(HTTP 400 invalid-configuration); nothing was applied (the server holds the same "
        "permissions "
        "as before)"
    )
    assert server.export() == before


def test_dry_run_prints_the_request_with_the_secret_redacted(
    cli: Cli, server: StandinServer
) -> None:
    result = cli("apply", "--env", "test", "--dry-run")
    assert result.code == 0
    assert f"POST {server.url}/v1/metadata" in result.out
    assert "x-hasura-admin-secret: <redacted>" in result.out
    body = json.loads(result.out.split("<redacted>\n\n", 1)[1])
    assert body["type"] == "bulk" and len(body["args"]) == EXAMPLE_CHANGES
    assert [r.type for r in server.requests] == ["export_metadata"]


def test_apply_will_not_prompt_without_a_terminal(cli: Cli, server: StandinServer) -> None:
    result = cli("apply", "--env", "test")
    assert result.code == 1
    assert result.err == (
        "error: refusing to ask for confirmation: stdin is not a terminal; review the plan and "
        "pass --yes to apply without asking\n"
    )
    assert [r.type for r in server.requests] == ["export_metadata"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code", "count"), [("yes\n", 0, EXAMPLE_PERMISSIONS), ("y\n", 1, 0)])  # fmt: skip
def test_apply_asks_on_a_terminal_and_only_yes_applies(
    cli: Cli,
    server: StandinServer,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    count: int,
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    result = cli("apply", "--env", "test")
    assert result.code == code
    assert f"Apply {EXAMPLE_CHANGES} change(s) to test? Only 'yes' applies:" in result.out
    assert permission_count(server.export()) == count


def test_plan_refuses_tables_the_server_does_not_track(cli: Cli, server: StandinServer) -> None:
    seeded = example_metadata()
    seeded["sources"][0]["tables"] = [
        t for t in seeded["sources"][0]["tables"] if t["table"]["name"] != "departments"
    ]
    server.seed(seeded)
    result = cli("plan", "--env", "test")
    assert result.code == 1
    assert result.err.startswith(
        "error: 1 table(s) the project manages are not tracked on test: public.departments;"
    )


def test_plan_formats(cli: Cli, server: StandinServer) -> None:
    cli("apply", "--env", "test", "--yes")
    server.execute(
        {
            "type": "pg_drop_select_permission",
            "args": {"table": "departments", "role": "viewer"},
        }
    )
    as_json = cli("plan", "--env", "test", "--format", "json")
    assert as_json.code == 2
    data = json.loads(as_json.out)
    assert data["changes"] == [
        {
            "table": "public.departments",
            "role": "viewer",
            "action": "select",
            "change": "add",
            "effect": "widening",
            "detail": {
                "before": None,
                "after": {
                    "permission": {"columns": ["id", "name", "short_name"], "filter": {}},
                    "comment": None,
                },
                "fields": {},
            },
        }
    ]
    assert data["summary"]["changes"] == 1
    markdown = cli("plan", "--env", "test", "--format", "markdown")
    assert markdown.out.startswith("### hasura-perm plan: test\n\n**⚠️ Plan for test")
    assert "| + | `public.departments` | select | `viewer` | add | ⚠️ widening |" in markdown.out
    assert SECRET not in as_json.out + markdown.out


def test_a_comment_only_change_applies_with_set_permission_comment(
    cli: Cli, server: StandinServer
) -> None:
    """pg_set_permission_comment takes the permission type under `permission` (FromJSON
    SetPermComment, RQL/DDL/Permission.hs); with `type` the whole bulk fails with parse-failed."""
    assert cli("apply", "--env", "test", "--yes").code == 0
    args = {"table": "departments", "role": "viewer", "permission": "select", "comment": "hi"}
    status, _ = server.execute({"type": "pg_set_permission_comment", "args": args})
    assert status == 200
    planned = cli("plan", "--env", "test")
    assert planned.code == 2
    assert "0 to add, 1 to change, 0 to remove" in planned.out
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.out + applied.err
    sent = server.requests[-2].body["args"]
    assert [c["type"] for c in sent] == ["pg_set_permission_comment"]
    assert sent[0]["args"]["permission"] == "select" and "type" not in sent[0]["args"]
    assert cli("plan", "--env", "test").code == 0


def test_validate_input_given_without_defaults_applies_verifies_and_stays_applied(
    cli: Cli, server: StandinServer, project: Path
) -> None:
    """The server stores validate_input with its defaults filled in (FromJSON
    ValidateInputHttpDefinition: headers [], timeout 10, forward_client_headers false) and exports
    its keys sorted; apply must verify against that form and the next plan must be empty."""
    rules = project / "permissions" / "tables" / "public.project_files.yaml"
    text = rules.read_text(encoding="utf-8")
    shorter = text.replace("        timeout: 5\n        forward_client_headers: false\n", "")
    assert shorter != text
    rules.write_text(shorter, encoding="utf-8")
    assert cli("compile").code == 0
    applied = cli("apply", "--env", "test", "--yes")
    assert (applied.code, applied.err) == (0, ""), applied.out
    assert "verified" in applied.out
    live = tables_of(server.export())["project_files"]["insert_permissions"]
    assert [p["permission"]["validate_input"] for p in live] == [
        {
            "definition": {
                "forward_client_headers": False,
                "headers": [],
                "timeout": 10,
                "url": "https://files.example.org/validate",
            },
            "type": "http",
        }
    ]
    again = cli("plan", "--env", "test")
    assert (again.code, again.out.startswith("No changes:")) == (0, True), again.out
    assert cli("drift", "--env", "test").code == 0
    assert cli("compile", "--check").code == 0


def test_root_fields_exported_in_another_order_are_no_difference(
    cli: Cli, server: StandinServer, project: Path
) -> None:
    """query_root_fields/subscription_root_fields are HashSets on the server (AllowedRootFields,
    RQL/Types/Permission.hs): the export's order is not the order sent. Verify, plan and drift
    must not report that as a difference."""
    rules = project / "permissions" / "tables" / "public.users.yaml"
    text = rules.read_text(encoding="utf-8")
    wider = text.replace(
        "    query_root_fields: [select, select_by_pk]\n",
        "    query_root_fields: [select_aggregate, select, select_by_pk]\n"
        "    subscription_root_fields: [select_stream, select]\n"
        "    allow_aggregations: true\n",
    )
    assert wider != text
    rules.write_text(wider, encoding="utf-8")
    assert cli("compile").code == 0
    applied = cli("apply", "--env", "test", "--yes")
    assert (applied.code, applied.err) == (0, ""), applied.out
    viewer = next(
        p
        for p in tables_of(server.export())["users"]["select_permissions"]
        if p["role"] == "viewer"
    )["permission"]
    sent = ["select", "select_aggregate", "select_by_pk"]  # compile writes them sorted
    assert sorted(viewer["query_root_fields"]) == sent
    assert viewer["query_root_fields"] != sent  # the server's own order
    assert cli("plan", "--env", "test").code == 0
    assert cli("drift", "--env", "test").code == 0
