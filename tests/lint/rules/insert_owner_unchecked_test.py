from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_an_insert_that_may_name_any_owner(tmp_path):
    notes = table(
        "public.notes", insert={"viewer": {"check": {}, "columns": ["title", "owner_id"]}}
    )
    [problem] = found(context(tmp_path, notes), "insert-owner-unchecked")
    assert problem.subject() == "public.notes insert viewer"
    assert "any `owner_id`" in problem.message


def test_near_miss_the_owner_is_preset_or_checked(tmp_path):
    notes = table(
        "public.notes",
        insert={
            "viewer": {"check": {}, "columns": ["title"], "set": {"owner_id": "X-Hasura-User-Id"}},
            "editor": {
                "check": {"owner_id": {"_eq": "X-Hasura-User-Id"}},
                "columns": ["title", "owner_id"],
            },
        },
    )
    assert found(context(tmp_path, notes), "insert-owner-unchecked") == []


def test_naming_another_user_on_a_row_attributed_to_its_creator_is_a_delegation(tmp_path):
    notes = table(
        "public.notes",
        insert={
            "editor": {
                "check": {},
                "columns": ["title", "owner_id"],
                "set": {"created_by": "x-hasura-user-id"},
            }
        },
    )
    assert found(context(tmp_path, notes), "insert-owner-unchecked") == []
