from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table


def test_flags_deleting_every_users_rows_through_a_foreign_key_to_users(tmp_path):
    notes = table("public.notes", delete={"viewer": {"filter": {}}})
    [problem] = found(context(tmp_path, notes), "owned-rows-writable")
    assert problem.subject() == "public.notes delete viewer"
    assert "`owner_id`" in problem.message and "foreign key to public.users" in problem.message


def test_near_miss_the_filter_ties_rows_to_the_caller(tmp_path):
    notes = table(
        "public.notes",
        delete={"viewer": {"filter": {"owner_id": {"_eq": "X-Hasura-User-Id"}}}},
        update={
            "viewer": {"columns": ["title"], "filter": {"owner_id": {"_eq": "x-hasura-user-id"}}}
        },
    )
    assert found(context(tmp_path, notes), "owned-rows-writable") == []


def test_a_users_column_on_rows_attributed_to_their_creator_names_a_subject(tmp_path):
    # An insert presets created_by from the caller: owner_id is whom the note is about.
    notes = table(
        "public.notes",
        insert={
            "editor": {
                "check": {},
                "columns": ["owner_id"],
                "set": {"created_by": "X-Hasura-User-Id"},
            }
        },
        update={"editor": {"columns": ["title"], "filter": {}}},
    )
    assert found(context(tmp_path, notes), "owned-rows-writable") == []


def test_a_column_named_like_the_users_key_counts_without_a_foreign_key(tmp_path):
    schema = {
        "public.app_users": {"columns": {"user_id": "integer"}, "primary_key": ["user_id"]},
        "public.follows": {
            "columns": {"id": "integer", "user_id": "integer"},
            "primary_key": ["id"],
        },
    }
    follows = table("public.follows", delete={"viewer": {"filter": {}}})
    problems = found(context(tmp_path, follows, schema=schema), "owned-rows-writable")
    assert subjects(problems) == ["public.follows delete viewer"]
    assert "named like the key of public.app_users" in problems[0].message
