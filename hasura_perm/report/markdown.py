"""Markdown for a pull-request comment: the summary, one table row per change, details folded."""

from __future__ import annotations

from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.core import md
from hasura_perm.remote.apply import Drift
from hasura_perm.remote.plan import Change
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.surface_changes import SurfaceChange
from hasura_perm.remote.surface_changes import surface_heading
from hasura_perm.report.common import DRIFT_WORDS
from hasura_perm.report.common import MARKS
from hasura_perm.report.common import SIGNS
from hasura_perm.report.common import detail_lines
from hasura_perm.report.common import drift_summary_line
from hasura_perm.report.common import plan_summary_line

WORST_FIRST = (WIDENING, MIXED, NARROWING, NEUTRAL)  # as diff's markdown orders them


def render_plan(plan: Plan) -> str:
    title = f"### hasura-perm plan: {md.escape(plan.environment)}"
    text = _document(title, plan_summary_line(plan), plan.changes, drift=False)
    return text + _surface(plan.surface, drift=False)


def render_drift(drift: Drift) -> str:
    title = f"### hasura-perm drift: {md.escape(drift.environment)}"
    text = _document(title, drift_summary_line(drift), drift.changes, drift=True)
    text += _surface(drift.surface, drift=True)
    if drift.unowned:
        rows = "".join(f"- {md.code(str(t))} {a} {md.code(r)}\n" for t, a, r in drift.unowned)
        text += (
            "\n<details><summary>Not managed by hasura-perm: "
            f"{len(drift.unowned)} permission(s) of undeclared roles</summary>\n\n{rows}\n</details>\n"
        )
    return text


def _document(title: str, summary: str, changes: list[Change], *, drift: bool) -> str:
    # Plan marks effects as diff does; drift's effects describe the server relative to the
    # project, where a widening marker would mislead.
    marks = dict.fromkeys(MARKS, "") if drift else {e: f"{m} " for e, m in MARKS.items()}
    worst = next((e for e in WORST_FIRST if any(c.effect == e for c in changes)), None)
    lines = [title, "", f"**{marks[worst] if worst else ''}{summary}**", ""]
    if changes:
        kind = "drift" if drift else "change"
        lines += [f"| | table | action | role | {kind} | effect |", "|---|---|---|---|---|---|"]
        lines += [_row(c, drift, marks) for c in changes]
        lines += ["", "<details><summary>Details</summary>", ""]
        for change in changes:
            where = f"{md.code(str(change.table))} {change.action} {md.code(change.role)}"
            lines.append(f"- {SIGNS[change.change]} {marks[change.effect]}{where}")
            lines.extend(f"  - {md.code(line)}" for line in detail_lines(change))
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _surface(changes: list[SurfaceChange], *, drift: bool) -> str:
    if not changes:
        return ""
    lines = ["", f"| | {surface_heading(changes)} | change | effect |", "|---|---|---|---|"]
    for change in changes:
        word = DRIFT_WORDS[change.change] if drift else change.change
        what = md.cell(md.escape(change.describe()))
        lines.append(f"| {SIGNS[change.change]} | {what} | {word} | {change.effect} |")
    return "\n".join(lines) + "\n"


def _row(change: Change, drift: bool, marks: dict[str, str]) -> str:
    word = DRIFT_WORDS[change.change] if drift else change.change
    table, role = md.cell(md.code(str(change.table))), md.cell(md.code(change.role))
    return (
        f"| {SIGNS[change.change]} | {table} | {change.action} | {role} "
        f"| {word} | {marks[change.effect]}{change.effect} |"
    )
