"""Update or delete on a table the role cannot read.

Hasura exposes `update_<table>` and `delete_<table>` to a role that has no select
permission on the table (only the `_by_pk` forms and `returning` need one). Such a role
cannot see, and so cannot pick, rows; its mutations act blindly on every row the filter
admits (`delete_<table>(where: {})`), and `affected_rows` tells it how many exist. It
reaches rows it was deliberately denied. Administrator roles are checked too.

Fails: `editor` has a delete rule on `audit_log` and no select rule there.
Passes: the role also has a select rule, or has no update/delete rule.
Fix: give the role a select rule with the same filter, or remove the update/delete rule
(use an action or a backend-only rule for server-side jobs).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "write-without-select"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("update", "delete"):
        if grant.backend_only or ctx.grant(grant.table, "select", grant.role) is not None:
            continue
        verb = "update" if grant.action == "update" else "delete"
        yield Problem(
            grant.location,
            f"{grant.role} may {verb} rows of {grant.table} but has no select permission "
            "there: it changes rows blindly (every row its filter admits)",
            f"add a select rule for {grant.role} on {grant.table}, or remove this {verb} rule",
            grant.table,
            grant.role,
            grant.action,
        )
