"""Semantic comparison of two permission bodies: a normal form for equality, and whether a change
widens (grants more), narrows (grants less), does both or neither.

Normalisation (shared/reference/hasura-v2-permissions-and-metadata-api.md sections 1 and 2):
key order is ignored; column, computed-field and root-field lists are sets; `check: null` equals
an absent check and `{}`; `$op` equals `_op`, `_ne` equals `_neq`; a bare column value is an
implicit `_eq`; session variables are case-insensitive; an object of several keys is the AND
of its keys, so nested `_and`s flatten and conjuncts are a set, as are disjuncts of `_or`.

Effect classification is sound, not complete: where widening or narrowing cannot be decided
syntactically the answer is `mixed`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from hasura_perm.boolexp.operators import ALL_OPERATORS
from hasura_perm.core.names import is_session_variable
from hasura_perm.core.names import session_variable
from hasura_perm.metadata.export_format import stored_validate_input

WIDENING, NARROWING, MIXED, NEUTRAL = "widening", "narrowing", "mixed", "neutral"
EFFECTS = (WIDENING, NARROWING, MIXED, NEUTRAL)
ALL = "*"  # every column / every root field

_ALIASES = {"_ne": "_neq", "_cne": "_cneq"}  # to the spelling rules use
_SET_OPERATORS = {"_in": WIDENING, "_nin": NARROWING}  # effect of a growing operand set
_LIST_OPERANDS = {"_in", "_nin", "_has_keys_any", "_has_keys_all"}
_COLUMN_COMPARISONS = {"_ceq", "_cneq", "_cgt", "_clt", "_cgte", "_clte"}


def combine(effects: Iterable[str]) -> str:
    found = set(effects) - {NEUTRAL}
    if not found:
        return NEUTRAL
    if len(found) == 1:
        return found.pop()
    return MIXED


def invert(effect: str) -> str:
    return {WIDENING: NARROWING, NARROWING: WIDENING}.get(effect, effect)


# ---------------------------------------------------------------- boolean expressions


def normal_boolexp(expr: Any) -> dict[str, Any]:
    """A boolean expression in normal form: `{}`, one conjunct, or `{"_and": [sorted conjuncts]}`;
    each conjunct is a one-key object."""
    parts = _unique(_conjuncts_of(expr))
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    return {"_and": parts}


def conjuncts(normal: dict[str, Any]) -> list[dict[str, Any]]:
    if not normal:
        return []
    return list(normal["_and"]) if list(normal) == ["_and"] else [normal]


def disjuncts(normal: dict[str, Any]) -> list[dict[str, Any]]:
    return list(normal["_or"]) if list(normal) == ["_or"] else [normal]


def _key(raw: str) -> str:
    key = f"_{raw[1:]}" if raw.startswith("$") else raw
    return _ALIASES.get(key, key)


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _unique(items: Iterable[Any]) -> list[Any]:
    return [v for _, v in sorted({_sort_key(v): v for v in items}.items())]


def _conjuncts_of(expr: Any) -> list[dict[str, Any]]:
    if not isinstance(expr, dict):
        return [{"_invalid": expr}]  # Hasura rejects it; keep it comparable anyway
    out: list[dict[str, Any]] = []
    for raw, value in expr.items():
        key = _key(raw)
        if key == "_and":
            for item in value if isinstance(value, list) else [value]:
                out.extend(_conjuncts_of(item))
        elif key == "_or":
            out.extend(_or_conjuncts(value if isinstance(value, list) else [value]))
        elif key == "_not":
            out.append({"_not": normal_boolexp(value)})
        elif key == "_exists" and isinstance(value, dict):
            where = normal_boolexp(value.get("_where") or {})
            out.append({"_exists": {"_table": _table(value.get("_table")), "_where": where}})
        else:
            out.extend({raw: part} for part in _field_parts(value))
    return out


def _or_conjuncts(items: list[Any]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for item in items:
        normal = normal_boolexp(item)
        if normal == {}:
            return []  # one disjunct is always true, so the whole `_or` is
        options.extend(disjuncts(normal))
    options = _unique(options)
    if len(options) == 1:
        return conjuncts(options[0])
    return [{"_or": options}]


def _table(value: Any) -> Any:
    if isinstance(value, str):
        return {"name": value, "schema": "public"}
    if isinstance(value, dict):
        return {"name": value.get("name"), "schema": value.get("schema", "public")}
    return value


def _field_parts(value: Any) -> list[Any]:
    """A field's value: operators (one part each, since they AND) or a nested expression."""
    if not isinstance(value, dict):
        return [{"_eq": _operand("_eq", value)}]
    keys = {_key(k) for k in value}
    if value and keys <= ALL_OPERATORS:
        return [{_key(op): _operand(_key(op), v)} for op, v in value.items()]
    return [normal_boolexp(value)]  # a relationship or a set-returning computed field


