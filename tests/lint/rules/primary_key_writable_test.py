from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import run
from tests.lint.lintkit import table


def test_flags_an_update_of_the_primary_key(tmp_path):
    notes = table("public.notes", update={"editor": {"columns": ["id", "title"], "filter": {}}})
    [problem] = found(context(tmp_path, notes), "primary-key-writable")
    assert "`id`" in problem.message


def test_near_miss_key_not_writable_or_admin(tmp_path):
    notes = table(
        "public.notes",
        update={
            "editor": {"columns": ["title"], "filter": {}},
            "org_admin": {"columns": ["id"], "filter": {}},
        },
    )
    assert found(context(tmp_path, notes), "primary-key-writable") == []


def test_skipped_with_the_reason_without_a_schema(tmp_path):
    notes = table("public.notes", update={"editor": {"columns": ["id"], "filter": {}}})
    result = run(context(tmp_path, notes, schema=None), "primary-key-writable")
    assert result.problems == []
    assert result.skipped == [
        ("primary-key-writable", "no schema: pass --schema FILE (a snapshot or a SQL dump)")
    ]
