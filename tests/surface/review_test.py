"""Matrix, explain and diff show action permissions and introspection (on the worked example)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli
from tests.review.repo import worked_example

REPO = Path(__file__).resolve().parents[2]


def test_explain_an_inherited_action_permission() -> None:
    result = run_cli(
        "explain", "--role", "project_admin", "--hasura-action", "export_project_report", cwd=REPO
    )
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == [
        "project_admin calling action export_project_report:",
        "  allowed (inherited from editor), rule at permissions/actions.yaml:9:5",
    ]
    denied = run_cli(
        "explain",
        "--role",
        "viewer",
        "--hasura-action",
        "export_project_report",
        "--format",
        "json",
        cwd=REPO,
    )
    assert json.loads(denied.out) == {
        "action": "export_project_report",
        "role": "viewer",
        "allowed": False,
    }
    unknown = run_cli(
        "explain", "--role", "viewer", "--hasura-action", "export_projct_report", cwd=REPO
    )
    assert unknown.code == 1 and "did you mean `export_project_report`" in unknown.err
    neither = run_cli("explain", "--role", "viewer", cwd=REPO)
    assert neither.code == 1 and "--hasura-action" in neither.err


def test_matrix_json_carries_actions_and_introspection() -> None:
    data = json.loads(run_cli("matrix", "--format", "json", cwd=REPO).out)
    assert sorted(data["surface"]["actions"]["export_project_report"]) == [
        "editor",
        "project_admin",
    ]
    assert data["surface"]["introspection"] == {
        "editor": True,
        "file_service": False,
        "project_admin": True,
        "viewer": True,
    }


def test_diff_reports_a_new_action_grant_and_introspection_switch(tmp_path: Path) -> None:
    repo = worked_example(tmp_path / "repo")
    repo.edit(
        "permissions/actions.yaml",
        "  export_project_report:\n",
        "  export_project_report:\n    viewer: {}\n",
    )
    repo.edit("permissions/roles.yaml", "    introspection: false", "    introspection: true")
    repo.commit("viewers export; file_service introspects")
    result = run_cli(
        "diff", "--base", "HEAD~1", "--head", "HEAD", "--fail-on", "widening", cwd=repo.project
    )
    assert result.code == 2, result.out + result.err
    assert "⚠️ action export_project_report granted to viewer (widening)" in result.out
    assert "⚠️ introspection enabled for file_service (widening)" in result.out
    data = json.loads(
        run_cli(
            "diff", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", cwd=repo.project
        ).out
    )
    assert {(c["kind"], c["role"], c["change"]) for c in data["surface"]} == {
        ("action", "viewer", "add"),
        ("introspection", "file_service", "remove"),
    }


def test_matrix_html_lists_actions_and_introspection_under_the_grid() -> None:
    page = run_cli("matrix", "--format", "html", cwd=REPO).out
    section = page[page.index('<section id="surface">') : page.index("</section>")]
    assert "<li><code>export_project_report</code>: editor, project_admin</li>" in section
    assert "<li>schema introspection off for: file_service</li>" in section


def test_matrix_text_ends_with_actions_and_introspection() -> None:
    text = run_cli("matrix", cwd=REPO).out
    tail = text[text.index("Hasura actions, functions and introspection") :].splitlines()
    assert [line.split() for line in tail[1:]] == [
        ["action", "editor", "file_service", "project_admin", "viewer"],
        ["export_project_report", "allowed", "—", "allowed", "—"],
        ["function", "public.search_projects", "allowed", "—", "allowed", "allowed"],
        ["introspection", "on", "off", "on", "on"],
    ]


def test_review_shows_a_combines_role_as_derived_by_hasura(tmp_path: Path) -> None:
    repo = worked_example(tmp_path / "repo")
    repo.edit(
        "permissions/roles.yaml",
        "  file_service:\n",
        "  reviewer:\n    combines: [viewer, file_service]\n  lead:\n    combines: editor\n"
        "  file_service:\n",
    )
    repo.commit("reviewers and leads")
    diff = run_cli("diff", "--base", "HEAD~1", "--head", "HEAD", cwd=repo.project)
    assert diff.code == 2, diff.err  # changes found
    assert "2 action, introspection or inherited role setting(s)" in diff.out
    assert "reviewer becomes a Hasura inherited role of viewer, file_service (widening)" in (
        diff.out
    )
    matrix = json.loads(run_cli("matrix", "--format", "json", cwd=repo.project).out)
    assert matrix["surface"]["inherited_roles"] == {
        "lead": ["editor"],
        "reviewer": ["viewer", "file_service"],
    }
    cells = {(c["table"], c["role"], c["action"]): c for c in matrix["cells"]}
    viewer = cells[("public.projects", "viewer", "select")]
    reviewer = cells[("public.projects", "reviewer", "select")]
    assert reviewer["allowed"] and reviewer["origin"].startswith("derived by Hasura from viewer")
    assert reviewer["permission"]["columns"] == viewer["permission"]["columns"]
    # a write is derived from the one parent that has it (lead's only parent is editor)
    assert cells[("public.projects", "lead", "insert")]["allowed"]
    assert matrix["surface"]["actions"]["export_project_report"]["lead"]["origin"] == (
        "derived by Hasura from editor"
    )
    text = run_cli("matrix", cwd=repo.project).out
    assert "combines" in text and "viewer+file_service" in text
    explained = run_cli(
        "explain", "--role", "reviewer", "--table", "public.projects", "--action", "select",
        cwd=repo.project,
    )  # fmt: skip
    assert explained.code == 0, explained.err
    assert "`reviewer` is a Hasura inherited role (`combines`)" in explained.out
    assert "Derived by Hasura at request time (compile writes nothing for it):" in explained.out
    action = run_cli(
        "explain", "--role", "lead", "--hasura-action", "export_project_report", cwd=repo.project
    )
    assert "allowed (derived by Hasura from editor at request time" in action.out
