"""A column the server presets in one rule is written by the caller in another.

A preset (`set: {created_by: X-Hasura-User-Id}`) says the server owns the column's value;
Hasura removes it from that rule's input. When another insert or update rule of the table
lists the same column without a preset, callers forge it there: the classic case is a
`created_by` preset on insert that the update rule lets anyone rewrite. A literal preset
(`approved: false`) is an initial state: an update rule may change it (an approver's
workflow step) unless its filter admits the caller's own rows, where the creator would
overturn it. Administrator roles are not checked unless `check_admin_roles` is true.

Fails: insert `set: {created_by_user_id: X-Hasura-User-Id}`, update `columns: [title,
created_by_user_id]` without a preset for it.
Passes: the update rule leaves the column out or presets it too.
Fix: drop the column from the rule's columns, or preset it there as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.names import is_session_variable
from hasura_perm.lint.analysis import user_comparisons
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "preset-column-writable"
LEVEL = "warning"
OPTIONS: dict[str, object] = {"check_admin_roles": False}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("insert", "update"):
        if is_admin(ctx, grant.role) and not options["check_admin_roles"]:
            continue
        presets = _presets(ctx, grant)
        writable = ctx.writable(grant)
        if writable is None:
            writable = frozenset(presets)  # `*` on an unknown table: every column
        for column in sorted(writable & set(presets)):
            other = presets[column]
            if not _forgeable(ctx, grant, other.presets[column]):
                continue
            yield Problem(
                grant.location,
                f"{grant.role} may write `{column}` on {grant.table} ({grant.action}), which "
                f"{other.role}'s {other.action} rule presets to {other.presets[column]!r}: "
                "callers can forge it here",
                f"drop `{column}` from the {grant.action} columns or preset it here too",
                grant.table,
                grant.role,
                grant.action,
            )


def _presets(ctx: LintContext, grant: Grant) -> dict[str, Grant]:
    """Column -> a rule of the table that presets it (the same role's first, if any)."""
    others = sorted(
        ctx.grants_on(grant.table),
        key=lambda g: (g.role != grant.role, g.action != "insert", g.role, g.action),
    )
    found: dict[str, Grant] = {}
    for other in others:
        if other.action in ("insert", "update"):
            for column in other.presets:
                found.setdefault(column, other)
    return found


def _forgeable(ctx: LintContext, grant: Grant, value: object) -> bool:
    """A preset from a session variable records who did something: writing it elsewhere
    forges that. A literal preset (`approved: false`, `status: pending`) is an initial
    state; changing it later is a workflow step, and a forgery only when the row's own
    creator may do it: when the writing rule's filter admits the caller's own rows."""
    if is_session_variable(value) or grant.action == "insert":
        return True
    return bool(user_comparisons(grant.filter, ctx, grant.table))
