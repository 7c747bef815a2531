"""Targeting: `plan`/`apply --table T --role R` change only what is named, and say loudly that
the plan is partial."""

from __future__ import annotations

import json
from pathlib import Path

from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import Cli


def test_a_partial_plan_says_so_first_and_lists_only_the_target(cli: Cli) -> None:
    full = json.loads(cli("plan", "--env", "test", "--format", "json").out)
    result = cli("plan", "--env", "test", "--table", "public.projects", "--role", "editor")
    assert result.code == 2, result.err
    targeted = [
        c for c in full["changes"] if c["table"] == "public.projects" and c["role"] == "editor"
    ]
    left_out = len(full["changes"]) + len(full["surface"]) - len(targeted)
    assert result.out.splitlines()[0] == (
        "WARNING: partial plan (--table public.projects --role editor): only these changes; "
        f"{left_out} other change(s) are left out. Run a full plan afterwards: the server "
        "differs from the project until then."
    )
    assert f"{len(targeted)} to add" in result.out
    assert "public.project_notes" not in result.out


def test_json_carries_the_target_and_keeps_stdout_json(cli: Cli) -> None:
    result = cli(
        "plan", "--env", "test", "--format", "json", "--role", "viewer", "--table", "projects"
    )
    data = json.loads(result.out)
    assert data["target"] == "--table projects --role viewer"
    assert {(c["table"], c["role"]) for c in data["changes"]} == {("public.projects", "viewer")}
    assert data["left_out"] > 0
    assert result.err.startswith("WARNING: partial plan (--table projects --role viewer)")


def test_markdown_shows_the_warning(cli: Cli) -> None:
    result = cli("plan", "--env", "test", "--format", "markdown", "--role", "viewer")
    assert result.out.startswith("> **WARNING: partial plan (--role viewer): only these changes;")


def test_apply_changes_only_the_target(cli: Cli, server: StandinServer) -> None:
    applied = cli(
        "apply", "--env", "test", "--yes", "--table", "public.projects", "--role", "editor"
    )
    assert applied.code == 0, applied.err
    assert applied.out.startswith("WARNING: partial plan (--table public.projects --role editor)")
    roles = {
        (entry["table"]["name"], permission["role"])
        for entry in server.export()["sources"][0]["tables"]
        for key in ("select_permissions", "insert_permissions", "update_permissions")
        for permission in entry.get(key) or []
    }
    assert roles == {("projects", "editor")}
    # The rest is still to do.
    assert cli("plan", "--env", "test").code == 2


def test_a_saved_partial_plan_stays_partial(cli: Cli, project: Path) -> None:
    saved = project / "plan.json"
    assert cli("plan", "--env", "test", "--role", "viewer", "--out", str(saved)).code == 2
    applied = cli("apply", "--env", "test", "--plan", str(saved), "--yes")
    assert applied.code == 0, applied.err
    assert applied.out.startswith("WARNING: partial plan (--role viewer)")
    refused = cli("apply", "--env", "test", "--plan", str(saved), "--role", "viewer")
    assert refused.code == 1
    assert "cannot be combined with --plan" in refused.err


def test_a_target_that_matches_nothing_plans_nothing(cli: Cli) -> None:
    result = cli("plan", "--env", "test", "--role", "nobody")
    assert result.code == 0
    assert result.out.startswith("WARNING: partial plan (--role nobody)")
