"""The one walk over a boolean expression as plain data (Hasura's stored form), for readers
that need no schema to parse against (lint, plan's pre-flight): where tree.py parses an
expression against the schema and fails on what it does not know, this walk tolerates
anything and leaves tables, relationships and columns to its caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hasura_perm.boolexp.operators import CONNECTIVES
from hasura_perm.boolexp.operators import spelled
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_ref


def parts(expr: Any) -> Iterator[tuple[str, Any]]:
    """(key, value) of every part evaluated on the expression's own table, in order: `_and`,
    `_or` and `_not` are walked through; fields (columns, relationships, computed fields) and
    `_exists` come out, keys spelled with `_`. Anything not shaped as an expression is skipped."""
    if not isinstance(expr, dict):
        return
    for raw_key, value in expr.items():
        key = spelled(raw_key)
        if key in CONNECTIVES:
            for item in value if isinstance(value, list) else ():
                yield from parts(item)
        elif key == "_not":
            yield from parts(value)
        else:
            yield key, value


def exists_parts(value: Any) -> tuple[TableName | None, Any]:
    """(table, `_where`) of an `_exists` part's value; the table is None when it names none."""
    if not isinstance(value, dict):
        return None, None
    return table_ref(value.get("_table"), dotted=True), value.get("_where")
