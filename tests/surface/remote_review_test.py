"""Matrix, explain and diff show role-based remote schemas (the worked example plus one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.review.repo import GitRepo
from tests.review.repo import worked_example

SMALL = "type Query {\n  countries: [Country!]!\n}\ntype Country {\n  code: ID!\n}\n"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = worked_example(tmp_path / "repo")
    repo.write(
        "metadata/remote_schemas.yaml",
        "- name: countries\n  definition:\n    url: https://countries.example/graphql\n"
        "    timeout_seconds: 60\n",
    )
    repo.write(
        "permissions/remote_schemas.yaml",
        "remote_schemas:\n  countries:\n    viewer: {schema_file: remote/viewer.graphql}\n"
        "    file_service: deny\n",
    )
    repo.write("permissions/remote/viewer.graphql", SMALL)
    assert run_cli("compile", cwd=repo.project).code == 0
    repo.commit("countries for viewers")
    return repo


def test_matrix_shows_each_roles_schema(repo: GitRepo) -> None:
    data = json.loads(run_cli("matrix", "--format", "json", cwd=repo.project).out)
    countries = data["surface"]["remote_schemas"]["countries"]
    assert sorted(countries) == ["editor", "project_admin", "viewer"]
    assert countries["editor"]["origin"] == "inherited from viewer"
    assert (countries["viewer"]["types"], countries["viewer"]["fields"]) == (2, 2)
    text = run_cli("matrix", cwd=repo.project).out
    row = next(line for line in text.splitlines() if "remote schema countries" in line)
    assert row.split()[3:] == ["2", "fields", "—", "2", "fields", "2", "fields"]
    page = run_cli("matrix", "--format", "html", cwd=repo.project).out
    assert (
        "<li>remote schema <code>countries</code>: editor (2 fields), project_admin (2 fields), "
        "viewer (2 fields)</li>"
    ) in page
    markdown = run_cli("matrix", "--format", "markdown", cwd=repo.project).out
    assert "| `countries` | 2 fields | — | 2 fields | 2 fields |" in markdown


def test_explain_a_remote_schema(repo: GitRepo) -> None:
    result = run_cli(
        "explain", "--role", "editor", "--remote-schema", "countries", cwd=repo.project
    )
    assert result.code == 0, result.err
    assert result.out.splitlines()[:3] == [
        "editor on remote schema countries:",
        "  role-based schema (inherited from viewer), rule at permissions/remote_schemas.yaml:3:5,"
        " schema in permissions/remote/viewer.graphql",
        "  2 field(s): Country.code Query.countries",
    ]
    denied = run_cli(
        "explain",
        "--role",
        "file_service",
        "--remote-schema",
        "countries",
        "--format",
        "json",
        cwd=repo.project,
    )
    assert json.loads(denied.out) == {
        "remote_schema": "countries",
        "role": "file_service",
        "allowed": False,
    }
    unknown = run_cli(
        "explain", "--role", "viewer", "--remote-schema", "contries", cwd=repo.project
    )
    assert unknown.code == 1 and "did you mean `countries`" in unknown.err


def test_diff_reports_a_wider_schema(repo: GitRepo) -> None:
    repo.write(
        "permissions/remote/viewer.graphql",
        SMALL.replace("code: ID!", "code: ID!\n  name: String"),
    )
    repo.commit("viewers see country names")
    result = run_cli(
        "diff", "--base", "HEAD~1", "--head", "HEAD", "--fail-on", "widening", cwd=repo.project
    )
    assert result.code == 2, result.out + result.err
    assert "actions, introspection and remote schemas" in result.out
    assert (
        "remote schema countries: viewer's schema changes (+Country.name) (widening)" in result.out
    )
    assert "action, introspection or remote schema setting(s)" in result.out
    data = json.loads(
        run_cli(
            "diff", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", cwd=repo.project
        ).out
    )
    assert {(c["kind"], c["role"], c["change"]) for c in data["surface"]} == {
        ("remote_schema", "editor", "update"),
        ("remote_schema", "project_admin", "update"),
        ("remote_schema", "viewer", "update"),
    }
