"""A condition, column set or preset that no rule uses.

Named conditions, column sets and presets exist to be shared; one that no table file,
default or other used definition names is dead text that reviewers still read and trust
("`own` is defined, so the notes must be owner-only"), and usually the trace of a rename
that left the old name behind, or of a rule that was meant to use it and does not. A
condition used only by unused conditions is unused too. Project mode only (`--metadata`
has no definitions).

Fails: `conditions: {published: {is_published: {_eq: true}}}` and no rule says `published`.
Passes: some table file or default uses `published` (directly or through another used
condition).
Fix: use it where it was meant to be used, or delete it.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "unused-definition"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("project",)

KINDS = (("conditions", "condition"), ("column_sets", "column set"), ("presets", "preset"))


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    spec = ctx.spec
    used = used_names(spec)
    for attribute, kind in KINDS:
        for name, node in sorted(getattr(spec, attribute).items()):
            if name not in used:
                yield Problem(
                    node.location,
                    f"{kind} `{name}` is defined but no rule uses it",
                    f"use `{name}` in the rule it was meant for, or delete it",
                )


def used_names(spec: Any) -> set[str]:
    """Every name the table files and defaults use, with the conditions those conditions
    use in turn."""
    found: set[str] = set()
    for node in [*spec.tables.values(), *spec.defaults]:
        found |= strings(node.value)
    pending = [n for n in found if n in spec.conditions]
    while pending:
        name = pending.pop()
        for inner in strings(spec.conditions[name].value) - found:
            found.add(inner)
            if inner in spec.conditions:
                pending.append(inner)
    return found


def strings(value: Any) -> set[str]:
    """Every string value (not mapping key) in a YAML value: where names are written."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value))
    return set()
