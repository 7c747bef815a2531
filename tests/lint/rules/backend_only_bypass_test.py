from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table

BACKEND = {"check": {}, "columns": ["name", "org_id"], "backend_only": True}


def test_flags_another_role_inserting_or_later_rewriting_the_same_columns(tmp_path):
    projects = table(
        "public.projects",
        insert={"importer": BACKEND, "editor": {"check": {}, "columns": ["name"]}},
        update={"editor": {"columns": ["org_id"], "filter": {}}},
    )
    problems = found(context(tmp_path, projects), "backend-only-bypass")
    assert subjects(problems) == ["public.projects insert editor", "public.projects update editor"]
    assert "bypassing importer's backend-only insert" in problems[0].message
    assert "`org_id`" in problems[1].message


def test_near_miss_other_roles_are_backend_only_or_write_other_columns(tmp_path):
    projects = table(
        "public.projects",
        insert={
            "importer": BACKEND,
            "syncer": {**BACKEND, "columns": ["name"]},
            "editor": {"check": {}, "columns": ["is_public"]},
        },
        update={"editor": {"columns": ["is_public"], "filter": {}}},
    )
    assert found(context(tmp_path, projects), "backend-only-bypass") == []
