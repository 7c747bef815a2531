from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_granted_preset_and_tested_columns_the_schema_lacks(tmp_path):
    notes = table(
        "public.notes",
        select={"viewer": {"columns": ["id", "titel"], "filter": {"is_delted": {"_eq": False}}}},
        insert={
            "viewer": {"check": {}, "columns": ["title"], "set": {"ownr_id": "X-Hasura-User-Id"}}
        },
    )
    ghost = table("public.ghosts", select={"viewer": {"columns": ["id"], "filter": {}}})
    messages = [p.message for p in found(context(tmp_path, notes, ghost), "unknown-column")]
    assert any("public.ghosts is not in the schema" in m for m in messages)
    assert any(
        "`titel` is not a column of public.notes; did you mean `title`?" in m for m in messages
    )
    assert any("`ownr_id`" in m for m in messages)
    assert any("tests `is_delted`" in m for m in messages)
    assert len(messages) == 4


def test_near_miss_every_name_exists(tmp_path):
    notes = table(
        "public.notes",
        select={"viewer": {"columns": ["id", "title"], "filter": {"is_deleted": {"_eq": False}}}},
    )
    assert found(context(tmp_path, notes), "unknown-column") == []
