"""Plan and drift reports show what the rules say (`_neq`), and plan markdown carries the
effect markers diff's markdown has."""

from __future__ import annotations

from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.plan import compare
from hasura_perm.report import markdown
from hasura_perm.report import text

TABLE = TableName("public", "projects")


def plan_of(before: dict, after: dict) -> Plan:
    key = TABLE, "select", "editor"
    change = compare(Permission(*key, before), Permission(*key, after))
    assert change is not None
    return Plan([change], "staging", "https://hasura.example.org", "default", 3)


def test_plan_shows_neq_as_the_rule_says() -> None:
    plan = plan_of(
        {"columns": ["id"], "filter": {"status": {"_eq": "a"}}},
        {
            "columns": ["id"],
            "filter": {"_and": [{"status": {"_eq": "a"}}, {"owner": {"_neq": "x"}}]},
        },
    )
    rendered = text.render_plan(plan)
    assert 'filter: +{"owner":{"_neq":"x"}} (narrowing)' in rendered
    assert '"_ne"' not in rendered


def test_plan_markdown_marks_widening_like_diff() -> None:
    plan = plan_of({"columns": ["id"], "filter": {}}, {"columns": ["id", "name"], "filter": {}})
    rendered = markdown.render_plan(plan)
    assert "**⚠️ Plan for staging (resource_version 3):" in rendered
    assert "| ~ | `public.projects` | select | `editor` | update | ⚠️ widening |" in rendered
    assert "- ~ ⚠️ `public.projects` select `editor`" in rendered


def test_plan_markdown_marks_narrowing() -> None:
    plan = plan_of({"columns": ["id", "name"], "filter": {}}, {"columns": ["id"], "filter": {}})
    assert "| ⬇️ narrowing |" in markdown.render_plan(plan)