def _operand(op: str, value: Any) -> Any:
    if is_session_variable(value):
        return session_variable(value)
    if op == "_cast" and isinstance(value, dict):
        return {
            t: {p: v for part in _field_parts(ops) for p, v in part.items()}
            for t, ops in value.items()
        }
    if op in _COLUMN_COMPARISONS and isinstance(value, str):
        return [value]  # "col" and ["col"] both name a column of the current table
    if op in _LIST_OPERANDS and isinstance(value, list):
        return _unique(value)
    return value


def predicate_effect(before: Any, after: Any) -> str:
    """Whether `after` allows more rows than `before` (widening), fewer (narrowing), or neither
    decidably (mixed). Both are boolean expressions, normal or not."""
    return _predicate_effect(normal_boolexp(before), normal_boolexp(after))


def _predicate_effect(before: dict[str, Any], after: dict[str, Any]) -> str:
    if before == after:
        return NEUTRAL
    if after == {}:
        return WIDENING
    if before == {}:
        return NARROWING
    b_rest, a_rest = _without_common(conjuncts(before), conjuncts(after))
    if not a_rest:
        return WIDENING  # conjuncts were only removed
    if not b_rest:
        return NARROWING  # conjuncts were only added
    if len(b_rest) == 1 and len(a_rest) == 1:
        return _conjunct_effect(b_rest[0], a_rest[0])
    return MIXED


def _without_common(before: list[Any], after: list[Any]) -> tuple[list[Any], list[Any]]:
    b_keys, a_keys = {_sort_key(v) for v in before}, {_sort_key(v) for v in after}
    return (
        [v for v in before if _sort_key(v) not in a_keys],
        [v for v in after if _sort_key(v) not in b_keys],
    )


