"""A select filter reads a table the role may not select.

Permission filters are evaluated with the database's full view: a filter that follows a
relationship (or `_exists`) into a table the role has no select permission on makes the
rows it returns depend on data it cannot see. By probing which rows come back, a caller
learns facts about the hidden table (which projects are flagged, which users are
suspended). Often intended (membership tables are commonly hidden), hence `info`.

Fails: `notes` select filter `{project: {is_secret: {_eq: false}}}` while the role has no
select on `projects`.
Passes: the role can select `projects` too.
Fix: give the role a select on the other table, or move the condition into a column of
this table (or a view) whose meaning the role may know.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.analysis import reaches
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "filter-reaches-hidden-table"
LEVEL = "info"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("select"):
        seen = set()
        for target, how in reaches(grant.filter, ctx, grant.table):
            if target in seen or ctx.grant(target, "select", grant.role) is not None:
                continue
            seen.add(target)
            yield Problem(
                grant.location,
                f"{grant.role}'s select filter on {grant.table} reads {target} (through "
                f"{how}), which {grant.role} may not select: the rows it gets reveal data of "
                f"{target}",
                f"give {grant.role} a select on {target}, or express the condition with "
                f"columns of {grant.table}",
                grant.table,
                grant.role,
                grant.action,
            )
