"""What a case produced (Outcome) and how it was judged (CaseResult)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.permission_tests.cases import Case
from hasura_perm.permission_tests.cases import Key

RuleKey = tuple[TableName, str, str]
Lookup = Callable[[TableName, str, str], Permission | None]


@dataclass
class Outcome:
    """What happened when a case ran."""

    permission: Permission | None = None
    error: str | None = None
    note: str | None = None
    accepted: list[Key] = field(default_factory=list)  # visible / changed / deleted / inserted
    others: list[Key] = field(default_factory=list)  # hidden / left alone
    rejected_by_check: list[Key] = field(default_factory=list)
    refused: str | None = None  # insert/update refused as a whole: check, columns, no permission
    rows: dict[Key, Any] = field(default_factory=dict)  # row data by key (before the action)
    after: dict[Key, Any] = field(default_factory=dict)  # row data after insert/update
    branches: set[str] = field(default_factory=set)
    sql: list[str] = field(default_factory=list)
    columns: list[str] | None = None  # the columns the role may read or write
    aggregate: bool = False
    limit: int | None = None
    count: int | None = None

    @property
    def allowed(self) -> bool:
        return bool(self.accepted)

    @property
    def denied(self) -> bool:
        return bool(self.others or self.rejected_by_check or self.refused)


@dataclass
class CaseResult:
    case: Case
    outcome: Outcome
    problems: list[str]
    uses: set[RuleKey]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def rule(self) -> Permission | None:
        return self.outcome.permission
