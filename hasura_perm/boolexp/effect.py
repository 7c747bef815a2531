"""Whether a change to a boolean expression widens (admits more rows), narrows (fewer), does
both or neither: one classifier, shared by plan, drift and diff, so they cannot disagree.

Two steps, both sound, neither complete:

1. Syntactic (on boolexp.normal forms): conjuncts only removed widen, only added narrow; one
   conjunct replaced is compared inside its context, which is monotone (antitone under
   `_not`); an `_in` list that grows widens, an `_nin` list that grows narrows.
2. Where that says `mixed`, implication: if the old condition implies the new one the
   change widens, if the new implies the old it narrows, both: neutral (written
   differently, admits the same rows). `Effect.by_implication` says step 2 decided.

`implies(p, q)` is True when every row `p` admits, `q` admits too; False means "not
shown". It knows:

- structure: `{}` is true; a conjunction implies each of its conjuncts; a disjunct implies
  its disjunction; a disjunction implies what each of its disjuncts (with the rest of the
  conjunction) implies; relationships, `_exists` and `_not` (reversed) pass it through;
- operators on one column with literal operands: `_eq a` implies `_in [.., a, ..]`, `_in A`
  implies `_in B` when A is a subset of B, numeric bounds (`_gt 10` implies `_gte 5`),
  `_neq`/`_nin` when the values are numbers or booleans (distinct literals are then distinct
  values; two different strings may be equal for citext or timestamp columns), and every
  comparison with a literal implies `_is_null: false`.

SQL has three truth values, and `NOT` keeps NULL: `_not: {x: {_is_null: false}}` admits the
rows where x is NULL, which `_not: {x: {_eq: 5}}` does not. Under `_not` the check therefore
runs in strict mode, where p implies q only if also "q is false" implies "p is false"; that
rules out crossing between `_is_null` and the comparisons, which are NULL on NULL columns.
Inside a relationship or `_exists` (an EXISTS, never NULL) strict mode ends again.

Numeric literals are compared as numbers: compile only accepts them on numeric columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hasura_perm.boolexp.normal import conjuncts
from hasura_perm.boolexp.normal import disjuncts
from hasura_perm.boolexp.normal import normal_form
from hasura_perm.boolexp.normal import sort_key
from hasura_perm.boolexp.normal import without_common
from hasura_perm.boolexp.operators import ALL_OPERATORS
from hasura_perm.core.names import is_session_variable

WIDENING, NARROWING, MIXED, NEUTRAL = "widening", "narrowing", "mixed", "neutral"
EFFECTS = (WIDENING, NARROWING, MIXED, NEUTRAL)

_SET_OPERATORS = {"_in": WIDENING, "_nin": NARROWING}  # effect of a growing operand set


def combine(effects: Iterable[str]) -> str:
    found = set(effects) - {NEUTRAL}
    if not found:
        return NEUTRAL
    if len(found) == 1:
        return found.pop()
    return MIXED


def invert(effect: str) -> str:
    return {WIDENING: NARROWING, NARROWING: WIDENING}.get(effect, effect)


# ---------------------------------------------------------------- one classifier


@dataclass(frozen=True)
class Effect:
    effect: str  # one of EFFECTS
    by_implication: bool = False  # syntax said `mixed`; implication decided


def predicate_effect(before: Any, after: Any) -> str:
    """Whether `after` allows more rows than `before` (widening), fewer (narrowing), the
    same (neutral), or neither decidably (mixed). Both are boolean expressions, in any form."""
    return classify(normal_form(before), normal_form(after)).effect


def classify(before: dict[str, Any], after: dict[str, Any]) -> Effect:
    """The effect of a change between two normal forms (boolexp.normal.normal_form)."""
    effect = _syntactic_effect(before, after)
    if effect != MIXED:
        return Effect(effect)
    widens, narrows = implies(before, after), implies(after, before)
    if widens and narrows:
        return Effect(NEUTRAL, by_implication=True)  # written differently, same rows
    if widens:
        return Effect(WIDENING, by_implication=True)
    if narrows:
        return Effect(NARROWING, by_implication=True)
    return Effect(MIXED)


# ---------------------------------------------------------------- step 1: syntax


def _syntactic_effect(before: dict[str, Any], after: dict[str, Any]) -> str:
    if before == after:
        return NEUTRAL
    if after == {}:
        return WIDENING
    if before == {}:
        return NARROWING
    b_rest, a_rest = without_common(conjuncts(before), conjuncts(after))
    if not a_rest:
        return WIDENING  # conjuncts were only removed
    if not b_rest:
        return NARROWING  # conjuncts were only added
    if len(b_rest) == 1 and len(a_rest) == 1:
        return _conjunct_effect(b_rest[0], a_rest[0])
    return MIXED


def _conjunct_effect(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Two different one-key conjuncts; every context below is monotone (or antitone: _not)."""
    (b_key, b_val), (a_key, a_val) = next(iter(before.items())), next(iter(after.items()))
    if "_or" in (b_key, a_key):
        return _disjunction_effect(disjuncts(before), disjuncts(after))
    if b_key != a_key:
        return MIXED
    if b_key == "_not":
        return invert(_syntactic_effect(b_val, a_val))
    if b_key == "_exists":
        if b_val["_table"] != a_val["_table"]:
            return MIXED
        return _syntactic_effect(b_val["_where"], a_val["_where"])
    return _field_effect(b_val, a_val)


