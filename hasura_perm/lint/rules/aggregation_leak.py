"""Aggregates reveal rows the select permission is meant to hold back.

Hasura computes the `_aggregate` fields (count, sum, min, max, ...) over every row the
filter admits and does not apply the permission's `limit` to them (only to `nodes`:
hasura/graphql-engine#1837, PR #2027). So `allow_aggregations` together with a `limit`
hands out the very totals the limit was meant to cap; and on a table marked `sensitive`
whose filter does not depend on the caller, aggregates publish statistics of everyone's
rows (salaries, counts per user) even where the columns are hidden elsewhere.
Administrator roles are not checked.

Fails: select `limit: 100`, `allow_aggregations: true`; or `allow_aggregations: true` on
a `sensitive` table with `filter: {}`.
Passes: no `allow_aggregations`, or no `limit` on a table that is not sensitive.
Fix: drop `allow_aggregations` for the role (or expose the few totals it needs through a
view or a computed field with its own permission).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.analysis import caller_scoped
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "aggregation-leak"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("select"):
        if not grant.body.get("allow_aggregations") or is_admin(ctx, grant.role):
            continue
        why = None
        if grant.body.get("limit") is not None:
            why = (
                f"aggregates ignore its limit of {grant.body['limit']} rows and cover every "
                "row the filter admits"
            )
        elif ctx.marked(grant.table, "sensitive") and not caller_scoped(
            grant.filter, ctx, grant.table
        ):
            why = "the table is marked sensitive and aggregates cover other users' rows"
        if why:
            yield Problem(
                grant.location,
                f"{grant.role} may aggregate {grant.table}: {why}",
                "drop `allow_aggregations` for this role, or serve the totals it needs "
                "through a view",
                grant.table,
                grant.role,
                grant.action,
            )