def _conjunct_effect(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Two different one-key conjuncts; every context below is monotone (or antitone: _not)."""
    (b_key, b_val), (a_key, a_val) = next(iter(before.items())), next(iter(after.items()))
    if "_or" in (b_key, a_key):
        return _disjunction_effect(disjuncts(before), disjuncts(after))
    if b_key != a_key:
        return MIXED
    if b_key == "_not":
        return invert(_predicate_effect(b_val, a_val))
    if b_key == "_exists":
        if b_val["_table"] != a_val["_table"]:
            return MIXED
        return _predicate_effect(b_val["_where"], a_val["_where"])
    return _field_effect(b_val, a_val)


def _disjunction_effect(before: list[Any], after: list[Any]) -> str:
    b_rest, a_rest = _without_common(before, after)
    if not b_rest:
        return WIDENING  # disjuncts were only added
    if not a_rest:
        return NARROWING
    if len(b_rest) == 1 and len(a_rest) == 1:
        return _predicate_effect(b_rest[0], a_rest[0])
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
    return _predicate_effect(before, after)  # the same relationship, a different condition


def _set_effect(before: list[Any], after: list[Any]) -> str:
    b, a = {_sort_key(v) for v in before}, {_sort_key(v) for v in after}
    if a == b:
        return NEUTRAL
    if b <= a:
        return WIDENING
    if a <= b:
        return NARROWING
    return MIXED


# ---------------------------------------------------------------- permission bodies

# (field, default when absent, kind) in Hasura's export order.
_FIELDS: tuple[tuple[str, Any, str], ...] = (
    ("columns", ALL, "set"),
    ("computed_fields", [], "set"),
    ("filter", {}, "predicate"),
    ("check", {}, "predicate"),
    ("set", {}, "presets"),
    ("limit", None, "limit"),
    ("allow_aggregations", False, "grant_flag"),
    ("query_root_fields", ALL, "set"),
    ("subscription_root_fields", ALL, "set"),
    ("backend_only", False, "restrict_flag"),
    ("validate_input", None, "webhook"),
)


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """The normal form of a permission body (any action): equal iff semantically equal."""
    out = {}
    for name, default, kind in _FIELDS:
        value = body.get(name)
        value = default if value is None else value
        out[name] = _NORMALISE[kind](value)
    return out


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What differs between two bodies of the same action, field by field, with each field's
    effect; {} when they are semantically equal."""
    b_norm, a_norm = comparable(before), comparable(after)
    changes: dict[str, dict[str, Any]] = {}
    for name, _, kind in _FIELDS:
        if b_norm[name] == a_norm[name]:
            continue
        detail = {"before": before.get(name), "after": after.get(name)}
        detail.update(_DESCRIBE[kind](b_norm[name], a_norm[name]))
        changes[name] = detail
    return changes


def _normal_set(value: Any) -> Any:
    return ALL if value == ALL else sorted(set(value))


def _normal_presets(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _operand("_eq", v) for k, v in sorted(value.items())}


_NORMALISE = {
    "set": _normal_set,
    "predicate": normal_boolexp,
    "presets": _normal_presets,
    "limit": lambda v: v,
    "grant_flag": bool,
    "restrict_flag": bool,
    # Compared in the stored form, so `{url}` equals what the server exports for it.
    "webhook": lambda v: json.loads(_sort_key(stored_validate_input(v))),
}


def _describe_set(before: Any, after: Any) -> dict[str, Any]:
    if after == ALL:
        return {"effect": WIDENING}
    if before == ALL:
        return {"effect": NARROWING}
    added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    effect = combine([WIDENING] * bool(added) + [NARROWING] * bool(removed))
    return {"added": added, "removed": removed, "effect": effect}


def _describe_predicate(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"effect": _predicate_effect(before, after)}
    b_all, a_all = conjuncts(before), conjuncts(after)
    b_rest, a_rest = _without_common(b_all, a_all)
    if len(b_rest) < len(b_all):  # something in common: name just what changed
        out["added_conjuncts"], out["removed_conjuncts"] = a_rest, b_rest
    return out


def _describe_presets(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    # A preset forces a value the caller could otherwise choose.
    effect = combine(
        [NARROWING] * bool(added) + [WIDENING] * bool(removed) + [MIXED] * bool(changed)
    )
    return {"added": added, "removed": removed, "changed": changed, "effect": effect}


def _describe_limit(before: int | None, after: int | None) -> dict[str, Any]:
    if after is None or (before is not None and after > before):
        return {"effect": WIDENING}
    return {"effect": NARROWING}


def _describe_grant_flag(before: bool, after: bool) -> dict[str, Any]:
    return {"effect": WIDENING if after else NARROWING}


def _describe_restrict_flag(before: bool, after: bool) -> dict[str, Any]:
    return {"effect": NARROWING if after else WIDENING}


def _describe_restriction(before: Any, after: Any) -> dict[str, Any]:
    if before is None:
        return {"effect": NARROWING}
    return {"effect": WIDENING if after is None else MIXED}


_DESCRIBE = {
    "set": _describe_set,
    "predicate": _describe_predicate,
    "presets": _describe_presets,
    "limit": _describe_limit,
    "grant_flag": _describe_grant_flag,
    "restrict_flag": _describe_restrict_flag,
    "webhook": _describe_restriction,
}
