"""The JSON report: the plan as it is saved (and read back by apply), and drift with its
summary in drift's words and what hasura-perm does not manage."""

from __future__ import annotations

import json

from hasura_perm.remote.plan import Plan
from hasura_perm.report import json_report
from tests.report import samples


def test_a_plan_is_the_saved_plan_and_reads_back() -> None:
    plan = samples.plan()
    rendered = json_report.render_plan(plan)
    assert rendered.endswith("}\n") and rendered.startswith('{\n  "format": "hasura-perm plan"')
    data = json.loads(rendered)
    assert data["summary"] == {  # the action granted counts among the changes
        "changes": 4,
        "add": 2,
        "update": 1,
        "remove": 1,
        "widening": 2,
        "narrowing": 2,
        "mixed": 0,
        "neutral": 0,
    }
    assert [c["change"] for c in data["changes"]] == ["add", "update", "remove"]
    assert data["surface"][0]["name"] == "export_report"
    again = Plan.from_json(data, "plan.json")
    assert again.changes == plan.changes and again.surface == plan.surface


def test_drift_carries_its_words_and_the_unmanaged() -> None:
    data = json.loads(json_report.render_drift(samples.drift()))
    assert (data["environment"], data["resource_version"]) == ("staging", 9)
    assert [(c["table"], c["action"], c["role"], c["change"]) for c in data["changes"]] == [
        ("public.projects", "insert", "editor", "remove"),
        ("public.projects", "select", "viewer", "update"),
        ("public.users", "delete", "admin2", "add"),
    ]
    summary = data["summary"]
    assert (summary["unexpected"], summary["missing"], summary["changed"]) == (1, 1, 1)
    assert (summary["unowned"], summary["unmanaged"]) == (1, 2)
    assert data["unowned"] == [{"table": "public.projects", "action": "select", "role": "intruder"}]
    assert data["surface"] == []


def test_text_is_not_escaped_to_ascii() -> None:
    plan = samples.plan()
    plan.environment = "étape"
    assert '"environment": "étape"' in json_report.render_plan(plan)
