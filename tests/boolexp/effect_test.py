"""The effect of a change to a boolean expression: the syntactic step, implication, and the
one classifier that plan, drift and diff share."""

from __future__ import annotations

from typing import Any

import pytest

from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.boolexp.effect import Effect
from hasura_perm.boolexp.effect import classify
from hasura_perm.boolexp.effect import implies
from hasura_perm.boolexp.effect import predicate_effect
from hasura_perm.boolexp.normal import normal_form

A = {"a": {"_eq": 1}}
B = {"b": {"_eq": 2}}
C = {"c": {"_eq": 3}}
ME = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
OWN = ME
LIVE = {"is_deleted": {"_eq": False}}
PUBLISHED = {"status": {"_eq": "published"}}


@pytest.mark.parametrize(
    ("before", "after", "effect"),
    [
        (OWN, {}, WIDENING),
        ({}, OWN, NARROWING),
        ({"_and": [OWN, LIVE]}, OWN, WIDENING),  # a conjunct removed
        (OWN, {**OWN, **LIVE}, NARROWING),  # a conjunct added
        (OWN, {"_or": [OWN, PUBLISHED]}, WIDENING),  # a disjunct added
        ({"_or": [OWN, PUBLISHED, LIVE]}, {"_or": [OWN, LIVE]}, NARROWING),
        ({"_and": [LIVE, {"_or": [OWN]}]}, {"_and": [LIVE, {"_or": [OWN, PUBLISHED]}]}, WIDENING),
        ({"_not": OWN}, {"_not": {**OWN, **LIVE}}, WIDENING),  # antitone under _not
        ({"project": OWN}, {"project": {**OWN, **LIVE}}, NARROWING),  # inside a relationship
        ({"_exists": {"_table": "u", "_where": {}}}, {"_exists": {"_table": "u", "_where": OWN}}, NARROWING),
        ({"id": {"_in": [1, 2]}}, {"id": {"_in": [1, 2, 3]}}, WIDENING),
        ({"id": {"_nin": [1, 2]}}, {"id": {"_nin": [1, 2, 3]}}, NARROWING),
        (OWN, PUBLISHED, MIXED),
        ({"a": {"_eq": 1}}, {"a": {"_gt": 0}}, WIDENING),  # decided by implication
        ({"a": {"_eq": 1}}, {"a": {"_lt": 0}}, MIXED),  # undecided
        ({"_and": [OWN, LIVE]}, {"_and": [OWN, PUBLISHED]}, MIXED),
    ],
)  # fmt: skip
def test_syntactic_effects(before: Any, after: Any, effect: str) -> None:
    assert predicate_effect(before, after) == effect


def holds(p: Any, q: Any) -> bool:
    return implies(normal_form(p), normal_form(q))


@pytest.mark.parametrize(
    ("p", "q"),
    [
        (A, {}),
        ({"_and": [A, B]}, A),
        (A, {"_or": [A, B]}),
        ({"_and": [A, B]}, {"_or": [A, C]}),
        ({"_or": [A, B]}, {"_or": [A, B, C]}),
        ({"_and": [C, {"_or": [A, B]}]}, {"_or": [{"_and": [A, C]}, {"_and": [B, C]}]}),
        ({"x": {"_eq": 1}}, {"x": {"_in": [1, 2]}}),
        ({"x": {"_in": [1, 2]}}, {"x": {"_in": [3, 2, 1]}}),
        ({"x": {"_in": ["a", "b"]}}, {"x": {"_in": ["b", "a", "c"]}}),
        ({"x": {"_gt": 10}}, {"x": {"_gt": 5}}),
        ({"x": {"_gt": 10}}, {"x": {"_gte": 10}}),
        ({"x": {"_gte": 11}}, {"x": {"_gt": 10}}),
        ({"x": {"_lt": 3}}, {"x": {"_lte": 3.5}}),
        ({"x": {"_eq": 7}}, {"x": {"_gte": 7}}),
        ({"x": {"_in": [4, 5]}}, {"x": {"_lt": 6}}),
        ({"x": {"_eq": 1}}, {"x": {"_neq": 2}}),
        ({"x": {"_in": [1, 2]}}, {"x": {"_nin": [3]}}),
        ({"x": {"_nin": [1, 2, 3]}}, {"x": {"_nin": [2]}}),
        ({"x": {"_gt": 10}}, {"x": {"_nin": [1, 10]}}),
        ({"flag": {"_eq": True}}, {"flag": {"_neq": False}}),
        ({"x": {"_eq": "a"}}, {"x": {"_is_null": False}}),
        ({"x": {"_gt": 1}}, {"x": {"_is_null": False}}),
        ({"author": {"x": {"_gt": 10}}}, {"author": {"x": {"_gt": 5}}}),
        (
            {"_exists": {"_table": {"schema": "public", "name": "t"}, "_where": {"_and": [A, B]}}},
            {"_exists": {"_table": "t", "_where": A}},
        ),
        ({"_not": {"x": {"_gt": 5}}}, {"_not": {"x": {"_gt": 10}}}),
        ({"_not": {"_or": [A, B]}}, {"_not": A}),
        ({"$and": [ME, A]}, {"owner_id": {"$eq": "x-hasura-user-id"}}),
    ],
)
def test_implications_that_hold(p: Any, q: Any) -> None:
    assert holds(p, q)


