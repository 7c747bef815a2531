"""A column newly granted because `columns: all` or `all_except` picked it up.

`all` and `all_except` are expanded from the schema snapshot, so when a migration adds a
column (`documents.api_token`) and the snapshot is pulled again, every such rule grants it
without a single changed line in permissions/: only metadata/ changes, where reviewers
look least. Reported for each column the compiled permission has and the same
permission in metadata/ on disk (the last compile, usually the committed state) does
not; `compile` prints the same notice when it writes it. Run lint before compiling (or
in CI on the pull request) to see it. Project mode only.

Fails: `viewer` select `columns: all` on `documents`, a new `api_token` column in the
snapshot, metadata/ not yet recompiled: "viewer now reads documents.api_token (new
column)".
Passes: the rule lists its columns, or the column is excluded (`all_except: [api_token]`).
Fix: if the role should not see it, add it to `all_except` (or list the columns); else
compile and commit, and the notice goes away.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping

from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem

ID = "new-column-exposed"
LEVEL = "warning"
OPTIONS: dict[str, object] = {}
NEEDS: tuple[str, ...] = ("project",)


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    for exposure in ctx.exposures:
        p = exposure.permission
        yield Problem(
            p.location,
            exposure.describe(),
            f"add `{exposure.column}` to the rule's `all_except` (or list its columns) if "
            f"{p.role} should not have it; otherwise compile and commit metadata/",
            p.table,
            p.role,
            p.action,
        )
