"""An audit column is writable by the caller.

Columns that record who created or changed a row and when (`created_by`, `updated_at`,
`date_added`, ...: `lint.audit_columns`) are evidence only while the server fills them
(database default, trigger, or a Hasura preset). When an insert or update rule lets the
caller write one, every audit trail built on it can be forged: backdated rows, changes
attributed to a colleague. Columns some rule presets are reported by
`preset-column-writable` instead. A column that an update rule of the table exists to set
(it may write nothing else: a typing indicator's `updated_at` heartbeat) is data, not an
audit record. Administrator roles are not checked unless `check_admin_roles` is true.

Fails: update `columns: [title, updated_at]`.
Passes: `updated_at` left to a trigger, or `set: {updated_by: X-Hasura-User-Id}`.
Fix: drop the column from the rule's columns; fill it with a database default or
trigger, or a preset from a session variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "audit-column-writable"
LEVEL = "warning"
OPTIONS: dict[str, object] = {"check_admin_roles": False}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("insert", "update"):
        if is_admin(ctx, grant.role) and not options["check_admin_roles"]:
            continue
        preset_anywhere = {
            column for other in ctx.grants_on(grant.table) for column in other.presets
        }
        writable = ctx.writable(grant) or frozenset()
        touched = _touched(ctx, grant)
        audit = sorted(c for c in writable - preset_anywhere - touched if ctx.is_audit_column(c))
        if audit:
            names = ", ".join(f"`{c}`" for c in audit)
            yield Problem(
                grant.location,
                f"{grant.role} may write audit column(s) {names} on {grant.table} "
                f"({grant.action}): the audit trail can be forged",
                "drop them from the columns and let the database (default, trigger) or a "
                "preset fill them",
                grant.table,
                grant.role,
                grant.action,
            )


def _touched(ctx: LintContext, grant: Grant) -> frozenset[str]:
    """Audit columns that are the point of an update rule of the table: one that may set
    nothing else (a typing indicator's or presence row's `updated_at` heartbeat). There the
    column is data the client is meant to send, not an audit record."""
    found: set[str] = set()
    for other in ctx.grants_on(grant.table, "update"):
        writable = ctx.writable(other)
        if writable and all(ctx.is_audit_column(c) for c in writable):
            found |= writable
    return frozenset(found)
