"""`check: {}` in some rules and `check: null` (or none) in others.

For an update, `check: {}` and `check: null` both mean "no post-update condition"; for
an insert, `null` is read as `{}`. Mixing the two spellings makes reviewers wonder which
rules were meant to have a check, hides the one rule that really forgot it, and makes
diffs noisy. Reported for the spelling used less often, per action.

Fails: update rules with `check: {}` on some tables and `check: null` on others.
Passes: one spelling everywhere.
Fix: use one spelling (the one the report names as the common one).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "inconsistent-check"
LEVEL = "info"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()

_SPELLINGS = {"{}": "check: {}", "null": "check: null"}


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for action in ("insert", "update"):
        spelled: dict[str, list[Grant]] = {"{}": [], "null": []}
        for grant in ctx.each(action):
            spelling = _spelling(grant)
            if spelling is not None:
                spelled[spelling].append(grant)
        if not spelled["{}"] or not spelled["null"]:
            continue
        common = max(spelled, key=lambda s: (len(spelled[s]), s == "null"))
        rare = "null" if common == "{}" else "{}"
        for grant in spelled[rare]:
            yield Problem(
                grant.location,
                f"{grant.role}'s {action} rule on {grant.table} spells an empty check as "
                f"`{_SPELLINGS[rare]}`; {len(spelled[common])} other {action} rule(s) use "
                f"`{_SPELLINGS[common]}`",
                f"write `{_SPELLINGS[common]}` here too"
                + (" (or leave `check` out)" if common == "null" else ""),
                grant.table,
                grant.role,
                grant.action,
            )


def _spelling(grant: Grant) -> str | None:
    """ "{}", "null", or None for a real condition."""
    source: dict[str, Any] = grant.raw if grant.raw is not None else grant.body
    value = source.get("check")
    if value is None:
        return "null"
    return "{}" if value == {} else None
