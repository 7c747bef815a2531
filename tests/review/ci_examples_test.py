"""The example GitHub Actions workflows and the pre-commit hook: valid YAML, and every
hasura-perm command they run is one the CLI accepts (and, for the hook, behaves as promised)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from hasura_perm.cli import build_parser
from tests.helpers import run_cli
from tests.review.repo import N
from tests.review.repo import small_project

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / "examples" / "ci").glob("*.yml"))


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def commands_in(script: str) -> list[list[str]]:
    """Every hasura-perm command line of a `run:` script, as arguments, with GitHub
    expressions replaced by sample values and shell redirections dropped."""
    script = re.sub(r"\$\{\{\s*[^}]*base_ref[^}]*\}\}", "main", script)
    script = re.sub(r"\$\{\{\s*[^}]*\}\}", "staging", script)
    found = []
    for line in script.splitlines():
        line = line.strip()
        if not line.startswith("hasura-perm "):
            continue
        words = shlex.split(line, comments=True)
        cut = next((i for i, w in enumerate(words) if w in (">", ">>", "|", "||", "&&")), None)
        found.append(words[1:cut])
    return found


def test_the_examples_are_there() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "compile-check.yml",
        "nightly-drift.yml",
        "permission-diff.yml",
    ]


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_commands_are_accepted_by_the_cli(path: Path) -> None:
    workflow = load(path)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers and workflow["jobs"]
    commands = [
        cmd
        for job in workflow["jobs"].values()
        for step in job["steps"]
        for cmd in commands_in(step.get("run", ""))
    ]
    assert commands, f"{path.name} runs no hasura-perm command"
    parser = build_parser()
    for argv in commands:
        parser.parse_args(argv)  # exits (fails the test) on an unknown option


def test_the_diff_workflow_gates_widening() -> None:
    workflow = load(REPO / "examples" / "ci" / "permission-diff.yml")
    diff_job = workflow["jobs"]["diff"]
    checkout = diff_job["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0
    (run,) = [s["run"] for s in diff_job["steps"] if s.get("id") == "gate"]
    (command,) = commands_in(run)
    assert command[:1] == ["diff"] and "--merge-base" in command
    assert command[command.index("--fail-on") + 1] == "widening"
    assert command[command.index("--format") + 1] == "markdown"
    gate = workflow["jobs"]["approve-widening"]
    assert gate["environment"] == "permission-widening"
    assert gate["if"] == "needs.diff.outputs.widening == 'true'"


def test_the_drift_workflow_covers_each_environment() -> None:
    workflow = load(REPO / "examples" / "ci" / "nightly-drift.yml")
    job = workflow["jobs"]["drift"]
    environments = job["strategy"]["matrix"]["environment"]
    configured = load(REPO / "hasura-perm.yaml")["environments"]
    assert set(environments) <= set(configured)
    assert job["strategy"]["fail-fast"] is False
    assert "schedule" in workflow.get("on", workflow.get(True))


def test_pre_commit_hook_runs_compile_check(tmp_path: Path) -> None:
    (hook,) = load(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "hasura-perm-compile-check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    assert re.search(hook["files"], "permissions/tables/public.notes.yaml")
    assert re.search(hook["files"], "hasura-perm.yaml")
    assert not re.search(hook["files"], "src/app.py")
    argv = shlex.split(hook["entry"])
    assert argv[0] == "hasura-perm"

    project = small_project(tmp_path / "repo").project
    assert run_cli(*argv[1:], cwd=project).code == 2  # metadata/ not compiled yet
    assert run_cli("compile", cwd=project).code == 0
    assert run_cli(*argv[1:], cwd=project).code == 0
    (project / N).write_text((project / N).read_text().replace("limit: 100", "limit: 10"))
    stale = run_cli(*argv[1:], cwd=project)
    assert stale.code == 2 and "run `hasura-perm compile`" in stale.out
