"""Update may change a primary key.

A primary key is a row's identity: other rows, caches, URLs, audit logs and permission
conditions refer to it. A caller who may change it can make a row impersonate another
(take a freed id, break references that are not enforced, dodge a condition keyed on
it). Needs the schema (primary keys). Administrator roles are not checked.

Fails: update `columns: [id, title]` where `id` is the primary key.
Passes: `columns: [title]`.
Fix: drop the key columns from the update columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin

ID = "primary-key-writable"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("schema",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for grant in ctx.each("update"):
        key = ctx.table(grant.table).primary_key
        writable = ctx.writable(grant)
        if is_admin(ctx, grant.role) or not key or writable is None:
            continue
        exposed = [c for c in key if c in writable]
        if exposed:
            names = ", ".join(f"`{c}`" for c in exposed)
            yield Problem(
                grant.location,
                f"{grant.role} may update the primary key {names} of {grant.table}",
                f"drop {names} from the update columns",
                grant.table,
                grant.role,
                grant.action,
            )
