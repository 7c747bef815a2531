"""Update or delete on other users' rows.

The table's rows belong to users: a rule compares a column with the caller's user id, a
preset stamps the caller's id into a column that is not an audit column, or (when no
insert attributes rows to their creator) a column references the users table by foreign
key or by the name of its key. Yet this role's update or delete filter does not tie rows
to the caller: any holder of the role's token changes or deletes every user's rows.
Ties the rules see: a session variable or a session-aware computed field, directly or
through relationships (also without a schema, by the shape of the filter), and an update
`check` on columns the update cannot write. A filter that requires the owner column to be
null (`{used_by: {_is_null: true}}`) admits only rows nobody owns yet (claiming an
unused code) and is not reported. Administrator, staff and service roles are not checked.

Fails: `followed_projects(user_id -> users)` delete for `viewer` with `filter: {}`.
Passes: `filter: {user_id: {_eq: X-Hasura-User-Db-Id}}`.
Fix: add the ownership condition to the filter, e.g. `{user_id: {_eq: X-Hasura-User-Id}}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.analysis import owner_columns
from hasura_perm.lint.analysis import unclaimed_only
from hasura_perm.lint.analysis import write_scoped
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "owned-rows-writable"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("update", "delete"):
        if is_admin(ctx, grant.role) or write_scoped(ctx, grant):
            continue
        if ctx.changes_nothing(grant):
            continue
        owners = owner_columns(ctx, grant.table, for_writes=True)
        if not owners or unclaimed_only(grant.filter, set(owners)):
            continue
        column, why = next(iter(sorted(owners.items())))
        verb = "update" if grant.action == "update" else "delete"
        yield Problem(
            grant.location,
            f"{grant.role} may {verb} every user's rows of {grant.table}: the filter does not "
            f"tie rows to the caller, but `{column}` says whose a row is ({why})",
            f"add `{{{column}: {{_eq: <the caller's user-id session variable>}}}}` to the filter",
            grant.table,
            grant.role,
            grant.action,
        )