def _disjunction_effect(before: list[Any], after: list[Any]) -> str:
    b_rest, a_rest = without_common(before, after)
    if not b_rest:
        return WIDENING  # disjuncts were only added
    if not a_rest:
        return NARROWING
    if len(b_rest) == 1 and len(a_rest) == 1:
        return _syntactic_effect(b_rest[0], a_rest[0])
    return MIXED


def _field_effect(before: dict[str, Any], after: dict[str, Any]) -> str:
    b_ops, a_ops = set(before), set(after)
    if b_ops <= ALL_OPERATORS and a_ops <= ALL_OPERATORS:
        op = next(iter(b_ops)) if b_ops == a_ops and len(b_ops) == 1 else None
        if op in _SET_OPERATORS and isinstance(before[op], list) and isinstance(after[op], list):
            grew = _set_effect(before[op], after[op])
            return grew if _SET_OPERATORS[op] == WIDENING else invert(grew)
        return MIXED
    if b_ops & ALL_OPERATORS or a_ops & ALL_OPERATORS:
        return MIXED
    return _syntactic_effect(before, after)  # the same relationship, a different condition


def _set_effect(before: list[Any], after: list[Any]) -> str:
    b, a = {sort_key(v) for v in before}, {sort_key(v) for v in after}
    if a == b:
        return NEUTRAL
    if b <= a:
        return WIDENING
    if a <= b:
        return NARROWING
    return MIXED


# Case splits over several `_or`s multiply; past this many steps the answer is "not shown".
MAX_STEPS = 2000

_LOWER_BOUNDS = {"_gt": False, "_gte": True}  # operator -> inclusive
_UPPER_BOUNDS = {"_lt": False, "_lte": True}


# ---------------------------------------------------------------- step 2: implication


def implies(p: dict[str, Any], q: dict[str, Any]) -> bool:
    """Whether every row normal expression `p` admits is admitted by normal expression `q`."""
    return _implies(p, q, strict=False, search=_Search())


class _Search:
    def __init__(self) -> None:
        self.steps_left = MAX_STEPS

    def exhausted(self) -> bool:
        self.steps_left -= 1
        return self.steps_left < 0


def _implies(p: dict[str, Any], q: dict[str, Any], *, strict: bool, search: _Search) -> bool:
    if p == q or q == {}:
        return True
    if search.exhausted():
        return False
    q_parts = conjuncts(q)
    if len(q_parts) > 1:
        return all(_implies(p, c, strict=strict, search=search) for c in q_parts)
    target = q_parts[0]
    p_parts = conjuncts(p)
    if any(_conjunct_implies(c, target, strict, search) for c in p_parts):
        return True
    if _key(target) == "_or" and any(
        _implies(p, d, strict=strict, search=search) for d in target["_or"]
    ):
        return True
    return _by_cases(p_parts, target, strict, search)


def _by_cases(
    p_parts: list[dict[str, Any]], target: dict[str, Any], strict: bool, search: _Search
) -> bool:
    """p = rest AND (d1 OR ... OR dn) implies target when each `rest AND di` does."""
    for i, part in enumerate(p_parts):
        if _key(part) != "_or":
            continue
        rest = p_parts[:i] + p_parts[i + 1 :]
        if all(
            _implies(_conjoin([*rest, *conjuncts(d)]), target, strict=strict, search=search)
            for d in part["_or"]
        ):
            return True
    return False


