from __future__ import annotations

from hasura_perm.lint.context import Settings
from tests.helpers import line_of
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table

MINE = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
UPDATE_OWN = {"viewer": {"columns": ["title"], "filter": MINE, "check": None}}


def test_flags_an_empty_select_filter_on_a_table_whose_rows_belong_to_users(tmp_path):
    notes = table(
        "public.notes",
        select={"viewer": {"columns": ["id", "title"], "filter": {}}},
        update=UPDATE_OWN,
    )
    problems = found(context(tmp_path, notes), "unfiltered-select")
    assert subjects(problems) == ["public.notes select viewer"]
    [problem] = problems
    assert "owner_id" in problem.message and "compares it with the caller's id" in problem.message
    path = tmp_path / "metadata/databases/default/tables/public_notes.yaml"
    assert problem.location.file.endswith("public_notes.yaml")
    assert problem.location.line == line_of(path, "- role: viewer")  # the select block


def test_near_miss_a_select_filtered_on_the_owner_or_by_an_admin(tmp_path):
    notes = table(
        "public.notes",
        select={
            "viewer": {"columns": ["id"], "filter": MINE},
            "org_admin": {"columns": ["id"], "filter": {}},
        },
        update=UPDATE_OWN,
    )
    assert found(context(tmp_path, notes), "unfiltered-select") == []


def test_a_foreign_key_to_users_alone_does_not_make_reads_personal(tmp_path):
    notes = table("public.notes", select={"viewer": {"columns": ["id"], "filter": {}}})
    assert found(context(tmp_path, notes), "unfiltered-select") == []


def test_lookup_tables_are_public_and_sensitive_tables_need_a_caller_filter(tmp_path):
    notes = table(
        "public.notes", select={"viewer": {"columns": ["id"], "filter": {}}}, update=UPDATE_OWN
    )
    projects = table(
        "public.projects",
        select={"viewer": {"columns": ["id"], "filter": {"is_public": {"_eq": True}}}},
    )
    ctx = context(tmp_path, notes, projects)
    marks = {"lookup": ("public.notes",), "sensitive": ("public.projects",)}
    problems = found(ctx, "unfiltered-select", Settings(marks=marks))
    assert subjects(problems) == ["public.projects select viewer"]
    assert "marked sensitive" in problems[0].message
