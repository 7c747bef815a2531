from __future__ import annotations

from hasura_perm.lint.context import Settings
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table


def test_flags_update_and_delete_on_every_row_for_a_non_admin_role(tmp_path):
    projects = table(
        "public.projects",
        update={"editor": {"columns": ["name"], "filter": {}, "check": None}},
        delete={"editor": {"filter": {"is_public": {"_eq": False}}}},
    )
    problems = found(context(tmp_path, projects), "unfiltered-write")
    assert subjects(problems) == ["public.projects update editor", "public.projects delete editor"]
    assert "the filter is empty" in problems[0].message
    assert "does not depend on the caller" in problems[1].message


def test_near_miss_a_caller_scoped_filter_or_an_admin_role(tmp_path):
    projects = table(
        "public.projects",
        update={
            "editor": {"columns": ["name"], "filter": {"org_id": {"_eq": "X-Hasura-Org-Id"}}},
            "project_admin": {"columns": ["name"], "filter": {}},
        },
        delete={"editor": {"filter": {"_or": [{}, {"org_id": {"_eq": "X-Hasura-Org-Id"}}]}}},
    )
    problems = found(context(tmp_path, projects), "unfiltered-write")
    # `_or` with an always-true branch is not scoped: only that delete is reported
    assert subjects(problems) == ["public.projects delete editor"]


def test_admin_roles_can_be_listed(tmp_path):
    projects = table("public.projects", update={"manager": {"columns": ["name"], "filter": {}}})
    ctx = context(tmp_path, projects)
    assert subjects(found(ctx, "unfiltered-write")) == ["public.projects update manager"]
    assert found(ctx, "unfiltered-write", Settings(admin_roles=("manager",))) == []


def test_tables_with_an_owner_column_are_left_to_owned_rows_writable(tmp_path):
    notes = table("public.notes", delete={"editor": {"filter": {}}})
    assert found(context(tmp_path, notes), "unfiltered-write") == []