def _conjoin(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Normal conjuncts as one expression (no re-normalising: only `==` shortcuts see order)."""
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"_and": parts}


def _key(conjunct: dict[str, Any]) -> str:
    return next(iter(conjunct))


def _conjunct_implies(c: dict[str, Any], t: dict[str, Any], strict: bool, search: _Search) -> bool:
    """One conjunct of p (not an `_or`: _by_cases handles those) implies one conjunct of q."""
    if c == t:
        return True
    (kc, vc), (kt, vt) = next(iter(c.items())), next(iter(t.items()))
    if kc != kt or kc in ("_or", "_invalid"):
        return False
    if kc == "_not":
        return _implies(vt, vc, strict=True, search=search)
    if kc == "_exists":
        same_table = vc["_table"] == vt["_table"]
        return same_table and _implies(vc["_where"], vt["_where"], strict=False, search=search)
    c_ops, t_ops = _is_operators(vc), _is_operators(vt)
    if c_ops and t_ops:
        return _operator_implies(vc, vt, strict)
    if not c_ops and not t_ops:  # the same relationship: EXISTS a related row such that ...
        return _implies(vc, vt, strict=False, search=search)
    return False


def _is_operators(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= ALL_OPERATORS


# ---------------------------------------------------------------- one column, two operators


def _operator_implies(c: dict[str, Any], t: dict[str, Any], strict: bool) -> bool:
    """`{op: operand}` of a column implies another of the same column."""
    (c_op, c_val), (t_op, t_val) = next(iter(c.items())), next(iter(t.items()))
    if t_op == "_is_null":
        # A comparison with a literal never admits NULL; under NOT the two differ on NULL rows.
        return t_val is False and not strict and _admits_only_values(c_op, c_val)
    c_set, t_set = _value_set(c_op, c_val), _value_set(t_op, t_val)
    if c_set is None or t_set is None:
        return False
    return _subset(c_set, t_set)


def _admits_only_values(op: str, value: Any) -> bool:
    return _value_set(op, value) is not None and op not in ("_neq", "_nin")


# A value set: ("in", values) | ("not_in", values) | ("range", lo, lo_incl, hi, hi_incl),
# over the non-NULL values of the column; literals only, never a session variable.
ValueSet = tuple[Any, ...]


def _value_set(op: str, value: Any) -> ValueSet | None:
    if op in ("_eq", "_neq"):
        values = [value]
    elif op in ("_in", "_nin") and isinstance(value, list) and value:
        values = value
    elif op in _LOWER_BOUNDS and _is_number(value):
        return ("range", value, _LOWER_BOUNDS[op], None, False)
    elif op in _UPPER_BOUNDS and _is_number(value):
        return ("range", None, False, value, _UPPER_BOUNDS[op])
    else:
        return None
    if not all(_is_literal(v) for v in values):
        return None
    return ("in" if op in ("_eq", "_in") else "not_in", tuple(values))


def _is_literal(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and not is_session_variable(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _subset(s: ValueSet, t: ValueSet) -> bool:
    kind_s, kind_t = s[0], t[0]
    if kind_t == "in":
        return kind_s == "in" and _same_values(s[1], t[1])
    if kind_t == "not_in":
        if kind_s == "not_in":
            return _same_values(t[1], s[1])  # excluding more admits less
        if kind_s == "in":
            return all(_distinct(a, e) for a in s[1] for e in t[1])
        return all(_is_number(e) and not _in_range(e, s) for e in t[1])
    if kind_s == "in":
        return all(_is_number(v) and _in_range(v, t) for v in s[1])
    if kind_s == "range":
        return _range_within(s, t)
    return False


def _same_values(small: tuple[Any, ...], big: tuple[Any, ...]) -> bool:
    """Every literal of `small` is literally in `big` (equal text means equal value)."""
    keys = {_literal_key(v) for v in big}
    return all(_literal_key(v) in keys for v in small)


def _literal_key(value: Any) -> str:
    return json.dumps(value)


def _distinct(a: Any, b: Any) -> bool:
    """Whether two literals surely denote different values of the same column."""
    if _is_number(a) and _is_number(b):
        return bool(a != b)
    if isinstance(a, bool) and isinstance(b, bool):
        return a != b
    return False  # strings: 'A' = 'a' for citext, '2024-01-01' = '2024-01-01 00:00' for dates


def _in_range(value: Any, r: ValueSet) -> bool:
    _, lo, lo_incl, hi, hi_incl = r
    above = lo is None or value > lo or (lo_incl and value == lo)
    below = hi is None or value < hi or (hi_incl and value == hi)
    return above and below


def _range_within(s: ValueSet, t: ValueSet) -> bool:
    _, s_lo, s_lo_incl, s_hi, s_hi_incl = s
    _, t_lo, t_lo_incl, t_hi, t_hi_incl = t
    return _bound_within(s_lo, s_lo_incl, t_lo, t_lo_incl, lower=True) and _bound_within(
        s_hi, s_hi_incl, t_hi, t_hi_incl, lower=False
    )


def _bound_within(s: Any, s_incl: bool, t: Any, t_incl: bool, *, lower: bool) -> bool:
    """Whether bound `s` is at least as tight as bound `t` (None: unbounded)."""
    if t is None:
        return True
    if s is None:
        return False
    if s == t:
        return t_incl or not s_incl
    return bool(s > t) if lower else bool(s < t)
