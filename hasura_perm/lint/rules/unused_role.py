"""A declared role has no permission anywhere.

A role that is declared (in `roles:`, or in `lint.claims.roles` / `inherited_roles`) but
holds no permission on any table, action, remote schema or function is usually a typo'd or
forgotten role; users granted it get nothing, and the next person to "fix" that tends to copy
a broad role's rules. Roles that only serve as parents of other roles are fine when a child
has permissions.

Fails: `roles: {auditor: {cognito_groups: [auditors]}}` and no rule for `auditor`.
Passes: a rule for `auditor`, or a child role inheriting from it that has rules. A
`combines` role (a Hasura inherited role) holds what Hasura derives from its parents.
Fix: give the role its rules, or delete it.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core.errors import Location
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.context import RoleInfo
from hasura_perm.lint.problem import Problem

ID = "unused-role"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    holders = {g.role for g in ctx.grants}
    if ctx.surface is not None:  # a role that may only call actions or functions is in use
        holders |= {r for roles in ctx.surface.grants.values() for r in roles}
        holders |= {r for roles in ctx.surface.remote_grants.values() for r in roles}
        holders |= {r for roles in ctx.surface.function_grants.values() for r in roles}
    for name, role in sorted(ctx.roles.items()):
        if not role.declared or name in holders or _has_active_child(ctx, name, holders):
            continue
        if _derives_actions(ctx, role, holders):
            continue
        yield Problem(
            role.location or Location(ctx.source),
            f"role {name} is declared but has no permission on any table, action, remote "
            "schema or function",
            f"give {name} rules, or delete it",
            role=name,
        )


def _has_active_child(ctx: LintContext, name: str, holders: set[str]) -> bool:
    return any(name in r.parents and r.name in holders for r in ctx.roles.values())


def _derives_actions(ctx: LintContext, role: RoleInfo, holders: set[str]) -> bool:
    """A `combines` role gets an action when any parent may call it (Hasura derives it)."""
    combines = getattr(ctx.surface, "combines", None) or {}
    return role.name in combines and any(p in holders for p in role.parents)
