"""`hasura-perm matrix` on the worked example and small projects: markdown, JSON, HTML, filters."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.review.repo import small_project

REPO = Path(__file__).resolve().parents[2]


def matrix_json(*args: str, cwd: Path = REPO) -> dict:
    result = run_cli("matrix", "--format", "json", *args, cwd=cwd)
    assert result.code == 0, result.err
    return json.loads(result.out)


def cell(data: dict, table: str, role: str, action: str) -> dict:
    (found,) = [
        c for c in data["cells"] if (c["table"], c["role"], c["action"]) == (table, role, action)
    ]
    return found


def test_json_has_every_cell_with_its_rule() -> None:
    data = matrix_json()

    assert data["roles"] == ["editor", "file_service", "project_admin", "viewer"]
    assert data["actions"] == ["select", "insert", "update", "delete"]
    assert len(data["tables"]) == 10
    assert len(data["cells"]) == 10 * 4 * 4
    viewer = cell(data, "public.projects", "viewer", "select")
    assert viewer["allowed"] and viewer["row_filtered"]
    assert (viewer["columns"], viewer["table_columns"]) == (11, 17)
    assert viewer["origin"] == "table file"
    assert viewer["location"] == "permissions/tables/public.projects.yaml:5:3"
    assert viewer["rule"]["filter"] == "published"
    assert viewer["conditions"] == ["published", "not_deleted"]
    assert viewer["permission"]["filter"] == {
        "_and": [{"is_deleted": {"_eq": False}}, {"is_published": {"_eq": True}}]
    }
    admin = cell(data, "public.projects", "project_admin", "select")
    assert admin["row_filtered"] is False and admin["columns"] == 17
    inherited = cell(data, "public.project_notes", "project_admin", "insert")
    assert inherited["origin"] == "inherited from editor (default `public.project_*`)"
    assert inherited["location"] == "permissions/defaults.yaml:30:7"
    update = cell(data, "public.projects", "editor", "update")
    assert update["row_filtered"] and update["update_checked"]
    delete = cell(data, "public.project_notes", "project_admin", "delete")
    assert delete["columns"] is None and delete["row_filtered"] is False
    denied = cell(data, "public.projects", "project_admin", "delete")
    assert denied == {
        "table": "public.projects",
        "role": "project_admin",
        "action": "delete",
        "allowed": False,
        "denied_at": "permissions/tables/public.projects.yaml:50:3",
    }
    nothing = cell(data, "public.projects", "file_service", "select")
    assert nothing["allowed"] is False and nothing["denied_at"] is None


def test_markdown_one_table_per_action() -> None:
    result = run_cli("matrix", "--format", "markdown", cwd=REPO)
    assert result.code == 0
    md = result.out
    assert md.startswith("## Access matrix\n\n10 tables × 4 roles.")
    assert [line for line in md.splitlines() if line.startswith("### ")] == [
        "### select",
        "### insert",
        "### update",
        "### delete",
        "### Hasura actions",
        "### Tracked functions",
        "### GraphQL schema introspection",
    ]
    assert "| `export_project_report` | allowed | — | allowed | — |" in md
    assert "| introspection | on | off | on | on |" in md
    assert "| table | `editor` | `file_service` | `project_admin` | `viewer` |" in md
    assert (
        "| `public.projects` | 17/17 · filtered | — | 17/17 · all rows | 11/17 · filtered |" in md
    )
    assert "| `public.project_files` | 9/10 · filtered | — | 10/10 · all rows | denied |" in md
    update = md[md.index("### update") : md.index("### delete")]
    assert "| `public.projects` | 10/17 · filtered + check | — | 12/17 · all rows | — |" in update
    delete = md[md.index("### delete") :]
    assert "| `public.projects` | — | — | denied | — |" in delete
    assert "| `public.project_notes` | — | — | all rows | — |" in delete
    assert run_cli("matrix", "--format", "markdown", cwd=REPO).out == md  # stable


def test_role_and_table_filters() -> None:
    data = matrix_json(
        "--role", "viewer", "--role", "*_admin", "--table", "public.project_*", "--table", "users"
    )
    assert data["roles"] == ["project_admin", "viewer"]
    assert data["tables"] == [
        "public.project_components",
        "public.project_files",
        "public.project_notes",
        "public.project_statuses",
        "public.users",
    ]
    assert len(data["cells"]) == 5 * 2 * 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "viewr"], "no role matches 'viewr'; did you mean `viewer`?"),
        (
            ["--role", "nobody"],
            "no role matches 'nobody' (roles: editor, file_service, project_admin, viewer)",
        ),
        (
            ["--table", "public.project"],
            "no managed table matches 'public.project'; did you mean `public.projects`?",
        ),
    ],
)
def test_filters_that_match_nothing(args: list[str], message: str) -> None:
    result = run_cli("matrix", *args, cwd=REPO)
    assert result.code == 1
    assert message in result.err


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.data = ""
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
            self._in_data = found.get("id") == "matrix-data"
        for name in ("src", "href"):
            if found.get(name):
                self.external.append(f"{tag} {name}={found[name]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data += data


def test_html_is_one_self_contained_file(tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    result = run_cli("matrix", "--format", "html", "--out", str(out), cwd=REPO)
    # The file holds the page; stdout shows the matrix as text (the output contract).
    assert result.code == 0 and result.out.startswith("Access matrix: 10 tables x 4 roles.")
    assert f"Wrote the access matrix (html) to {out}." in result.err
    text = out.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    assert page.external == []  # no src=, no href=: nothing to fetch
    assert "@import" not in text and "url(" not in text
    assert len(page.scripts) == 2
    assert json.loads(page.data) == matrix_json()


def test_html_keeps_hostile_text_inert(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.edit(
        "permissions/tables/public.notes.yaml",
        "comment: Backend reads big notes",
        "comment: \"</script><script>alert('x')</script> & <b>bold</b>\"",
    )
    out = tmp_path / "m.html"
    assert run_cli("matrix", "--format", "html", "--out", str(out), cwd=repo.project).code == 0
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    assert len(page.scripts) == 2  # the comment did not open a script element
    data = json.loads(page.data)
    service = cell(data, "public.notes", "service", "select")
    assert service["comment"] == "</script><script>alert('x')</script> & <b>bold</b>"


def test_text_is_the_default() -> None:
    result = run_cli("matrix", cwd=REPO)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Access matrix: 10 tables x 4 roles."
    assert "select" in lines and "delete" in lines
    header = next(line for line in lines if line.startswith("  table "))
    assert header.split() == ["table", "editor", "file_service", "project_admin", "viewer"]
