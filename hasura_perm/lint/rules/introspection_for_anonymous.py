"""A role for visitors without an account may introspect the GraphQL schema.

Introspection hands whoever holds the role a map of every table, column, action and argument
the role can reach. Signed-in clients are built against the schema and rarely need it at run
time; a role for anonymous visitors (named `anonymous`, `anon`, `public`, `guest`, `visitor`,
`unauthenticated` or `unauthorized`, as Hasura's HASURA_GRAPHQL_UNAUTHORIZED_ROLE usually is)
gives that map to anyone on the internet. Hasura turns it off per role with
`graphql_schema_introspection.yaml` `disabled_for_roles`.

Fails: `roles: {anonymous: {}}` with rules for `anonymous`.
Passes: `roles: {anonymous: {introspection: false}}`.
Fix: add `introspection: false` to the role (compile writes disabled_for_roles), or suppress
the rule for the role if its clients really introspect at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.errors import Location
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "introspection-for-anonymous"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("project",)

_ANONYMOUS = re.compile(
    r"^(anonymous|anon|public|guests?|visitors?|unauthenticated|unauthori[sz]ed)$", re.I
)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    disabled = set(ctx.surface.introspection_disabled) if ctx.surface is not None else set()
    for name, role in sorted(ctx.roles.items()):
        if not role.declared or not _ANONYMOUS.match(name) or name in disabled:
            continue
        yield Problem(
            role.location or Location(ctx.source),
            f"role {name} looks like a role for anonymous visitors and may introspect the "
            "GraphQL schema",
            f"add `introspection: false` to role {name}",
            role=name,
        )
