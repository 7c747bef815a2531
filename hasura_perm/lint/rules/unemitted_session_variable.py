"""A rule uses a session variable that the claims mapping never emits.

Hasura fails every request of the role that touches the rule with "missing session
variable" when the token lacks it: the permission is dead for real users, and the usual
quick fix under pressure (a `{}` filter) opens the table. In a project the mapping is
`session:` (a variable needs `from:` or `value:`); for `--metadata` it is
`lint.claims.session_variables`, without which the rule is skipped.
`x-hasura-role` is always present.

Fails: `filter: {org_id: {_eq: X-Hasura-Org-Id}}` and `x-hasura-org-id` has no `from:`.
Passes: `x-hasura-org-id: {from: "custom:org_id"}`.
Fix: give the variable a source (`from:` a Cognito attribute, or `value:`), or stop
using it.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.names import session_variables_in
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "unemitted-session-variable"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("session",)

ALWAYS_PRESENT = {"x-hasura-role"}


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    session = ctx.session or {}
    for grant in ctx.grants:
        used = session_variables_in([grant.filter, grant.check, grant.presets]) - ALWAYS_PRESENT
        for name in sorted(used):
            known = session.get(name)
            if known is not None and known.emitted:
                continue
            where = f" (declared at {known.location} without `from:` or `value:`)" if known else ""
            yield Problem(
                grant.location,
                f"{grant.role}'s {grant.action} rule on {grant.table} uses {name}, which the "
                f"claims mapping never emits{where}: Hasura refuses these requests",
                f"give {name} a source (`from:` a Cognito attribute, or `value:`), or stop using it",
                grant.table,
                grant.role,
                grant.action,
            )
