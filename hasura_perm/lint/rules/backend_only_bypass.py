"""A backend-only rule that another role can bypass.

`backend_only: true` hides a mutation unless the request carries the admin secret (and
`x-hasura-use-backend-only-permissions`): it says "only our server may do this". If
another role may do the same mutation on the same table without `backend_only`, any user
holding that role does it from the browser, and the server-side checks the flag was meant
to force (payment verified, file scanned) are skipped. The same holds when a backend-only
insert sets columns that another role may later change with a plain update: the row the
server vouched for is rewritten by the client.

Fails: `file_service` insert on `files` is backend-only; `editor` may insert into `files`
too, or may update `storage_key`, a column only that insert sets.
Passes: no other role inserts into `files` or updates what the backend-only insert wrote,
or its rule is backend-only as well.
Fix: remove the other role's rule (`deny` it), drop the columns from its update, or make
it backend-only too.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "backend-only-bypass"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ()


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for protected in ctx.each("insert", "update", "delete"):
        if not protected.backend_only:
            continue
        for other in ctx.grants_on(protected.table, protected.action):
            if other.backend_only or other.role == protected.role:
                continue
            shared = _shared_columns(ctx, protected, other)
            if shared is None:
                continue
            yield Problem(
                other.location,
                f"{other.role} may {other.action} on {other.table} without backend_only, "
                f"bypassing {protected.role}'s backend-only {protected.action} rule{shared}",
                f"deny {other.action} on {other.table} to {other.role}, or make its rule "
                "backend_only too",
                other.table,
                other.role,
                other.action,
            )
        if protected.action == "insert":
            yield from _rewritten_later(ctx, protected)


def _rewritten_later(ctx: LintContext, protected: Grant) -> Iterator[Problem]:
    """Updates that change what only the backend-only insert may set."""
    inserted = ctx.writable(protected) or frozenset()
    others = [g for g in ctx.grants_on(protected.table, "insert") if not g.backend_only]
    for other in others:
        inserted -= ctx.writable(other) or frozenset()
    for update in ctx.grants_on(protected.table, "update"):
        changed = sorted(inserted & (ctx.writable(update) or frozenset()))
        if update.backend_only or not changed:
            continue
        names = ", ".join(f"`{c}`" for c in changed)
        yield Problem(
            update.location,
            f"{update.role} may update {names} on {update.table} without backend_only, "
            f"though only {protected.role}'s backend-only insert may set them: the row the "
            "backend vouched for can be rewritten",
            f"drop {names} from {update.role}'s update columns, or make that rule backend_only",
            update.table,
            update.role,
            update.action,
        )


def _shared_columns(ctx: LintContext, protected: Grant, other: Grant) -> str | None:
    """None when `other` cannot write anything `protected` writes; else a message tail."""
    if protected.action == "delete":
        return ""
    mine, theirs = ctx.writable(protected), ctx.writable(other)
    if mine is None or theirs is None:
        return ""
    shared = sorted(mine & theirs)
    if not shared:
        return None
    return f" (both write {', '.join(f'`{c}`' for c in shared)})"
