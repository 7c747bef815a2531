"""`hasura-perm lint` end to end: project and --metadata modes, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from hasura_perm.lint.rules import RULES
from tests.helpers import make_project
from tests.helpers import run_cli
from tests.helpers import write
from tests.helpers import write_metadata
from tests.lint.lintkit import table

REPO = Path(__file__).resolve().parents[2]

ROLES = """\
session:
  x-hasura-user-id: {from: sub}
roles:
  viewer: {cognito_groups: [viewers]}
  editor: {inherits: viewer, cognito_groups: [editors]}
"""
NOTES = """\
table: public.notes
select:
  viewer: {columns: [id, title], filter: {}}
update:
  editor: {columns: [title], filter: {}}
"""


def _project(tmp_path: Path, lint_section: str = "") -> Path:
    config = "version: 1\n" + lint_section
    return make_project(
        tmp_path / "p",
        {"roles.yaml": ROLES, "tables/notes.yaml": NOTES},
        config=config,
        schema={
            "public.notes": {"columns": {"id": "integer", "title": "text"}, "primary_key": ["id"]}
        },
    )


def test_the_worked_example_lints_clean_at_the_default_level():
    result = run_cli("--project", str(REPO), "lint")
    assert result.code == 0, result.out + result.err
    assert " error [" not in result.out


def test_the_worked_example_has_no_findings_even_at_warning_level():
    # project_files once let editors and project admins rewrite storage_key and file_size,
    # which only file_service's backend-only insert should set (backend-only-bypass); the
    # table now has its own narrower update rules.
    result = run_cli("--project", str(REPO), "lint", "--fail-level", "warning", "--format", "json")
    data = json.loads(result.out)
    assert data["problems"] == []
    assert result.code == 0


def test_project_findings_point_at_the_rule_in_permissions(tmp_path):
    root = _project(tmp_path)
    result = run_cli("--project", str(root), "lint")
    assert result.code == 0  # warnings only
    assert (
        "permissions/tables/notes.yaml:5:3: warning [unfiltered-write] editor may update every row of public.notes"
        in result.out
    )
    assert run_cli("--project", str(root), "lint", "--fail-level", "warning").code == 3


def test_config_severity_suppression_and_exit_codes(tmp_path):
    root = _project(
        tmp_path,
        """\
lint:
  rules:
    unfiltered-write: {level: error}
""",
    )
    assert run_cli("--project", str(root), "lint").code == 3
    write(
        root,
        "hasura-perm.yaml",
        """\
version: 1
lint:
  rules:
    unfiltered-write: {level: error}
  ignore:
    - rule: unfiltered-write
      table: public.notes
      role: editor
      reason: Editors curate every note
""",
    )
    result = run_cli("--project", str(root), "lint", "--show-suppressed")
    assert result.code == 0
    assert "1 suppressed" in result.out and "(reason: Editors curate every note)" in result.out


def test_a_suppression_without_reason_fails_with_its_location(tmp_path):
    root = _project(tmp_path, "lint:\n  ignore:\n    - {rule: unfiltered-write}\n")
    result = run_cli("--project", str(root), "lint")
    assert result.code == 1
    assert "hasura-perm.yaml:4:7: missing required key `reason`" in result.err


def test_metadata_mode_needs_no_project(tmp_path):
    notes = table("public.notes", delete={"viewer": {"filter": {}}})
    write_metadata(tmp_path / "metadata", {"public.notes": notes})
    write(
        tmp_path,
        "schema.sql",
        "CREATE TABLE public.users (id int PRIMARY KEY);\n"
        "CREATE TABLE public.notes (id int PRIMARY KEY, owner_id int REFERENCES public.users(id));\n",
    )
    result = run_cli(
        "lint", "--metadata", "metadata", "--schema", "schema.sql", "--format", "json", cwd=tmp_path
    )
    assert result.code == 3, result.err
    problems = json.loads(result.out)["problems"]
    assert [p["rule"] for p in problems] == ["owned-rows-writable", "write-without-select"]
    problem = problems[0]
    assert problem["file"] == "metadata/databases/default/tables/public_notes.yaml"
    assert problem["line"] == 5


def test_metadata_mode_reads_a_config_file(tmp_path):
    notes = table("public.notes", delete={"viewer": {"filter": {}}})
    write_metadata(tmp_path / "metadata", {"public.notes": notes})
    write(
        tmp_path,
        "lint.yaml",
        "lint:\n  rules:\n    unfiltered-write: disable\n    write-without-select: disable\n",
    )
    result = run_cli(
        "lint",
        "--metadata",
        "metadata",
        "--config",
        "lint.yaml",
        "--fail-level",
        "info",
        cwd=tmp_path,
    )
    assert result.code == 0, result.out
    assert "No problems" in result.out and "note: no --schema" in result.out


def test_schema_without_metadata_is_a_usage_error(tmp_path):
    root = _project(tmp_path)
    result = run_cli("--project", str(root), "lint", "--schema", "x.sql")
    assert result.code == 1 and "--schema goes with --metadata" in result.err


def test_list_rules_names_every_rule():
    result = run_cli("lint", "--list-rules")
    assert result.code == 0
    listed = [line.split()[0] for line in result.out.splitlines()]
    assert listed == list(RULES)


def test_sarif_and_github_formats_from_the_command(tmp_path):
    root = _project(tmp_path)
    sarif = json.loads(run_cli("--project", str(root), "lint", "--format", "sarif").out)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "unfiltered-write"
    github = run_cli("--project", str(root), "lint", "--format", "github").out
    assert github.startswith("::warning file=permissions/tables/notes.yaml,line=5,col=3,")
