"""A role may call an action whose answer joins a table the role cannot select.

An action's output type may have relationships to tables (`custom_types` in actions.yaml);
Hasura resolves those fields with the caller's select permission on the table, so a role that
may call the action but not select the table gets an answer without them, or an error for a
query that asks for them. What the action's handler reads or writes is code behind a webhook
and cannot be checked; this rule sees only what the metadata joins onto the answer.

Fails: `actions: {upgrade_current_user: {user: {}}}` where the output type relates to
public.users and `user` has no select rule on public.users.
Passes: a select rule for the role on the related table.
Fix: give the role a select rule on the table, or stop granting it the action.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.errors import Location
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "action-hides-table"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("project",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    if ctx.surface is None:
        return
    for reach in ctx.action_reach:
        for role, grant in sorted(ctx.surface.grants.get(reach.action, {}).items()):
            if ctx.grant(reach.table, "select", role) is not None:
                continue
            yield Problem(
                grant.location or Location(ctx.source),
                f"role {role} may call action {reach.action}, whose output type "
                f"{reach.output_type} joins {reach.table} (relationship `{reach.relationship}`), "
                f"but {role} cannot select {reach.table}: that field is missing from its answers",
                f"give {role} a select rule on {reach.table}, or stop granting it {reach.action}",
                table=reach.table,
                role=role,
            )
