"""Plans: the difference between two permission sets at (table, action, role) level, change
records in Hasura's export form, summaries, and a plan saved to a file and read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.remote.plan import ADD
from hasura_perm.remote.plan import REMOVE
from hasura_perm.remote.plan import UPDATE
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.plan import apply_changes
from hasura_perm.remote.plan import compare
from hasura_perm.remote.plan import diff
from hasura_perm.remote.plan import same_entry
from hasura_perm.remote.plan import same_permissions
from hasura_perm.remote.plan import summarize

PROJECTS = TableName("public", "projects")
USERS = TableName("public", "users")
OPEN = {"columns": ["id", "name"], "filter": {}}
OWN = {"columns": ["id"], "filter": {"owner_id": {"_eq": "X-Hasura-User-Id"}}}


def _live() -> PermissionSet:
    return PermissionSet(
        [
            Permission(PROJECTS, "select", "viewer", OPEN),
            Permission(PROJECTS, "select", "editor", OPEN),
            Permission(USERS, "delete", "admin2", {"filter": {}}),
        ]
    )


def _desired() -> PermissionSet:
    return PermissionSet(
        [
            Permission(PROJECTS, "select", "viewer", OWN),
            Permission(PROJECTS, "select", "editor", OPEN, "Editors read everything"),
            Permission(PROJECTS, "insert", "editor", {"check": {}, "columns": ["name"]}),
        ]
    )


def test_diff_lists_every_difference_in_table_action_role_order() -> None:
    changes = diff(_live(), _desired())
    assert [(str(c.table), c.action, c.role, c.change) for c in changes] == [
        ("public.projects", "insert", "editor", ADD),
        ("public.projects", "select", "editor", UPDATE),
        ("public.projects", "select", "viewer", UPDATE),
        ("public.users", "delete", "admin2", REMOVE),
    ]
    effects = {(c.action, c.role): c.effect for c in changes}
    assert effects == {
        ("insert", "editor"): "widening",
        ("select", "editor"): "neutral",  # only the comment changed
        ("select", "viewer"): "narrowing",  # fewer columns, a filter added
        ("delete", "admin2"): "narrowing",
    }
    assert changes[1].comment_only and not changes[2].comment_only


def test_an_added_permission_is_recorded_in_hasuras_export_form() -> None:
    written = Permission(
        PROJECTS, "insert", "editor", {"columns": ["name"], "check": {}}, origin="table file"
    )
    change = compare(None, written)
    assert change is not None
    assert change.after is not None
    # insert's stored key order is check, set, columns...: the record carries that form,
    # and only what Hasura stores (not where the rule came from).
    assert list(change.after.body) == ["check", "columns"]
    assert change.after.origin == ""


def test_equivalent_permissions_are_no_change() -> None:
    key = PROJECTS, "select", "viewer"
    reordered = Permission(*key, {"filter": {}, "columns": ["name", "id"]})
    assert compare(Permission(*key, OPEN), reordered) is None
    assert same_entry(Permission(*key, OPEN), reordered)
    assert not same_entry(Permission(*key, OPEN), Permission(*key, OPEN, "a comment"))
    assert not same_entry(Permission(*key, OPEN), None) and same_entry(None, None)
    assert compare(None, None) is None


def test_apply_changes_gives_the_desired_set_and_leaves_its_input_alone() -> None:
    live = _live()
    result = apply_changes(live, diff(live, _desired()))
    assert same_permissions(result, _desired())
    assert live == _live()  # a copy was changed
    assert not same_permissions(live, _desired())


def test_summarize_counts_kinds_and_effects() -> None:
    summary = summarize(diff(_live(), _desired()))
    assert summary == {
        "changes": 4,
        "add": 1,
        "update": 2,
        "remove": 1,
        "widening": 1,
        "narrowing": 2,
        "mixed": 0,
        "neutral": 1,
    }


def _plan(**extra: Any) -> Plan:
    return Plan(
        diff(_live(), _desired()), "staging", "https://h.example.org", "default", 7, **extra
    )


def test_a_plan_saved_to_a_file_reads_back_the_same(tmp_path: Path) -> None:
    plan = _plan(prune=True, target="--table public.projects", left_out=1)
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps(plan.to_json()), encoding="utf-8")
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["format"] == "hasura-perm plan" and data["format_version"] == 1
    assert data["summary"]["changes"] == 4
    again = Plan.from_json(data, str(saved))
    assert again.changes == plan.changes
    assert (again.environment, again.endpoint, again.source) == (
        "staging",
        plan.endpoint,
        "default",
    )
    assert (again.resource_version, again.prune, again.target, again.left_out) == (
        7,
        True,
        "--table public.projects",
        1,
    )
    assert again.exit_code == ExitCode.DIFFERENCES


def test_a_plan_without_changes_exits_0() -> None:
    plan = Plan([], "staging", "https://h.example.org", "default", 7)
    assert not plan.changed and plan.exit_code == ExitCode.OK
    assert "target" not in plan.to_json()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"changes": []}, "is not a plan saved by `hasura-perm plan --out`"),
        (["not", "a", "mapping"], "is not a plan saved by"),
        ({"format": "hasura-perm plan", "format_version": 2}, "has plan format version 2"),
        ({"format": "hasura-perm plan", "format_version": 1}, r"is damaged \(KeyError"),
    ],
)
def test_a_file_that_is_not_a_readable_plan_is_refused(data: Any, message: str) -> None:
    with pytest.raises(HasuraPermError, match=message):
        Plan.from_json(data, "plan.json")


def test_a_change_with_an_unknown_action_is_damage() -> None:
    data = _plan().to_json()
    data["changes"][0]["action"] = "upsert"
    with pytest.raises(HasuraPermError, match=r"plan.json is damaged \(ValueError"):
        Plan.from_json(data, "plan.json")
