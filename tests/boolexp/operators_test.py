"""The vocabulary of boolean expressions, defined once."""

from __future__ import annotations

import pytest

from hasura_perm.boolexp.operators import ALL_OPERATORS
from hasura_perm.boolexp.operators import LOGICAL
from hasura_perm.boolexp.operators import logical_name
from hasura_perm.boolexp.operators import spelled


def test_logical_operators_are_apart_from_column_operators() -> None:
    assert {"_and", "_or", "_not", "_exists"} == LOGICAL
    assert not LOGICAL & ALL_OPERATORS
    assert {"_eq", "_in", "_ceq", "_cast", "_is_null", "_st_d_within"} <= ALL_OPERATORS


@pytest.mark.parametrize(
    ("key", "name"),
    [("_and", "_and"), ("$and", "_and"), ("$exists", "_exists"), ("_eq", None), ("and", None)],
)
def test_logical_name_reads_both_spellings(key: str, name: str | None) -> None:
    assert logical_name(key) == name


def test_spelled_turns_a_dollar_into_an_underscore() -> None:
    assert [spelled(k) for k in ("$eq", "_eq", "title")] == ["_eq", "_eq", "title"]
