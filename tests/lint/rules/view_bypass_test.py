from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import run
from tests.lint.lintkit import table

SQL = """
CREATE TABLE public.projects (id integer PRIMARY KEY, name text, owner_id integer);
CREATE VIEW public.project_list AS
 SELECT p.id, p.name
   FROM public.projects p;
"""
OWN = {"owner_id": {"_eq": "X-Hasura-User-Id"}}


def test_flags_a_view_that_shows_rows_the_tables_filter_hides(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": OWN}})
    view = table(
        "public.project_list", select={"viewer": {"columns": ["id", "name"], "filter": {}}}
    )
    [problem] = found(context(tmp_path, projects, view, sql=SQL), "view-bypass")
    assert problem.subject() == "public.project_list select viewer"
    assert "public.projects" in problem.message and "ties rows to the caller" in problem.message


def test_near_miss_the_view_is_filtered_alike_or_the_table_is_not_exposed(tmp_path):
    projects = table(
        "public.projects",
        select={
            "viewer": {"columns": ["id"], "filter": OWN},
            "editor": {"columns": ["id"], "filter": {}},
        },
    )
    view = table(
        "public.project_list",
        select={
            "viewer": {"columns": ["id"], "filter": {"id": {"_in": "X-Hasura-Project-Ids"}}},
            "editor": {"columns": ["id"], "filter": {}},
            "guest": {"columns": ["id"], "filter": {}},  # no select on projects: a curated view
        },
    )
    assert found(context(tmp_path, projects, view, sql=SQL), "view-bypass") == []


def test_skipped_without_view_definitions(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": OWN}})
    result = run(context(tmp_path, projects), "view-bypass")
    assert result.skipped and result.skipped[0][0] == "view-bypass"
