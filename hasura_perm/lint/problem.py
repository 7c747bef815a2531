"""The one finding type: a Diagnostic (core/diagnostics.py) with the fix and what it is about.

Rules create it without a rule id (the Diagnostic's `code`) and level (its `severity`);
lint() stamps both, so a rule never knows (or decides) how serious its finding is."""

from __future__ import annotations

from dataclasses import dataclass

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.names import TableName


@dataclass(frozen=True)
class Problem(Diagnostic):
    fix: str
    table: TableName | None = None
    role: str | None = None
    action: str | None = None
    origin: str = ""  # where the permission came from when not its own rule (inheritance, default)

    @property
    def rule(self) -> str:
        """The rule's id: lint's name for the Diagnostic's code."""
        return self.code

    @property
    def level(self) -> str:
        """info, warning or error: lint's name for the Diagnostic's severity."""
        return self.severity

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
