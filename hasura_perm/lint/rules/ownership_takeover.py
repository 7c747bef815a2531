"""Update may change the column that decides whose row it is.

The update filter ties rows to the caller through a column (compared with a session
variable, or the key of a relationship that is). If the role may also write that column
and no post-update `check` ties it to the caller again, the caller can hand a row to
someone else, move it into another user's or tenant's reach, or (with a check-less
filter on a relationship key) re-parent it under a record it does not own. The row's
own key (primary key, a single-column unique key such as `slug`) is left to
`primary-key-writable`. Administrator, staff and service roles are not checked.

Fails: update `filter: {owner_id: {_eq: X-Hasura-User-Id}}`, `columns: [title, owner_id]`,
no `check`.
Passes: `owner_id` not in `columns`, preset by `set`, or `check: {owner_id: {_eq:
X-Hasura-User-Id}}`.
Fix: remove the column from the update columns, preset it, or add a `check` that
repeats the ownership condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.analysis import scoping_columns
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "ownership-takeover"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("update"):
        if is_admin(ctx, grant.role):
            continue
        writable = ctx.writable(grant)
        scoping = scoping_columns(grant.filter, ctx, grant.table)
        pinned = scoping_columns(grant.check, ctx, grant.table)
        exposed = scoping - pinned
        if writable is not None:
            exposed &= writable
        for column in sorted(c for c in exposed if not ctx.is_identity_column(grant.table, c)):
            yield Problem(
                grant.location,
                f"{grant.role} may update `{column}` on {grant.table}, the column its own filter "
                "uses to tie rows to the caller, and no check pins it: a caller can move a "
                "row out of its reach or into someone else's",
                f"drop `{column}` from the update columns, preset it, or add a check that "
                "repeats the filter's condition on it",
                grant.table,
                grant.role,
                grant.action,
            )
