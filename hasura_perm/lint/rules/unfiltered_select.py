"""Select with no row filter on a table whose rows belong to users.

Some rule of the table ties rows to a user (it compares a column with the caller's user id:
the project's own statement that rows are personal), or the table is marked `sensitive`,
yet this role's select filter admits every row. Anyone holding a token for the role reads
every user's rows. Administrator, staff and service roles are not checked, and neither is
data public by design: tables marked `lookup`, Hasura enum tables (`is_enum`), and tables
the project publishes to visitors without an account (an anonymous role, one that only
reads and never uses a session variable, reads every row).

Fails: `user_preferences` update `filter: {user_id: {_eq: X-Hasura-User-Id}}` and select
`filter: {}` for the same (or another non-admin) role.
Passes: the select filter also compares `user_id` with the caller, or the table is marked
`lookup`.
Fix: restrict the filter to the caller's rows (the same condition the other rule uses), or
mark the table `lookup` in `lint.tables` if every row is meant to be public.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.analysis import always_true
from hasura_perm.lint.analysis import caller_scoped
from hasura_perm.lint.analysis import owner_columns
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin
from hasura_perm.lint.roles import is_anonymous

ID = "unfiltered-select"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("select"):
        if is_admin(ctx, grant.role):
            continue
        problem = _sensitive(ctx, grant)
        if problem is None and not _public(ctx, grant):
            problem = _owned(ctx, grant)
        if problem is not None:
            yield problem


def _public(ctx: LintContext, grant: Grant) -> bool:
    """Rows public by design: a lookup or Hasura enum table, or a table the project
    publishes to visitors without an account (an anonymous role reads every row)."""
    if ctx.marked(grant.table, "lookup") or ctx.table(grant.table).is_enum:
        return True
    return any(
        is_anonymous(ctx, other.role) and always_true(other.filter)
        for other in ctx.grants_on(grant.table, "select")
    )


def _owned(ctx: LintContext, grant: Grant) -> Problem | None:
    if not always_true(grant.filter):
        return None
    owners = owner_columns(ctx, grant.table, for_writes=False)
    if not owners:
        return None
    column, why = next(iter(sorted(owners.items())))
    return Problem(
        grant.location,
        f"{grant.role} reads every row of {grant.table}: the select filter is empty, but "
        f"rows belong to users (`{column}`: {why})",
        f"filter the select on `{column}` as the other rule does, or mark {grant.table} "
        "`lookup` if every row is public",
        grant.table,
        grant.role,
        grant.action,
    )


def _sensitive(ctx: LintContext, grant: Grant) -> Problem | None:
    if not ctx.marked(grant.table, "sensitive") or caller_scoped(grant.filter, ctx, grant.table):
        return None
    return Problem(
        grant.location,
        f"{grant.role} reads rows of {grant.table}, which is marked sensitive, with a filter "
        "that does not depend on the caller",
        "tie the filter to the caller (a session variable) or give the role no select",
        grant.table,
        grant.role,
        grant.action,
    )
