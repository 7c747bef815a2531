from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table

OWN = {"owner_id": {"_eq": "X-Hasura-User-Id"}}


def test_flags_an_update_that_may_rewrite_the_owner_column_without_a_check(tmp_path):
    notes = table(
        "public.notes",
        update={"viewer": {"columns": ["title", "owner_id"], "filter": OWN, "check": None}},
    )
    [problem] = found(context(tmp_path, notes), "ownership-takeover")
    assert problem.subject() == "public.notes update viewer"
    assert "`owner_id`" in problem.message


def test_flags_re_parenting_through_a_relationship_key(tmp_path):
    schema = {
        "public.projects": {
            "columns": {"id": "integer", "org_id": "integer"},
            "primary_key": ["id"],
        },
        "public.tasks": {
            "columns": {"id": "integer", "project_id": "integer", "title": "text"},
            "primary_key": ["id"],
            "foreign_keys": [
                {
                    "name": "fk",
                    "columns": ["project_id"],
                    "references": "public.projects",
                    "ref_columns": ["id"],
                }
            ],
        },
    }
    tasks = table(
        "public.tasks",
        object_relationships=[
            {"name": "project", "using": {"foreign_key_constraint_on": "project_id"}}
        ],
        update={
            "member": {
                "columns": ["title", "project_id"],
                "filter": {"project": {"org_id": {"_eq": "X-Hasura-Org-Id"}}},
            }
        },
    )
    [problem] = found(context(tmp_path, tasks, schema=schema), "ownership-takeover")
    assert "`project_id`" in problem.message


def test_near_miss_a_check_pins_the_column_or_it_is_not_writable(tmp_path):
    notes = table(
        "public.notes",
        update={
            "viewer": {"columns": ["title", "owner_id"], "filter": OWN, "check": OWN},
            "editor": {"columns": ["title"], "filter": OWN, "check": None},
            "writer": {
                "columns": ["owner_id"],
                "filter": OWN,
                "set": {"owner_id": "X-Hasura-User-Id"},
            },
        },
    )
    assert found(context(tmp_path, notes), "ownership-takeover") == []
