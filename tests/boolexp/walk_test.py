"""The schema-free walk over an expression's parts."""

from __future__ import annotations

from hasura_perm.boolexp.walk import exists_parts
from hasura_perm.boolexp.walk import parts
from hasura_perm.core.names import TableName


def test_parts_walk_through_and_or_not_in_order() -> None:
    expr = {
        "a": {"_eq": 1},
        "$and": [{"b": 2}, {"_or": [{"c": 3}, {"_not": {"d": 4}}]}],
        "_exists": {"_table": "t", "_where": {"e": 5}},
    }
    assert list(parts(expr)) == [
        ("a", {"_eq": 1}),
        ("b", 2),
        ("c", 3),
        ("d", 4),
        ("_exists", {"_table": "t", "_where": {"e": 5}}),
    ]


def test_parts_skip_what_is_not_shaped_as_an_expression() -> None:
    assert list(parts({"_and": {"a": 1}, "_or": [None, "x"]})) == []
    assert list(parts(None)) == []


def test_exists_parts() -> None:
    assert exists_parts({"_table": "t", "_where": {"e": 5}}) == (TableName("public", "t"), {"e": 5})
    assert exists_parts([]) == (None, None)