@pytest.mark.parametrize(
    ("p", "q", "why"),
    [
        (A, B, "unrelated"),
        ({}, A, "true does not imply a condition"),
        ({"_or": [A, B]}, A, "a disjunction does not imply one disjunct"),
        ({"x": {"_gt": 5}}, {"x": {"_gt": 10}}, "a looser bound"),
        ({"x": {"_gte": 10}}, {"x": {"_gt": 10}}, "10 itself"),
        ({"x": {"_in": [1, 2, 3]}}, {"x": {"_in": [1, 2]}}, "a larger set"),
        (
            {"x": {"_eq": "a"}},
            {"x": {"_neq": "b"}},
            "'a' = 'B' for citext: strings are not distinct",
        ),
        ({"x": {"_eq": 1}}, {"x": {"_in": ["1"]}}, "a number and a string are different literals"),
        ({"x": {"_eq": 1.0}}, {"x": {"_in": [1]}}, "'1.0' and '1' differ as text"),
        (ME, {"owner_id": {"_in": ["x-hasura-user-id"]}}, "a session variable is not a literal"),
        ({"x": {"_gt": "b"}}, {"x": {"_gt": "a"}}, "string order depends on the collation"),
        ({"x": {"_eq": None}}, {"x": {"_is_null": False}}, "_eq null admits NULL"),
        (
            {"x": {"_nin": [1]}},
            {"x": {"_is_null": False}},
            "negative operators are not reasoned on",
        ),
        ({"a": {"x": {"_gt": 10}}}, {"b": {"x": {"_gt": 5}}}, "different relationships"),
        (
            {"_exists": {"_table": "t", "_where": A}},
            {"_exists": {"_table": "u", "_where": A}},
            "different tables",
        ),
        # NOT keeps SQL's NULL: the first admits rows where x IS NULL, the second does not.
        ({"_not": {"x": {"_is_null": False}}}, {"_not": {"x": {"_eq": 5}}}, "three-valued logic"),
        ({"_not": {"x": {"_gt": 10}}}, {"_not": {"x": {"_gt": 5}}}, "NOT reverses implication"),
    ],
)
def test_implications_that_are_not_claimed(p: Any, q: Any, why: str) -> None:
    assert not holds(p, q), why


@pytest.mark.parametrize(
    ("before", "after", "syntax_says", "expected"),
    [
        ({"x": {"_gt": 10}}, {"x": {"_gt": 5}}, MIXED, WIDENING),
        ({"x": {"_gt": 10}}, {"x": {"_gte": 20}}, MIXED, NARROWING),
        ({"x": {"_eq": 1}}, {"x": {"_in": [1, 2]}}, MIXED, WIDENING),
        ({"x": {"_in": [1, 2]}}, {"x": {"_eq": 2}}, MIXED, NARROWING),
        ({"x": {"_eq": 1}}, {"x": {"_in": [1]}}, MIXED, NEUTRAL),
        ({"_and": [A, B]}, {"_or": [A, B]}, MIXED, WIDENING),
        ({"_or": [A, B]}, {"_and": [A, B]}, MIXED, NARROWING),
        ({"_not": {"x": {"_gt": 10}}}, {"_not": {"x": {"_gt": 5}}}, MIXED, NARROWING),
        ({"x": {"_gt": 10}}, {"x": {"_lt": 10}}, MIXED, MIXED),
        ({"x": {"_like": "a%"}}, {"x": {"_like": "ab%"}}, MIXED, MIXED),
        ({"_and": [A, B]}, A, WIDENING, WIDENING),
        (A, {}, WIDENING, WIDENING),
        ({}, A, NARROWING, NARROWING),
        ({"x": {"_in": [1]}}, {"x": {"_in": [1, 2]}}, WIDENING, WIDENING),
    ],
)
def test_implication_decides_what_the_syntax_leaves_mixed(
    before: Any, after: Any, syntax_says: str, expected: str
) -> None:
    by_implication = syntax_says == MIXED and expected != MIXED
    assert classify(normal_form(before), normal_form(after)) == Effect(expected, by_implication)
    assert predicate_effect(before, after) == expected


def test_deep_nesting_is_decided() -> None:
    deep: dict[str, Any] = A
    for _ in range(150):
        deep = {"_or": [C, {"_and": [B, deep]}]}
    assert predicate_effect(deep, {"_and": [deep, {"z": {"_eq": 9}}]}) == NARROWING


def test_many_disjunctions_give_up_soundly() -> None:
    """Case splits multiply (2^20 cases here); the search stops and claims nothing."""
    many = {"_and": [{"_or": [{f"a{i}": {"_eq": 1}}, {f"b{i}": {"_eq": 1}}]} for i in range(20)]}
    unrelated = {"_or": [{"c": {"_eq": 1}}, {"d": {"_eq": 1}}]}
    assert not implies(normal_form(many), normal_form(unrelated))
    assert predicate_effect(many, unrelated) == MIXED
