"""Wording shared by the text and markdown renderers."""

from __future__ import annotations

import json
from typing import Any

from hasura_perm.boolexp.effect import EFFECTS
from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import PERMISSION_FIELDS
from hasura_perm.metadata.permission import Permission
from hasura_perm.remote.apply import Drift
from hasura_perm.remote.plan import ADD
from hasura_perm.remote.plan import REMOVE
from hasura_perm.remote.plan import UPDATE
from hasura_perm.remote.plan import Change
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.plan import summarize
from hasura_perm.remote.surface_changes import SurfaceChange
from hasura_perm.remote.surface_changes import surface_heading

SIGNS = {ADD: "+", REMOVE: "-", UPDATE: "~"}
# How the Markdown reports mark a change's effect on access.
MARKS = {WIDENING: "⚠️", MIXED: "❓", NARROWING: "⬇️", NEUTRAL: "ℹ️"}
DRIFT_WORDS = {ADD: "unexpected", REMOVE: "missing", UPDATE: "changed"}
BODY_ORDER = PERMISSION_FIELDS


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def effects_phrase(summary: dict[str, int]) -> str:
    parts = [f"{summary[e]} {e}" for e in EFFECTS if summary.get(e)]
    return f" ({', '.join(parts)})" if parts else ""


def plan_summary_line(plan: Plan) -> str:
    where = f"{plan.environment} (resource_version {plan.resource_version})"
    if not plan.changed:
        return (
            f"No changes: the permissions hasura-perm owns on {where} match the project "
            f"({plan.owned_count} permissions)."
        )
    s = plan.summary
    counts = f"{s[ADD]} to add, {s[UPDATE]} to change, {s[REMOVE]} to remove"
    return f"Plan for {where}: {counts}{effects_phrase(s)}."


def drift_summary(drift: Drift) -> dict[str, int]:
    summary = summarize(drift.changes, drift.surface)
    for kind, word in DRIFT_WORDS.items():
        summary[word] = summary[kind]
    summary["unowned"] = len(drift.unowned)
    summary["unmanaged"] = drift.unmanaged_count
    return summary


def drift_summary_line(drift: Drift) -> str:
    where = f"{drift.environment} (resource_version {drift.resource_version})"
    if not drift.changed:
        return f"No drift on {where}: the permissions hasura-perm owns match the project."
    s = drift_summary(drift)
    counts = ", ".join(f"{s[w]} {w}" for w in DRIFT_WORDS.values() if s[w])
    return f"Drift on {where}: {s['changes']} difference(s): {counts}{effects_phrase(s)}."


def by_table(changes: list[Change]) -> dict[TableName, list[Change]]:
    grouped: dict[TableName, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.table, []).append(change)
    return grouped


def detail_lines(change: Change) -> list[str]:
    """What a reviewer needs about one change: the body for add/remove, the fields for update."""
    if change.change == UPDATE:
        return [_field_line(name, f) for name, f in change.fields.items()]
    entry = change.after if change.change == ADD else change.before
    return body_lines(entry)


def body_lines(permission: Permission | None) -> list[str]:
    if permission is None:
        return []
    body, comment = permission.stored
    lines = [f"{key}: {_value(body[key])}" for key in BODY_ORDER if key in body]
    if comment is not None:
        lines.append(f"comment: {compact(comment)}")
    return lines


def _value(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if value else "(none)"
    if value is None:
        return "none"
    return compact(value)


def _field_line(name: str, field: dict[str, Any]) -> str:
    effect = f" ({field['effect']})"
    if "added_conjuncts" in field:
        parts = [f"+{compact(c)}" for c in field["added_conjuncts"]]
        parts += [f"-{compact(c)}" for c in field["removed_conjuncts"]]
        return f"{name}: {' '.join(parts)}{effect}"
    if "changed" in field:  # presets
        after, before = field.get("after") or {}, field.get("before") or {}
        parts = [f"+{k}={compact(after[k])}" for k in field["added"]]
        parts += [f"-{k}" for k in field["removed"]]
        parts += [f"~{k}: {compact(before[k])} -> {compact(after[k])}" for k in field["changed"]]
        return f"{name}: {', '.join(parts)}{effect}"
    if "added" in field:
        parts = [f"+{v}" for v in field["added"]] + [f"-{v}" for v in field["removed"]]
        return f"{name}: {', '.join(parts)}{effect}"
    before, after = _value(field.get("before")), _value(field.get("after"))
    return f"{name}: {before} -> {after}{effect}"


def heading(change: Change, *, drift: bool = False) -> str:
    kind = DRIFT_WORDS[change.change] if drift else ""
    words = [SIGNS[change.change], kind, change.action, change.role, f"({change.effect})"]
    return " ".join(w for w in words if w)


def surface_lines(changes: list[SurfaceChange], *, drift: bool) -> list[str]:
    """Action permissions and introspection, one line each (they have no body to detail)."""
    if not changes:
        return []
    lines = ["", surface_heading(changes)]
    for change in changes:
        word = DRIFT_WORDS[change.change] if drift else change.change
        lines.append(f"  {SIGNS[change.change]} {change.describe()} ({word}, {change.effect})")
    return lines
