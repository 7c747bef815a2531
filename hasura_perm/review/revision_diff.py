"""The permission-level difference between two compiled revisions of the project.

Each change is the shared change record (hasura_perm.remote.plan.Change), from `base` (before) to
`head` (after), with the effects plan gives it (boolexp.effect, so plan and diff agree),
plus what a reviewer needs besides: the rule behind each side (file, line, origin,
the rule as written) and the named conditions whose definition changed underneath it.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.boolexp.effect import EFFECTS
from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.core.errors import ExitCode
from hasura_perm.remote.plan import Change
from hasura_perm.remote.plan import diff
from hasura_perm.remote.plan import summarize
from hasura_perm.remote.surface_changes import SurfaceChange
from hasura_perm.remote.surface_changes import SurfaceState
from hasura_perm.remote.surface_changes import compiled_state
from hasura_perm.remote.surface_changes import surface_diff
from hasura_perm.review.revisions import CompiledRevision
from hasura_perm.review.revisions import Revision
from hasura_perm.review.revisions import aligned
from hasura_perm.review.rules import RuleSource

DIFF_FORMAT = "hasura-perm diff"
# What `--fail-on` stops at. A `mixed` change may grant more (columns added while the filter
# narrows, or an expression we cannot decide), so the widening gate stops at it too.
FAIL_ON = {"widening": (WIDENING, MIXED), "any": EFFECTS}
SEVERITY = {WIDENING: 0, MIXED: 1, NARROWING: 2, NEUTRAL: 3}


@dataclass(frozen=True)
class ReviewedChange:
    change: Change
    before: RuleSource | None
    after: RuleSource | None
    # Conditions both sides use whose definition changed: (name, where it is defined now).
    changed_conditions: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = self.change.to_json()
        data["rule"] = {
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json() if self.after else None,
        }
        data["changed_conditions"] = [
            {"name": name, "location": location} for name, location in self.changed_conditions
        ]
        return data


@dataclass
class ReviewDiff:
    base: Revision
    head: Revision
    changes: list[ReviewedChange]
    notes: list[str] = field(default_factory=list)
    surface: list[SurfaceChange] = field(default_factory=list)  # actions, introspection

    @property
    def summary(self) -> dict[str, int]:
        summary = summarize([c.change for c in self.changes], self.surface)
        summary["tables"] = len({c.change.table for c in self.changes})
        return summary

    def exit_code(self, fail_on: str | None) -> int:
        if fail_on is None:
            return ExitCode.OK
        stop = FAIL_ON[fail_on]
        found = any(c.change.effect in stop for c in self.changes)
        found = found or any(c.effect in stop for c in self.surface)
        return ExitCode.DIFFERENCES if found else ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "format": DIFF_FORMAT,
            "base": self.base.to_json(),
            "head": self.head.to_json(),
            "summary": self.summary,
            "notes": list(self.notes),
            "changes": [c.to_json() for c in self.changes],
            "surface": [c.to_json() for c in self.surface],
        }


def review_diff(base: CompiledRevision, head: CompiledRevision) -> ReviewDiff:
    base, head = aligned(base, head)
    notes = [
        f"{side.revision} has no hasura-perm project here: every permission counts as {word}"
        for side, word in ((base, "added"), (head, "removed"))
        if side.build is None
    ]
    changes = [_reviewed(c, base, head) for c in diff(base.permissions, head.permissions)]
    surface = surface_diff(_surface(base), _surface(head))
    return ReviewDiff(base.revision, head.revision, changes, notes, surface)


def _surface(side: CompiledRevision) -> SurfaceState:
    return compiled_state(side.build.compiled.surface if side.build else None)


def _reviewed(change: Change, base: CompiledRevision, head: CompiledRevision) -> ReviewedChange:
    key = (change.table, change.action, change.role)
    before, after = base.source(*key), head.source(*key)
    return ReviewedChange(change, before, after, _changed_conditions(before, after, base, head))


def _changed_conditions(
    before: RuleSource | None,
    after: RuleSource | None,
    base: CompiledRevision,
    head: CompiledRevision,
) -> tuple[tuple[str, str], ...]:
    if before is None or after is None or head.index is None:
        return ()
    used_before = {n for names in before.conditions.values() for n in names}
    used_after = [n for names in after.conditions.values() for n in names]
    return tuple(
        (name, str(head.index.condition(name).location))
        for name in dict.fromkeys(used_after)
        if name in used_before
        and base.condition_definition(name) != head.condition_definition(name)
    )


def ordered(changes: list[ReviewedChange]) -> list[ReviewedChange]:
    """Tables with the most severe change first (widening, mixed, narrowing, neutral), then
    by name; inside a table, by severity, then the order of diff (action, role)."""
    worst: dict[Any, int] = {}
    for c in changes:
        rank = SEVERITY[c.change.effect]
        worst[c.change.table] = min(rank, worst.get(c.change.table, rank))
    position = {id(c): i for i, c in enumerate(changes)}
    return sorted(
        changes,
        key=lambda c: (
            worst[c.change.table],
            c.change.table,
            SEVERITY[c.change.effect],
            position[id(c)],
        ),
    )
