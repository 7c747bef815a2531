"""`hasura-perm diff` output: text for a terminal, markdown for a pull-request comment, JSON.

Text and markdown share one description of each change (a small tree of `Item`s whose code
pieces are marked), so they always say the same thing. Everything is in a fixed order, so the
same input gives the same bytes: tables with the most severe change first, then by name.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.boolexp.normal import normal_form
from hasura_perm.core import md
from hasura_perm.core.terminal import lines_text
from hasura_perm.metadata.permission import Permission
from hasura_perm.remote.plan import ADD
from hasura_perm.remote.plan import REMOVE
from hasura_perm.remote.surface_changes import SurfaceChange
from hasura_perm.remote.surface_changes import surface_heading
from hasura_perm.report.common import BODY_ORDER
from hasura_perm.report.common import MARKS
from hasura_perm.report.common import compact
from hasura_perm.report.common import heading
from hasura_perm.review.revision_diff import SEVERITY
from hasura_perm.review.revision_diff import ReviewDiff
from hasura_perm.review.revision_diff import ReviewedChange
from hasura_perm.review.revision_diff import ordered
from hasura_perm.review.rules import EXPRESSION_FIELDS
from hasura_perm.review.rules import RuleSource

WORDS = {ADD: "added", REMOVE: "removed", "update": "changed"}
SET_FIELDS = ("columns", "computed_fields", "query_root_fields", "subscription_root_fields")
LABELS = {
    "set": "presets",
    "allow_aggregations": "aggregations",
    "computed_fields": "computed fields",
    "query_root_fields": "query root fields",
    "subscription_root_fields": "subscription root fields",
}
INDENT = "  "


class Code(str):
    """A piece of an item shown as code (backticks in markdown)."""


class Arrow(str):
    """Between an old and a new value."""


class Origin(str):
    """Wording from the compiler that already marks names with backticks."""


ARROW = Arrow("->")


@dataclass
class Item:
    parts: list[str]
    children: list[Item] = field(default_factory=list)


# ---------------------------------------------------------------- summary


def summary_line(result: ReviewDiff) -> str:
    if not result.changes and not result.surface:
        return "No permission changes."
    s = result.summary
    counts = ", ".join(_count(s[e], e) for e in SEVERITY if s[e])
    tables = s["tables"]
    where = f"{tables} table{'' if tables == 1 else 's'}"
    if result.surface:
        where += f" and {len(result.surface)} {_surface_what(result.surface)} setting(s)"
    return f"{counts} across {where}"


def _count(n: int, effect: str) -> str:
    plural = "s" if n != 1 and effect in (WIDENING, NARROWING) else ""
    return f"{n} {effect}{plural}"


def _table_counts(changes: list[ReviewedChange]) -> str:
    found = [c.change.effect for c in changes]
    return ", ".join(_count(found.count(e), e) for e in SEVERITY if e in found)


def by_table(changes: list[ReviewedChange]) -> list[tuple[str, list[ReviewedChange]]]:
    groups: dict[str, list[ReviewedChange]] = {}
    for c in ordered(changes):
        groups.setdefault(str(c.change.table), []).append(c)
    return list(groups.items())


# ---------------------------------------------------------------- what changed


def describe(reviewed: ReviewedChange) -> list[Item]:
    change = reviewed.change
    if change.change == ADD:
        items = _body_items(change.after, reviewed.after)
    elif change.change == REMOVE:
        items = _body_items(change.before, reviewed.before)
    else:
        items = [_field_item(name, f, reviewed) for name, f in change.fields.items()]
    items.extend(
        Item(["condition ", Code(name), " changed its definition (", Code(where), ")"])
        for name, where in reviewed.changed_conditions
    )
    items.append(_rule_item(reviewed.before, reviewed.after))
    return items


def _body_items(permission: Permission | None, source: RuleSource | None) -> list[Item]:
    if permission is None:
        return []
    body, comment = permission.stored
    items = []
    for key in BODY_ORDER:
        if key not in body:
            continue
        item = Item([f"{_label(key)}: ", Code(_show(body[key]))])
        if key in EXPRESSION_FIELDS:
            written = _written(source, key)
            if written is not None:
                item.children.append(Item(["as written: ", Code(compact(written))]))
        items.append(item)
    if comment is not None:
        items.append(Item(["comment: ", Code(compact(comment))]))
    return items


def _field_item(name: str, f: dict[str, Any], reviewed: ReviewedChange) -> Item:
    effect = f" ({f['effect']})"
    if name in EXPRESSION_FIELDS:
        return _predicate_item(name, f, reviewed)
    if name in SET_FIELDS and "added" in f:
        granted, revoked = ("granted", "revoked") if name == "columns" else ("added", "removed")
        parts: list[str] = [f"{_label(name)}: "]
        if f["added"]:
            parts += [f"{granted} ", Code(", ".join(f["added"]))]
        if f["removed"]:
            parts += ["; " if f["added"] else "", f"{revoked} ", Code(", ".join(f["removed"]))]
        return Item([*parts, effect])
    if name == "set":
        return Item(["presets: ", *_preset_parts(f), effect])
    if name == "allow_aggregations":
        return Item(
            [f"aggregations: {'allowed' if f.get('after') else 'no longer allowed'}{effect}"]
        )
    before, after = f.get("before"), f.get("after")
    return Item(
        [f"{_label(name)}: ", Code(_show(before, name)), ARROW, Code(_show(after, name)), effect]
    )


def _preset_parts(f: dict[str, Any]) -> list[str]:
    before, after = f.get("before") or {}, f.get("after") or {}
    pieces = [Code(f"{k}={compact(after[k])}") for k in f["added"]]
    pieces += [Code(f"-{k}") for k in f["removed"]]
    pieces += [Code(f"{k}: {compact(before[k])} -> {compact(after[k])}") for k in f["changed"]]
    parts: list[str] = []
    for i, piece in enumerate(pieces):
        parts += [", "] * bool(i) + [piece]
    return parts


def _predicate_item(name: str, f: dict[str, Any], reviewed: ReviewedChange) -> Item:
    before, after = f.get("before") or {}, f.get("after") or {}
    note = _predicate_note(before, after, f)
    item = Item([f"{name} ({f['effect']}{': ' + note if note else ''})"])
    item.children += [
        Item(["old: ", Code(compact(before))]),
        Item(["new: ", Code(compact(after))]),
    ]
    if f.get("added_conjuncts"):
        item.children.append(Item(["added: ", *_joined(f["added_conjuncts"])]))
    if f.get("removed_conjuncts"):
        item.children.append(Item(["removed: ", *_joined(f["removed_conjuncts"])]))
    sides = (reviewed.before, reviewed.after)
    if any(_uses_names(side, name) for side in sides):
        old, new = (_written_text(side, name) for side in sides)
        same = old == new  # the rule is unchanged: a condition it uses changed underneath
        parts = (
            ["as written: ", Code(new)] if same else ["as written: ", Code(old), ARROW, Code(new)]
        )
        item.children.append(Item(parts))
    return item


def _joined(values: list[Any]) -> list[str]:
    parts: list[str] = []
    for i, value in enumerate(values):
        parts += [", "] * bool(i) + [Code(compact(value))]
    return parts


def _predicate_note(before: Any, after: Any, f: dict[str, Any]) -> str:
    if normal_form(after) == {}:
        return "now every row"
    if normal_form(before) == {}:
        return "was every row"
    if f["effect"] == MIXED:
        return "neither is shown to imply the other; review by hand"
    if f["effect"] == NEUTRAL:
        return "the same rows, written differently"
    if f.get("decided_by") == "implication":
        return (
            "the old condition implies the new one"
            if f["effect"] == WIDENING
            else ("the new condition implies the old one")
        )
    return ""


def _uses_names(source: RuleSource | None, field_name: str) -> bool:
    return source is not None and bool(source.conditions.get(field_name))


def _written(source: RuleSource | None, field_name: str) -> Any:
    """The expression as the spec writes it, when that says more than the compiled one
    (it uses named conditions)."""
    if source is None or not _uses_names(source, field_name):
        return None
    return source.written(field_name)


def _written_text(source: RuleSource | None, field_name: str) -> str:
    written = source.written(field_name) if source is not None else None
    return "none" if written is None else compact(written)


def _rule_item(before: RuleSource | None, after: RuleSource | None) -> Item:
    if before is None and after is None:
        return Item(["rule: unknown"])
    if before is None or after is None:
        source = after or before
        assert source is not None
        word = "rule: " if after is not None else "rule was: "
        return Item([word, *_where(source)])
    if (before.location, before.origin) == (after.location, after.origin):
        return Item(["rule: ", *_where(after)])
    return Item(["rule: ", *_where(before), ARROW, *_where(after)])


def _where(source: RuleSource) -> list[str]:
    return [Code(str(source.location)), Origin(f" ({source.origin})")]


def _label(name: str) -> str:
    return LABELS.get(name, name)


def _show(value: Any, name: str = "") -> str:
    if value is None:
        return "all" if name in SET_FIELDS else "none"
    if value == "*":
        return "* (all)"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if value else "(none)"
    return compact(value)


# ---------------------------------------------------------------- text


def render_text(result: ReviewDiff) -> str:
    lines = [
        f"hasura-perm diff: {result.base} -> {result.head}",
        _with_period(summary_line(result)),
    ]
    lines += [f"note: {note}" for note in result.notes]
    for table, changes in by_table(result.changes):
        lines += ["", table]
        for reviewed in changes:
            lines.append(INDENT + heading(reviewed.change))
            for item in describe(reviewed):
                lines.extend(_text_item(item, 3))
    if result.surface:
        lines += ["", surface_heading(result.surface)]
        lines += [f"{INDENT}{_surface_line(c)}" for c in result.surface]
    return lines_text(lines)


def _surface_line(change: SurfaceChange) -> str:
    return f"{MARKS[change.effect]} {change.describe()} ({change.effect})"


def _with_period(line: str) -> str:
    return line if line.endswith(".") else line + "."


def _text_item(item: Item, depth: int) -> list[str]:
    text = "".join(" -> " if isinstance(p, Arrow) else p for p in item.parts)
    lines = [INDENT * depth + text]
    for child in item.children:
        lines.extend(_text_item(child, depth + 1))
    return lines


# ---------------------------------------------------------------- markdown


def render_markdown(result: ReviewDiff) -> str:
    worst = _worst(result)
    lines = [
        f"### Permission changes: {_md_revision(result.base)} → {_md_revision(result.head)}",
        "",
        f"**{MARKS[worst] + ' ' if worst else ''}{summary_line(result)}**",
        "",
    ]
    lines += [f"> {md.escape(note)}" for note in result.notes]
    if result.notes:
        lines.append("")
    groups = by_table(result.changes)
    if groups:
        lines += _md_overview(groups)
    for table, changes in groups:
        lines += _md_table(table, changes)
    if result.surface:
        lines += ["#### Actions, functions and introspection", ""]
        lines += [f"- {md.escape(_surface_line(c))}" for c in result.surface]
    return "\n".join(lines).rstrip("\n") + "\n"


def _worst(result: ReviewDiff) -> str | None:
    effects = {c.change.effect for c in result.changes} | {c.effect for c in result.surface}
    return next((e for e in (WIDENING, MIXED, NARROWING, NEUTRAL) if e in effects), None)


def _md_revision(revision: Any) -> str:
    if revision.commit is None:
        return revision.label
    return f"{md.code(revision.label)} ({revision.commit[:10]})"


def _md_overview(groups: list[tuple[str, list[ReviewedChange]]]) -> list[str]:
    lines = [
        "| | table | widening | mixed | narrowing | neutral |",
        "|---|---|--:|--:|--:|--:|",
    ]
    for table, changes in groups:
        effects = [c.change.effect for c in changes]
        counts = " | ".join(str(effects.count(e)) for e in (WIDENING, MIXED, NARROWING, NEUTRAL))
        mark = MARKS[changes[0].change.effect]
        name = md.cell(md.code(table))
        lines.append(f"| {mark} | {name} | {counts} |")
    return [*lines, ""]


def _md_table(table: str, changes: list[ReviewedChange]) -> list[str]:
    first = changes[0].change.effect
    opening = "<details open>" if first == WIDENING else "<details>"
    summary = (
        f"<summary>{MARKS[first]} <code>{html.escape(table)}</code>: "
        f"{_table_counts(changes)}</summary>"
    )
    lines = [opening, summary, ""]
    for reviewed in changes:
        change = reviewed.change
        lines.append(
            f"- {MARKS[change.effect]} **{change.action}** {md.code(change.role)}: "
            f"{WORDS[change.change]}, **{change.effect}**"
        )
        for item in describe(reviewed):
            lines.extend(_md_item(item, 1))
    return [*lines, "", "</details>", ""]


def _md_item(item: Item, depth: int) -> list[str]:
    text = "".join(_md_part(p) for p in item.parts)
    lines = [f"{INDENT * depth}- {text}"]
    for child in item.children:
        lines.extend(_md_item(child, depth + 1))
    return lines


def _md_part(part: str) -> str:
    if isinstance(part, Code):
        return md.code(part)
    if isinstance(part, Arrow):
        return " → "
    if isinstance(part, Origin):
        return part
    return md.escape(part)


# ---------------------------------------------------------------- JSON


def render_json(result: ReviewDiff) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def _surface_what(changes: list[SurfaceChange]) -> str:
    kinds = {c.kind for c in changes}
    what = ["action", *(["function"] if "function" in kinds else []), "introspection"]
    if "remote_schema" in kinds:
        what.append("remote schema")
    if "inherited_role" in kinds:
        what.append("inherited role")
    return ", ".join(what[:-1]) + " or " + what[-1]
