from __future__ import annotations

from hasura_perm.lint.context import Settings
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table


def test_flags_aggregations_next_to_a_limit(tmp_path):
    projects = table(
        "public.projects",
        select={
            "viewer": {"columns": ["id"], "filter": {}, "limit": 100, "allow_aggregations": True}
        },
    )
    [problem] = found(context(tmp_path, projects), "aggregation-leak")
    assert "ignore its limit of 100" in problem.message


def test_flags_aggregations_over_other_users_rows_of_a_sensitive_table(tmp_path):
    projects = table(
        "public.projects",
        select={"viewer": {"columns": ["id"], "filter": {}, "allow_aggregations": True}},
    )
    ctx = context(tmp_path, projects)
    assert found(ctx, "aggregation-leak") == []  # not sensitive, no limit: near miss
    problems = found(ctx, "aggregation-leak", Settings(marks={"sensitive": ("public.projects",)}))
    assert subjects(problems) == ["public.projects select viewer"]


def test_near_miss_no_aggregations_or_a_caller_scoped_sensitive_table(tmp_path):
    projects = table(
        "public.projects",
        select={
            "viewer": {"columns": ["id"], "filter": {}, "limit": 10},
            "member": {
                "columns": ["id"],
                "filter": {"org_id": {"_eq": "X-Hasura-Org-Id"}},
                "allow_aggregations": True,
            },
        },
    )
    settings = Settings(marks={"sensitive": ("public.projects",)})
    assert found(context(tmp_path, projects), "aggregation-leak", settings) == []
