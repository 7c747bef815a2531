"""A role has permissions but no token can ever carry it.

Roles reach Hasura through the token's allowed roles; in a project those come from the
roles' `cognito_groups` (or `cognito.roles_attribute` and the fallback role), for
`--metadata` from `lint.claims.roles`. A role nobody can be granted is dead weight that
reviewers still have to reason about, and the first "quick fix" that grants it (a group
added by hand in the console) grants everything it has without review. Roles whose every
permission is `backend_only` are service roles and are not reported.

Fails: role `auditor` with select rules and no `cognito_groups`.
Passes: `auditor: {cognito_groups: [auditors]}`.
Fix: map the role to a Cognito group, or delete it and its rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "role-not-grantable"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("roles",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for name, role in sorted(ctx.roles.items()):
        grants = [g for g in ctx.grants if g.role == name]
        if role.grantable is not False or not grants or all(g.backend_only for g in grants):
            continue
        location = role.location or grants[0].location
        yield Problem(
            location,
            f"role {name} has {len(grants)} permission(s) but no Cognito group or claim grants it",
            f"add `cognito_groups` to {name} (or list it in `lint.claims.roles`), or remove "
            "the role and its rules",
            role=name,
        )
