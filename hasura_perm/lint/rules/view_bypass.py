"""A view shows a role rows that the role's filter on the underlying table hides.

Hasura queries a view with the database user's rights, so the row filters of the tables
behind it do not apply: whatever the role's select filter on a table hides, the view
shows again unless its own filter does the same. Reported when the role's filter on a
table the view reads ties rows to the caller and the view's filter does not, or hides
rows while the view's filter is empty. A role with no select on the table at all is not
reported: publishing a curated view of a hidden table is the usual, deliberate pattern.
Needs the views' definitions (`--schema` with a SQL file).

Fails: `viewer` selects `projects` with `filter: {owner_id: {_eq: X-Hasura-User-Id}}` and
`project_list_view` (which reads `projects`) with `filter: {}`.
Passes: the view's filter for the role is as strict (`{owner_id: {_eq:
X-Hasura-User-Id}}`), or the table's filter admits every row anyway.
Fix: give the view the same filter for the role, or drop the role's select on the view.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.analysis import always_true
from hasura_perm.lint.analysis import caller_scoped
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "view-bypass"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("views",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("select"):
        for source in ctx.table(grant.table).view_sources:
            own = ctx.grant(source, "select", grant.role)
            why = _bypassed(ctx, grant, own) if own is not None else None
            if why is None:
                continue
            yield Problem(
                grant.location,
                f"{grant.role} reads rows of {source} through the view {grant.table}: {why}",
                f"filter the view for {grant.role} as {source} is filtered, or drop the select",
                grant.table,
                grant.role,
                grant.action,
            )


def _bypassed(ctx: LintContext, view: Grant, table: Grant) -> str | None:
    if caller_scoped(table.filter, ctx, table.table) and not caller_scoped(
        view.filter, ctx, view.table
    ):
        return f"its filter on {table.table} ties rows to the caller, the view's does not"
    if not always_true(table.filter) and always_true(view.filter):
        return f"its filter on {table.table} hides rows, the view's filter is empty"
    return None
