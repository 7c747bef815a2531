"""Qualified table names and session variable names, as Hasura reads them."""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

SESSION_PREFIX = "x-hasura-"
USER_ID = "x-hasura-user-id"


def session_variable(value: Any) -> str | None:
    """The session variable a permission value names, or None (Authentication/Session.hs
    isSessionVariable: the case-folded text starts with `x-hasura-`; Server/Utils.hs
    isReqUserId: the legacy `REQ_USER_ID`, any case, means x-hasura-user-id). Both are read
    that way in rule operands and presets (Backends/Postgres/DDL.hs parseCollectableType)."""
    if not isinstance(value, str):
        return None
    folded = value.casefold()
    if folded.startswith(SESSION_PREFIX):
        return folded
    if value.lower() == "req_user_id":
        return USER_ID
    return None


class TableName(NamedTuple):
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"

    @classmethod
    def parse(cls, text: str) -> TableName:
        """`schema.table`, or `table` meaning schema public (as Hasura does)."""
        schema, _, name = text.rpartition(".")
        return cls(schema or "public", name)
