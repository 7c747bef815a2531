from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table

SCHEMA = {
    "public.projects": {
        "columns": {"id": "integer", "is_secret": "boolean"},
        "primary_key": ["id"],
    },
    "public.tasks": {
        "columns": {"id": "integer", "project_id": "integer"},
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
REL = [{"name": "project", "using": {"foreign_key_constraint_on": "project_id"}}]
FILTER = {"project": {"is_secret": {"_eq": False}}}


def test_flags_a_filter_that_reads_a_table_the_role_cannot_select(tmp_path):
    tasks = table(
        "public.tasks",
        object_relationships=REL,
        select={"viewer": {"columns": ["id"], "filter": FILTER}},
    )
    projects = table("public.projects", select={"editor": {"columns": ["id"], "filter": {}}})
    [problem] = found(
        context(tmp_path, tasks, projects, schema=SCHEMA), "filter-reaches-hidden-table"
    )
    assert problem.subject() == "public.tasks select viewer"
    assert "relationship `project`" in problem.message


def test_near_miss_the_role_may_select_the_other_table(tmp_path):
    tasks = table(
        "public.tasks",
        object_relationships=REL,
        select={"viewer": {"columns": ["id"], "filter": FILTER}},
    )
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": {}}})
    assert (
        found(context(tmp_path, tasks, projects, schema=SCHEMA), "filter-reaches-hidden-table")
        == []
    )
