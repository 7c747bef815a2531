"""A table marked append-only can be updated or deleted.

Audit logs, events, ledgers and consent records (`append_only` in `lint.tables`) are
trustworthy only while nobody can rewrite or remove their rows. Any update or delete
rule on them, for any role including administrators, lets history be changed.
Skipped when no table is marked `append_only`.

Fails: `append_only: [public.activity_log]` and an update rule on `activity_log`.
Passes: only insert and select rules there.
Fix: remove the update and delete rules (correct mistakes with a new compensating row).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "append-only-modified"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("append_only",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("update", "delete"):
        if ctx.marked(grant.table, "append_only"):
            verb = "update" if grant.action == "update" else "delete"
            yield Problem(
                grant.location,
                f"{grant.role} may {verb} rows of {grant.table}, which is marked append-only",
                f"remove the {verb} rule",
                grant.table,
                grant.role,
                grant.action,
            )
