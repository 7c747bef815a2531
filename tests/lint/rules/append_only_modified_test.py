from __future__ import annotations

from hasura_perm.lint.context import Settings
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table

LOG = Settings(marks={"append_only": ("public.notes",)})


def test_flags_update_and_delete_on_an_append_only_table_even_for_admins(tmp_path):
    notes = table(
        "public.notes",
        update={"org_admin": {"columns": ["title"], "filter": {}}},
        delete={"viewer": {"filter": {"owner_id": {"_eq": "X-Hasura-User-Id"}}}},
    )
    problems = found(context(tmp_path, notes), "append-only-modified", LOG)
    assert subjects(problems) == ["public.notes update org_admin", "public.notes delete viewer"]


def test_near_miss_only_insert_and_select(tmp_path):
    notes = table(
        "public.notes",
        insert={"viewer": {"check": {}, "columns": ["title"]}},
        select={"viewer": {"columns": ["id"], "filter": {}}},
    )
    assert found(context(tmp_path, notes), "append-only-modified", LOG) == []
