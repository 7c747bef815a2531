"""plan, drift and diff classify a change with one classifier (boolexp/effect.py): a filter
replaced by a strictly weaker one is `widening` in all three. Before, plan and drift said
`mixed` where diff, which alone refined by implication, said `widening`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.plan_apply.conftest import Cli
from tests.review.repo import GitRepo

USERS = "permissions/tables/public.users.yaml"
BEFORE = "filter: {is_active: {_eq: true}}"
AFTER = "filter: {is_active: {_in: [true, false]}}"  # `_eq a` implies `_in [a, ...]`


def _users_select_viewer(changes: list[dict]) -> dict:
    (change,) = [
        c
        for c in changes
        if (c["table"], c["action"], c["role"]) == ("public.users", "select", "viewer")
    ]
    return change


def test_plan_drift_and_diff_agree_on_a_filter_made_strictly_weaker(
    cli: Cli, project: Path
) -> None:
    assert cli("apply", "--env", "test", "--yes").code == 0
    repo = GitRepo(project)
    repo.commit("applied")
    repo.edit(USERS, BEFORE, AFTER)
    assert cli("compile").code == 0

    planned = cli("plan", "--env", "test", "--format", "json")
    reviewed = cli("diff", "--base", "main", "--format", "json")
    assert (planned.code, reviewed.code) == (2, 2), planned.err + reviewed.err
    plan_change = _users_select_viewer(json.loads(planned.out)["changes"])
    diff_change = _users_select_viewer(json.loads(reviewed.out)["changes"])

    assert plan_change["effect"] == diff_change["effect"] == "widening"
    plan_filter = plan_change["detail"]["fields"]["filter"]
    assert plan_filter["effect"] == "widening"
    assert plan_filter["decided_by"] == "implication"

    # drift: the server now holds the weaker rule, metadata/ the stronger one again; the server
    # grants more than committed, and drift says so (before: mixed).
    assert cli("apply", "--env", "test", "--yes").code == 0
    repo.edit(USERS, AFTER, BEFORE)
    assert cli("compile").code == 0
    drift = cli("drift", "--env", "test", "--format", "json")
    assert drift.code == 2, drift.err
    drifted = _users_select_viewer(json.loads(drift.out)["changes"])
    assert drifted["effect"] == "widening"
    assert drifted["detail"]["fields"]["filter"]["decided_by"] == "implication"
