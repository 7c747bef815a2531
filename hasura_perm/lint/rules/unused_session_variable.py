"""A declared session variable that no permission uses.

Every variable under `session:` becomes a claim the Cognito trigger puts into each
token. One that no compiled rule or preset reads is a leftover of a removed rule, or a
sign that a rule uses a different (misspelt, or hard-coded) value instead; either way it
widens every token for nothing. Actions, remote schemas and event handlers may read
session variables too, which this rule cannot see: hence `info`, and Hasura's
conventional `x-hasura-user-id` is never reported. Project mode only.

Fails: `session: {x-hasura-org-id: {from: "custom:org_id"}}` and no rule compares
anything with `x-hasura-org-id`.
Passes: a filter, check or preset of some compiled rule uses it.
Fix: delete it, or suppress the finding with the action or service that reads it as the
reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.errors import Location
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

# Hasura's own, and `x-hasura-user-id`, which actions and event handlers read by convention
_CONVENTIONAL = {
    "x-hasura-role", "x-hasura-allowed-roles", "x-hasura-default-role", "x-hasura-user-id",
}  # fmt: skip

ID = "unused-session-variable"
LEVEL = "info"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("project",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for name, variable in sorted((ctx.session or {}).items()):
        if name in _CONVENTIONAL:
            continue
        if name not in ctx.session_used:
            yield Problem(
                variable.location or Location(ctx.source),
                f"session variable `{name}` is declared but no permission uses it",
                f"delete `{name}` from session:, or keep it and record in lint.ignore which "
                "action or service reads it",
            )
