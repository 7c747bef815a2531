from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_a_delete_by_a_role_that_cannot_select(tmp_path):
    projects = table(
        "public.projects",
        select={"viewer": {"columns": ["id"], "filter": {}}},
        delete={"editor": {"filter": {"org_id": {"_eq": "X-Hasura-Org-Id"}}}},
    )
    [problem] = found(context(tmp_path, projects), "write-without-select")
    assert problem.subject() == "public.projects delete editor"
    assert "no select permission" in problem.message


def test_near_miss_the_role_can_select_or_the_rule_is_backend_only(tmp_path):
    projects = table(
        "public.projects",
        select={"editor": {"columns": ["id"], "filter": {}}},
        update={"editor": {"columns": ["name"], "filter": {}}},
        delete={"cleaner": {"filter": {}, "backend_only": True}},
    )
    assert found(context(tmp_path, projects), "write-without-select") == []
