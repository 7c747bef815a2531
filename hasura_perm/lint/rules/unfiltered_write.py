"""Update or delete on every row, for a role that is not an administrator.

The filter of an update or delete decides which rows the caller may change. When it is
empty, or does not depend on the caller at all (no session variable in any branch), every
holder of the role's token may change or delete every row it admits: one stolen token, or
one careless client, rewrites or wipes the table. Administrator roles are not checked.
Tables with an owner column are reported by `owned-rows-writable` instead.

Fails: `editor` update with `filter: {}`; delete with `filter: {is_deleted: {_eq: false}}`.
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
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "unfiltered-write"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("update", "delete"):
        if ctx.is_admin(grant.role) or caller_scoped(grant.filter, ctx, grant.table):
            continue
        if owner_columns(ctx, grant.table, for_writes=True):
            continue  # owned-rows-writable
        how = (
            "the filter is empty"
            if always_true(grant.filter)
            else "the filter does not depend on the caller"
        )
        verb = "update" if grant.action == "update" else "delete"
        yield Problem(
            grant.location,
            f"{grant.role} may {verb} every row of {grant.table}: {how}",
            "scope the filter to the caller's rows, or list the role in `lint.admin_roles` "
            "if it manages every row",
            grant.table,
            grant.role,
            grant.action,
        )
