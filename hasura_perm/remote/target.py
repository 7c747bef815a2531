"""Targeting for emergencies (`plan`/`apply --table T --role R`, like Terraform's -target):
only the changes on the named tables and roles; the plan says loudly that it is partial."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from hasura_perm.remote.plan import Change


@dataclass(frozen=True)
class Target:
    tables: tuple[str, ...] = ()  # schema.table, table (schema public) or a pattern
    roles: tuple[str, ...] = ()  # a name or a pattern

    def __bool__(self) -> bool:
        return bool(self.tables or self.roles)

    def matches(self, change: Change) -> bool:
        table_ok = not self.tables or any(
            fnmatch.fnmatchcase(str(change.table), t if "." in t else f"public.{t}")
            for t in self.tables
        )
        role_ok = not self.roles or any(fnmatch.fnmatchcase(change.role, r) for r in self.roles)
        return table_ok and role_ok

    def describe(self) -> str:
        parts = [f"--table {t}" for t in self.tables] + [f"--role {r}" for r in self.roles]
        return " ".join(parts)


def narrow(changes: list[Change], target: Target) -> tuple[list[Change], int]:
    """The targeted changes, and how many others were left out."""
    kept = [c for c in changes if target.matches(c)]
    return kept, len(changes) - len(kept)


def warning(target: str, left_out: int) -> str:
    """The line every partial plan starts with."""
    others = f"{left_out} other change(s) are left out" if left_out else "no other changes"
    return (
        f"WARNING: partial plan ({target}): only these changes; {others}. "
        "Run a full plan afterwards: the server differs from the project until then."
    )
