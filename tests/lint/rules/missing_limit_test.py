from __future__ import annotations

from hasura_perm.lint.context import Settings
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import run
from tests.lint.lintkit import table

LARGE = Settings(marks={"large": ("public.projects",)})


def test_flags_a_large_table_without_limit(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": {}}})
    [problem] = found(context(tmp_path, projects), "missing-limit", LARGE)
    assert problem.subject() == "public.projects select viewer"


def test_near_miss_a_limit_or_an_admin(tmp_path):
    projects = table(
        "public.projects",
        select={
            "viewer": {"columns": ["id"], "filter": {}, "limit": 50},
            "org_admin": {"columns": ["id"], "filter": {}},
        },
    )
    assert found(context(tmp_path, projects), "missing-limit", LARGE) == []


def test_skipped_unless_a_table_is_marked_large_or_all_tables_is_set(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": {}}})
    ctx = context(tmp_path, projects)
    result = run(ctx, "missing-limit")
    assert result.skipped == [("missing-limit", "no table is marked `large` in lint.tables")]
    assert len(found(ctx, "missing-limit", all_tables=True)) == 1
