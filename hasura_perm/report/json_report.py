"""JSON: `{"changes": [change record...], "summary": {...}}` plus where it was measured."""

from __future__ import annotations

import json
from typing import Any

from hasura_perm.remote.apply import Drift
from hasura_perm.remote.plan import Plan
from hasura_perm.report.common import drift_summary


def render_plan(plan: Plan) -> str:
    return _dump(plan.to_json())


def render_drift(drift: Drift) -> str:
    data = {
        "environment": drift.environment,
        "resource_version": drift.resource_version,
        "changes": [c.to_json() for c in drift.changes],
        "surface": [c.to_json() for c in drift.surface],
        "summary": drift_summary(drift),
        "unowned": [
            {"table": str(table), "action": action, "role": role}
            for table, action, role in drift.unowned
        ],
    }
    return _dump(data)


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
