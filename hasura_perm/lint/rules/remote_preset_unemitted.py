"""A role-based remote schema presets an argument from a session variable never emitted.

`@preset(value: "x-hasura-org-id")` on an argument or input field tells Hasura to fill it from
the session (unless `static: true`); when the token lacks the variable the role's requests to
the remote schema fail, and the quick fix under pressure (dropping the preset) hands the
argument to the caller.

Fails: `org(id: ID! @preset(value: "x-hasura-org-id"))` and `x-hasura-org-id` has no `from:`.
Passes: `x-hasura-org-id: {from: "custom:org_id"}`, or `@preset(value: "x-hasura-org-id",
static: true)` when the text itself is meant.
Fix: give the variable a source (`from:` a Cognito attribute, or `value:`), or stop using it.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.core import sdl
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "remote-preset-unemitted"
LEVEL = "error"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("session", "project")

ALWAYS_PRESENT = {"x-hasura-role"}


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    if ctx.surface is None:
        return
    session = ctx.session or {}
    for name in ctx.surface.remote_schemas:
        for role, grant in sorted(ctx.surface.remote_grants.get(name, {}).items()):
            if not grant.origin.startswith("remote_schemas entry"):
                continue  # an inherited schema is reported at its own entry
            for owner, where, variable in sdl.session_presets(grant.schema):
                known = session.get(variable)
                if variable in ALWAYS_PRESENT or (known is not None and known.emitted):
                    continue
                yield Problem(
                    grant.location,
                    f"{role}'s schema of remote schema {name} presets {owner}.{where} from "
                    f"{variable}, which the claims mapping never emits: Hasura fails these "
                    "requests",
                    f"give {variable} a source (`from:` a Cognito attribute, or `value:`), or "
                    "stop using it",
                    role=role,
                )
