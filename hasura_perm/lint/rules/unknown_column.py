"""A rule names a column (or table) the schema does not have.

Hasura marks such metadata inconsistent and drops the permission, or refuses the whole
apply; after a migration renamed a column, a permission that silently lost its filter
column is worse still. Checked against the schema snapshot (`--schema` for metadata):
granted columns, presets, and the columns filters and checks compare. Tables absent
from the schema are reported once.

Fails: select `columns: [id, emial]` on a table without `emial`.
Passes: every named column exists.
Fix: correct the name, or remove it from the rule (and run `hasura-perm schema pull` if
the snapshot is out of date).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.validate import did_you_mean
from hasura_perm.lint.analysis import comparisons
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "unknown-column"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("schema",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    missing_tables = set()
    for grant in ctx.grants:
        info = ctx.table(grant.table)
        if info.columns is None:
            if grant.table not in missing_tables:
                missing_tables.add(grant.table)
                yield _problem(grant, f"{grant.table} is not in the schema", "")
            continue
        for column in sorted(_named(ctx, grant) - set(info.columns) - info.computed_fields):
            hint = did_you_mean(column, list(info.columns))
            yield _problem(grant, f"`{column}` is not a column of {grant.table}", hint)
        yield from _filter_columns(ctx, grant)


def _named(ctx: LintContext, grant: Grant) -> set[str]:
    columns = grant.body.get("columns")
    named = set(columns) if isinstance(columns, list) else set()
    return named | set(grant.presets)


def _filter_columns(ctx: LintContext, grant: Grant) -> Iterator[Problem]:
    seen = set()
    for expr in (grant.filter, grant.check):
        for c in comparisons(expr, ctx, grant.table):
            info = ctx.table(c.table)
            if info.columns is None or c.column in info.columns or c.column in info.computed_fields:
                continue
            if (c.table, c.column) in seen:
                continue
            seen.add((c.table, c.column))
            hint = did_you_mean(c.column, [*info.columns, *info.relationships])
            yield _problem(
                grant, f"the rule tests `{c.column}`, which {c.table} does not have", hint
            )


def _problem(grant: Grant, what: str, hint: str) -> Problem:
    return Problem(
        grant.location,
        f"{grant.role}'s {grant.action} rule on {grant.table}: {what}{hint}",
        "correct or remove the name (run `hasura-perm schema pull` if the snapshot is stale)",
        grant.table,
        grant.role,
        grant.action,
    )
