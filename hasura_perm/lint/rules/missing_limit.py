"""No row limit on a large table that users query.

A select without `limit` returns every row the filter admits in one response: a single
query (or a scraper with a valid token) downloads the whole table and can load the
database. Checked for the tables marked `large` in `lint.tables` (or every table when
the option `all_tables` is true), for roles that are not administrators. Without either,
the rule is skipped.

Fails: a `large` table's select for `viewer` without `limit`.
Passes: `limit: 500`.
Fix: add a `limit` that fits the largest page the client shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "missing-limit"
LEVEL = "warning"
OPTIONS: dict[str, object] = {"all_tables": False}
NEEDS: tuple[str, ...] = ("large",)  # lint() also runs it when all_tables is true


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("select"):
        if grant.body.get("limit") is not None or is_admin(ctx, grant.role):
            continue
        if options["all_tables"] or ctx.marked(grant.table, "large"):
            yield Problem(
                grant.location,
                f"{grant.role} may select every row of {grant.table} at once: no `limit`",
                "add `limit:` to the select rule (the largest page the client needs)",
                grant.table,
                grant.role,
                grant.action,
            )
