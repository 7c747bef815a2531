from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table

STAMP = {"created_by": "X-Hasura-User-Id"}


def test_flags_an_update_that_rewrites_what_the_insert_presets(tmp_path):
    notes = table(
        "public.notes",
        insert={"editor": {"check": {}, "columns": ["title"], "set": STAMP}},
        update={"editor": {"columns": ["title", "created_by"], "filter": {}}},
    )
    [problem] = found(context(tmp_path, notes), "preset-column-writable")
    assert problem.subject() == "public.notes update editor"
    assert "`created_by`" in problem.message and "editor's insert rule presets" in problem.message


def test_near_miss_the_update_leaves_it_out_or_presets_it_too(tmp_path):
    notes = table(
        "public.notes",
        insert={"editor": {"check": {}, "columns": ["title", "created_by"], "set": STAMP}},
        update={
            "editor": {"columns": ["title"], "filter": {}},
            "viewer": {"columns": ["title", "created_by"], "filter": {}, "set": STAMP},
        },
    )
    assert found(context(tmp_path, notes), "preset-column-writable") == []


def test_admin_roles_only_with_the_option(tmp_path):
    notes = table(
        "public.notes",
        insert={"editor": {"check": {}, "columns": ["title"], "set": STAMP}},
        update={"org_admin": {"columns": ["created_by"], "filter": {}}},
    )
    ctx = context(tmp_path, notes)
    assert found(ctx, "preset-column-writable") == []
    assert len(found(ctx, "preset-column-writable", check_admin_roles=True)) == 1
