"""The normal forms of boolean expressions: written (what compile writes), exact (the
import's equality), normal (semantic equality), and order_free."""

from __future__ import annotations

from typing import Any

import pytest

from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import predicate_effect
from hasura_perm.boolexp.normal import exact_form
from hasura_perm.boolexp.normal import normal_form
from hasura_perm.boolexp.normal import order_free
from hasura_perm.boolexp.normal import written_form

OWN = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
LIVE = {"is_deleted": {"_eq": False}}
PUBLISHED = {"status": {"_eq": "published"}}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"a": {"_eq": 1}, "b": {"_eq": 2}}, {"b": {"_eq": 2}, "a": {"_eq": 1}}),
        ({"a": {"$eq": 1}}, {"a": {"_eq": 1}}),
        ({"a": 1}, {"a": {"_eq": 1}}),
        ({"a": {"_neq": 1}}, {"a": {"$ne": 1}}),
        ({"_and": [OWN, LIVE]}, {**OWN, **LIVE}),
        ({"$and": [{"_and": [OWN]}, LIVE]}, {"_and": [LIVE, OWN]}),
        ({"_or": [OWN, LIVE]}, {"$or": [LIVE, OWN]}),
        ({"_or": [OWN]}, OWN),
        ({"_and": []}, {}),
        ({"_or": [OWN, {}]}, {}),
        ({"a": {"_gt": 1, "_lt": 5}}, {"_and": [{"a": {"_lt": 5}}, {"a": {"_gt": 1}}]}),
        ({"owner_id": {"_eq": "x-hasura-user-id"}}, OWN),
        ({"a": {"_in": [2, 1, 2]}}, {"a": {"_in": [1, 2]}}),
        ({"a": {"_ceq": "b"}}, {"a": {"_ceq": ["b"]}}),
        ({"$exists": {"_table": "t", "_where": OWN}}, {"_exists": {"_table": {"schema": "public", "name": "t"}, "_where": OWN}}),
    ],
)  # fmt: skip
def test_equivalent_expressions_have_one_normal_form(a: Any, b: Any) -> None:
    assert normal_form(a) == normal_form(b)
    assert predicate_effect(a, b) == NEUTRAL


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"a": {"_eq": 1}}, {"a": {"_eq": 2}}),
        ({"a": {"_eq": 1}}, {"b": {"_eq": 1}}),
        ({"_not": OWN}, OWN),
        ({"rel": OWN}, OWN),
    ],
)
def test_different_expressions_stay_different(a: Any, b: Any) -> None:
    assert normal_form(a) != normal_form(b)


def test_the_written_form_sorts_keys_and_spells_logical_operators_with_underscores() -> None:
    written = written_form({"b": {"$eq": 1}, "$or": [{"z": 1, "a": {"_in": [2, 1]}}]})
    assert written == {"_or": [{"a": {"_in": [2, 1]}, "z": 1}], "b": {"$eq": 1}}
    assert list(written) == ["_or", "b"]
    assert list(written["_or"][0]) == ["a", "z"]


def test_the_exact_form_settles_spelling_but_keeps_order_and_aliases() -> None:
    given = {"$and": [{"b": {"$eq": 1}}, {"_exists": {"_table": "t", "_where": {"a": {"$ne": 2}}}}]}
    assert exact_form(given) == {
        "_and": [
            {"b": {"_eq": 1}},
            {"_exists": {"_table": {"name": "t", "schema": "public"}, "_where": {"a": {"_ne": 2}}}},
        ]
    }
    # A string names a table of schema public, as in Hasura's metadata: no dot splitting.
    assert exact_form({"_exists": {"_table": "a.b"}}) == {
        "_exists": {"_table": {"name": "a.b", "schema": "public"}, "_where": {}}
    }
    assert exact_form(None) is None


def test_the_normal_form_is_built_on_the_exact_form() -> None:
    given = {"$and": [{"b": {"$ne": 1}}, {"_exists": {"_table": "t", "_where": {}}}]}
    assert normal_form(given) == normal_form(exact_form(given))


def test_order_free_ignores_only_the_order_of_unordered_operands() -> None:
    a = {"_or": [{"x": {"_in": [1, 2]}}, {"y": 1}], "$and": [{"p": 1}, {"q": 2}]}
    b = {"$and": [{"q": 2}, {"p": 1}], "_or": [{"y": 1}, {"x": {"_in": [2, 1]}}]}
    assert order_free(a) == order_free(b)
    assert order_free({"$and": [{"p": 1}]}) != order_free({"_and": [{"p": 1}]})
    assert order_free({"x": {"_eq": [1, 2]}}) != order_free({"x": {"_eq": [2, 1]}})
