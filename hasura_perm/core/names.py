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


def is_session_variable(value: Any) -> bool:
    """Whether a permission value names a session variable (see session_variable)."""
    return session_variable(value) is not None


def session_variables_in(value: Any) -> set[str]:
    """Every session variable named anywhere in a value (a rule's filter, check, presets):
    in the values of its mappings and the items of its lists, at any depth."""
    if isinstance(value, dict):
        return set().union(*(session_variables_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(session_variables_in(v) for v in value))
    name = session_variable(value)
    return {name} if name is not None else set()


class TableName(NamedTuple):
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"

    def in_source(self, source: str) -> TableName:
        """The name qualified by its Hasura source, `source:schema.table`, for commands that
        see several sources at once (the schema part carries the source)."""
        return TableName(f"{source}:{self.schema}", self.name)

    def source_part(self) -> tuple[str | None, TableName]:
        """(source, plain name) of a qualified name; (None, self) of a plain one."""
        source, found, schema = self.schema.partition(":")
        return (source, TableName(schema, self.name)) if found else (None, self)

    def beside(self, table: TableName) -> TableName:
        """This name as read in an expression on `table`: in `table`'s source when `table`
        is source-qualified and this name is not (Hasura's `_exists` never leaves the
        permission's source)."""
        source, _ = table.source_part()
        return self if source is None or ":" in self.schema else self.in_source(source)

    @classmethod
    def parse(cls, text: str) -> TableName:
        """`schema.table`, or `table` meaning schema public (as Hasura does)."""
        schema, _, name = text.rpartition(".")
        return cls(schema or "public", name)


def table_ref(value: Any, *, dotted: bool = False) -> TableName | None:
    """The table a Hasura reference names: `{schema, name}` (schema `public` when absent) or
    a plain string, which Hasura reads as a table in `public` (QualifiedObject's FromJSON).
    `dotted`: a string is `schema.table`, as permissions/ files and `_exists` are read.
    None when the value names no table."""
    if isinstance(value, str):
        return TableName.parse(value) if dotted else TableName("public", value)
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return TableName(str(value.get("schema", "public")), value["name"])
    return None


def table_name_of(value: Any) -> TableName:
    """A table reference that must be there (a table entry's `table:`, already checked)."""
    name = table_ref(value)
    if name is None:
        raise ValueError(f"not a Hasura table name: {value!r}")
    return name
