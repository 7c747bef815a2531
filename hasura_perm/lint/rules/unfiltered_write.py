"""Update or delete on every row, for a role that is not an administrator.

The filter of an update or delete decides which rows the caller may change. When it is
empty, or does not depend on the caller at all (no session variable, and no
session-aware computed field, in any branch), every holder of the role's token may change
or delete every row it admits: one stolen token, or one careless client, rewrites or
wipes the table. An update whose post-update `check` ties rows to the caller through
columns it cannot write restricts rows as well (Hasura rolls back the whole mutation
when a row fails it), and an update that may only set audit columns (a heartbeat) is
left to `audit-column-writable`. Administrator, staff and service roles (see "How the
rules judge") are not checked, except on tables that say which user holds which role or
permission (`user_roles`, `UserRole`) or for an accounts table's `role`/`is_admin`
columns: only roles configured or named as administrators should hand those out.
Tables with an owner column are reported by `owned-rows-writable` instead.

Fails: `editor` update with `filter: {}`; delete with `filter: {is_deleted: {_eq: false}}`;
staff role `teacher` updating `user_roles` with `filter: {}`.
Passes: `filter: {created_by: {_eq: X-Hasura-User-Id}}`, or a role named like an
administrator (or listed in `lint.admin_roles`).
Fix: scope the filter to the caller's rows (ownership, department, tenant), or list the
role in `lint.admin_roles` if it is meant to manage every row.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.analysis import always_true
from hasura_perm.lint.analysis import caller_scoped
from hasura_perm.lint.analysis import owner_columns
from hasura_perm.lint.analysis import write_scoped
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin
from hasura_perm.lint.roles import is_named_admin

ID = "unfiltered-write"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("update", "delete"):
        if _exempt(ctx, grant) or _names_caller(ctx, grant) or ctx.changes_nothing(grant):
            continue
        staff = is_admin(ctx, grant.role)
        if not staff and owner_columns(ctx, grant.table, for_writes=True):
            continue  # owned-rows-writable
        how = (
            "the filter is empty"
            if always_true(grant.filter)
            else "the filter does not depend on the caller"
        )
        verb = "update" if grant.action == "update" else "delete"
        if staff:
            how += (
                f"; {grant.role} is taken for staff, but this table decides who holds which "
                "role or permission, which only administrators should hand out"
            )
        yield Problem(
            grant.location,
            f"{grant.role} may {verb} every row of {grant.table}: {how}",
            "scope the filter to the caller's rows, or list the role in `lint.admin_roles` "
            "if it manages every row",
            grant.table,
            grant.role,
            grant.action,
        )


def _exempt(ctx: LintContext, grant: Grant) -> bool:
    """Administrator, staff and service roles manage every row, except that only roles
    configured or named as administrators may rewrite who holds which role."""
    if not is_admin(ctx, grant.role):
        return _touch_only(ctx, grant)
    if is_named_admin(ctx, grant.role):
        return True
    return not ctx.is_privilege_table(grant.table) and not ctx.privilege_columns(grant)


def _touch_only(ctx: LintContext, grant: Grant) -> bool:
    """An update that may only set audit columns (`updated_at`: a heartbeat or "touch");
    audit-column-writable judges those columns."""
    writable = ctx.writable(grant)
    return (
        grant.action == "update"
        and bool(writable)
        and all(ctx.is_audit_column(c) for c in writable or ())
    )


def _names_caller(ctx: LintContext, grant: Grant) -> bool:
    """Some branch of the filter ties rows to who is asking (a session variable compared
    for equality or membership, or a session-aware computed field), or the post-update
    check does (analysis.write_scoped). A filter whose other branches admit rows through
    data (a group open to everyone) is a choice made in that data, not a rule that
    ignores the caller; `{id: {_ne: X-Hasura-User-Id}}` (everyone but me) ties nothing."""
    if write_scoped(ctx, grant):
        return True
    if always_true(grant.filter):  # `{}`, or an `_or` with an always-true branch
        return False
    return caller_scoped(grant.filter, ctx, grant.table, any_branch=True)
