"""Matrix, explain, diff, whoami and lint see function permissions (on the worked example,
whose public.search_projects viewer may call and editor and project_admin inherit)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from hasura_perm.cognito.loader import load_cognito
from hasura_perm.cognito.whoami import role_summary
from hasura_perm.spec.project import load_project
from tests.helpers import run_cli
from tests.review.repo import worked_example

REPO = Path(__file__).resolve().parents[2]


def test_explain_an_inherited_function_permission() -> None:
    result = run_cli(
        "explain", "--role", "editor", "--hasura-function", "search_projects", cwd=REPO
    )
    assert result.code == 0, result.err
    assert result.out.splitlines()[:3] == [
        "editor calling function public.search_projects (returns public.projects):",
        "  allowed (inherited from viewer), rule at permissions/functions.yaml:11:5",
        "  function file: permissions: [{role: editor}]",
    ]
    denied = run_cli(
        "explain", "--role", "file_service", "--hasura-function", "public.search_projects",
        "--format", "json", cwd=REPO,
    )  # fmt: skip
    assert json.loads(denied.out) == {
        "function": "public.search_projects",
        "role": "file_service",
        "returns": "public.projects",
        "allowed": False,
    }
    unknown = run_cli(
        "explain", "--role", "viewer", "--hasura-function", "search_project", cwd=REPO
    )
    assert unknown.code == 1 and "did you mean `public.search_projects`" in unknown.err


def test_matrix_json_markdown_and_html_carry_functions() -> None:
    data = json.loads(run_cli("matrix", "--format", "json", cwd=REPO).out)
    granted = data["surface"]["functions"]["public.search_projects"]
    assert sorted(granted) == ["editor", "project_admin", "viewer"]
    assert granted["viewer"]["origin"] == "functions entry `search_projects`"
    markdown = run_cli("matrix", "--format", "markdown", cwd=REPO).out
    assert "### Tracked functions" in markdown
    assert "| `public.search_projects` | allowed | — | allowed | allowed |" in markdown
    page = run_cli("matrix", "--format", "html", cwd=REPO).out
    assert (
        "<li>function <code>public.search_projects</code>: editor, project_admin, viewer</li>"
        in page
    )


def test_diff_reports_a_function_grant_withdrawn(tmp_path: Path) -> None:
    repo = worked_example(tmp_path / "repo")
    repo.edit("permissions/functions.yaml", "    viewer: {}", "    viewer: {}\n    editor: deny")
    repo.commit("editors no longer search")
    result = run_cli("diff", "--base", "HEAD~1", "--head", "HEAD", cwd=repo.project)
    assert result.code == 2, result.out + result.err
    assert "function public.search_projects no longer granted to editor (narrowing)" in result.out
    assert "function public.search_projects no longer granted to project_admin" in result.out
    assert "2 action, function or introspection setting(s)" in result.out


def test_whoami_lists_a_role_s_functions_and_a_grant_without_select_is_refused(
    tmp_path: Path,
) -> None:
    repo = worked_example(tmp_path / "repo")
    loaded = load_cognito(load_project(repo.project))
    summary = role_summary(loaded.build.compiled, "viewer", {})
    assert "functions: public.search_projects" in summary
    # a new role granted the function without select on its return table
    roles = repo.project / "permissions/roles.yaml"
    data = yaml.safe_load(roles.read_text())
    data["roles"]["searcher"] = {"cognito_groups": ["searchers"]}
    roles.write_text(yaml.safe_dump(data, sort_keys=False))
    table = repo.project / "metadata/databases/default/tables/public_projects.yaml"
    assert "select_permissions:" in table.read_text()
    functions = repo.project / "permissions/functions.yaml"
    functions.write_text(functions.read_text() + "    searcher: {}\n")
    # compile refuses: searcher cannot select public.projects (a managed table)
    refused = run_cli("compile", cwd=repo.project)
    assert refused.code == 1
    assert "searcher may call function public.search_projects" in refused.err
    assert "permissions/functions.yaml:12:" in refused.err
