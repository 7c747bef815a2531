"""Plain text: the summary line first, then each table's changes with their detail."""

from __future__ import annotations

from hasura_perm.core.terminal import lines_text
from hasura_perm.remote.apply import Drift
from hasura_perm.remote.plan import Change
from hasura_perm.remote.plan import Plan
from hasura_perm.report.common import by_table
from hasura_perm.report.common import detail_lines
from hasura_perm.report.common import drift_summary_line
from hasura_perm.report.common import heading
from hasura_perm.report.common import plan_summary_line
from hasura_perm.report.common import surface_lines

INDENT = "  "


def render_plan(plan: Plan) -> str:
    lines = [plan_summary_line(plan), *_grouped(plan.changes, drift=False)]
    return lines_text([*lines, *surface_lines(plan.surface, drift=False)])


def render_drift(drift: Drift) -> str:
    lines = [drift_summary_line(drift), *_grouped(drift.changes, drift=True)]
    lines.extend(surface_lines(drift.surface, drift=True))
    lines.extend(_unowned(drift))
    return lines_text(lines)


def _grouped(changes: list[Change], *, drift: bool) -> list[str]:
    lines: list[str] = []
    for table, table_changes in by_table(changes).items():
        lines += ["", str(table)]
        for change in table_changes:
            lines.append(INDENT + heading(change, drift=drift))
            lines.extend(INDENT * 3 + line for line in detail_lines(change))
    return lines


def _unowned(drift: Drift) -> list[str]:
    if not drift.unowned and not drift.unmanaged_count:
        return []
    lines = ["", "Not managed by hasura-perm (information, not drift):"]
    if drift.unowned:
        lines.append(
            f"{INDENT}{len(drift.unowned)} permission(s) of roles the project does not declare, "
            "on tables it manages (`apply --prune` would remove them):"
        )
        lines.extend(
            f"{INDENT * 2}{table} {action} {role}" for table, action, role in drift.unowned
        )
    if drift.unmanaged_count:
        lines.append(
            f"{INDENT}{drift.unmanaged_count} permission(s) on tables the project does not manage"
        )
    return lines
