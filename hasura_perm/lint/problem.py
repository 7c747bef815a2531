"""The one finding type. Rules create it without `rule` and `level`; lint() stamps both,
so a rule never knows (or decides) how serious its finding is."""

from __future__ import annotations

from dataclasses import dataclass

from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName

LEVELS = ("info", "warning", "error")  # in increasing order


def level_rank(level: str) -> int:
    return LEVELS.index(level)


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    fix: str
    table: TableName | None = None
    role: str | None = None
    action: str | None = None
    rule: str = ""
    level: str = ""
    origin: str = ""  # where the permission came from when not its own rule (inheritance, default)

    def sort_key(self) -> tuple[object, ...]:
        loc = self.location
        return (
            loc.file,
            loc.line,
            loc.column,
            str(self.table or ""),
            self.action or "",
            self.role or "",
            self.rule,
            self.message,
        )

    def subject(self) -> str:
        """`public.projects update editor`: what the finding is about, for listings."""
        parts = [str(self.table) if self.table else "", self.action or "", self.role or ""]
        return " ".join(p for p in parts if p)
