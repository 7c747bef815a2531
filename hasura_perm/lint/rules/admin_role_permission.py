"""A permission for the role `admin`.

`admin` is Hasura's built-in superuser: it bypasses every permission, and Hasura refuses
to store permissions for it ("cannot define permission for admin role"), which makes the
metadata inconsistent. A rule written for `admin` therefore never restricts anything, and
a reader believes it does.

Fails: `select: {admin: {columns: all, filter: {}}}`, or a role named `admin` in `roles:`.
Passes: `project_admin` (any other name).
Fix: rename the role (`project_admin`, `org_admin`), or delete the rule if the built-in
admin was meant.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "admin-role-permission"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()

ADMIN = "admin"


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    role = ctx.roles.get(ADMIN)
    if role is not None and role.declared and role.location is not None:
        yield Problem(
            role.location,
            "a role is named `admin`, Hasura's built-in superuser: its rules are refused and "
            "its holders bypass every permission",
            "rename the role (e.g. `project_admin`)",
            role=ADMIN,
        )
    for grant in ctx.grants:
        if grant.role == ADMIN:
            yield Problem(
                grant.location,
                f"{grant.action} permission on {grant.table} for `admin`: Hasura refuses "
                "permissions for its built-in superuser, which bypasses them anyway",
                "rename the role, or delete the rule",
                grant.table,
                grant.role,
                grant.action,
            )
