"""Qualified table names, as Hasura writes them."""

from __future__ import annotations

from typing import NamedTuple


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
