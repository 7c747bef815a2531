"""Insert may create rows on behalf of any user.

The table has an owner column (see `owned-rows-writable`) and the role may write it on
insert, but neither a preset fills it nor the insert `check` ties it to the caller: any
holder of the role's token creates rows that appear to belong to someone else (follows,
messages, bookings in another user's name). When the rule does attribute the row to its
creator (a preset from the caller's user id, such as `created_by`, or a check on one),
naming another user in a further column is a delegation (a project lead, an assignee)
and is not reported; so is an insert whose check ties the caller to the parent record
(`{team: {owner_id: {_eq: X-Hasura-User-Id}}}`: a team owner adding members), and the key
of an accounts table (a new account's `id` names no other user). Administrator, staff
and service roles are not checked.

Fails: insert `columns: [project_id, user_id]`, `check: {}` on a table whose `user_id`
references the users table.
Passes: `set: {user_id: X-Hasura-User-Id}` (and `user_id` dropped from the columns), or
`check: {user_id: {_eq: X-Hasura-User-Id}}`.
Fix: preset the owner column from the caller's user-id session variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.names import is_session_variable
from hasura_perm.lint.analysis import caller_scoped
from hasura_perm.lint.analysis import owner_columns
from hasura_perm.lint.analysis import scoping_columns
from hasura_perm.lint.analysis import user_comparisons
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "insert-owner-unchecked"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("insert"):
        if is_admin(ctx, grant.role):
            continue
        owners = owner_columns(ctx, grant.table, for_writes=True)
        if not owners or _attributed(ctx, grant) or _authorised(ctx, grant):
            continue
        writable = ctx.writable(grant)
        pinned = scoping_columns(grant.check, ctx, grant.table)
        for column, why in sorted(owners.items()):
            if column in pinned or (writable is not None and column not in writable):
                continue
            if _own_key(ctx, grant, column):
                continue
            yield Problem(
                grant.location,
                f"{grant.role} may insert rows into {grant.table} with any `{column}`, the "
                f"column that says whose a row is ({why}); the check does not tie it to the caller",
                f"preset `{column}` from the caller's user-id session variable (set) and drop it "
                "from the insert columns",
                grant.table,
                grant.role,
                grant.action,
            )


def _attributed(ctx: LintContext, grant: Grant) -> bool:
    """The new row records its creator: a preset or check ties a column to the caller's id."""
    if any(is_session_variable(v) and ctx.is_user_variable(v) for v in grant.presets.values()):
        return True
    return bool(user_comparisons(grant.check, ctx, grant.table))


def _own_key(ctx: LintContext, grant: Grant, column: str) -> bool:
    """The key of an accounts table is the account itself, not an owner pointing at
    someone: a new row with some `id` creates an account, it does not act for another."""
    if not ctx.is_users_table(grant.table):
        return False
    key = ctx.table(grant.table).primary_key
    return column in key if key is not None else column == "id"


def _authorised(ctx: LintContext, grant: Grant) -> bool:
    """The check proves the caller's standing over the parent record (`{team: {owner_id:
    {_eq: X-Hasura-User-Id}}}`): adding a row for another user is then a delegation by
    someone entitled to it (a team owner adding a member), not a forgery."""
    return caller_scoped(grant.check, ctx, grant.table)
