"""The Markdown report for a pull-request comment: plan and drift reports show what the rules
say (`_neq`), plan markdown carries the effect markers diff's markdown has, drift's does not."""

from __future__ import annotations

from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.remote.apply import Drift
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.plan import compare
from hasura_perm.report import markdown
from hasura_perm.report import text
from tests.report import samples

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


def test_drift_markdown_has_no_effect_markers_and_folds_the_unmanaged() -> None:
    rendered = markdown.render_drift(samples.drift())
    assert rendered.startswith(
        "### hasura-perm drift: staging\n\n**Drift on staging (resource_version 9): 3 difference(s)"
    )
    # Drift describes the server relative to the project: a widening marker would mislead.
    assert "⚠️" not in rendered and "⬇️" not in rendered
    assert "| ~ | `public.projects` | select | `viewer` | changed | widening |" in rendered
    assert "| + | `public.users` | delete | `admin2` | unexpected | widening |" in rendered
    assert "  - `columns: +name (widening)`" in rendered
    assert (
        "<details><summary>Not managed by hasura-perm: 1 permission(s) of undeclared roles"
        "</summary>\n\n- `public.projects` select `intruder`\n\n</details>\n"
    ) in rendered


def test_plan_markdown_lists_actions_and_introspection() -> None:
    rendered = markdown.render_plan(samples.plan())
    assert "| + | action export\\_report granted to editor | add | widening |" in rendered


def test_a_role_from_the_server_cannot_break_the_table() -> None:
    # Roles in drift come from the live server, which accepts any text.
    change = compare(None, Permission(TABLE, "select", "a|b\nc", {"columns": [], "filter": {}}))
    assert change is not None
    drift = Drift([change], [], 0, "prod", 4)
    [row] = [line for line in markdown.render_drift(drift).splitlines() if line.startswith("| +")]
    assert row == "| + | `public.projects` | select | `a\\|b\\x0ac` | unexpected | widening |"
