"""Semantic comparison of two permission bodies, field by field: a normal form for equality,
and each changed field's effect: whether it widens (grants more), narrows (grants less),
does both or neither.

Column, computed-field and root-field lists are sets; `check: null` equals an absent check
and `{}`; filters and checks compare in boolexp.normal's normal form and are classified by
boolexp.effect, the classifier diff uses too; preset values compare like operands (session
variables case-insensitive).
"""

from __future__ import annotations

import json
from typing import Any

from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.boolexp.effect import classify
from hasura_perm.boolexp.effect import combine
from hasura_perm.boolexp.normal import conjuncts
from hasura_perm.boolexp.normal import normal_form
from hasura_perm.boolexp.normal import normal_operand
from hasura_perm.boolexp.normal import sort_key
from hasura_perm.boolexp.normal import without_common
from hasura_perm.metadata.export_format import stored_validate_input

ALL = "*"  # every column / every root field


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
    return {k: normal_operand("_eq", v) for k, v in sorted(value.items())}


_NORMALISE = {
    "set": _normal_set,
    "predicate": normal_form,
    "presets": _normal_presets,
    "limit": lambda v: v,
    "grant_flag": bool,
    "restrict_flag": bool,
    # Compared in the stored form, so `{url}` equals what the server exports for it.
    "webhook": lambda v: json.loads(sort_key(stored_validate_input(v))),
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
    effect = classify(before, after)
    out: dict[str, Any] = {"effect": effect.effect}
    b_all, a_all = conjuncts(before), conjuncts(after)
    b_rest, a_rest = without_common(b_all, a_all)
    if len(b_rest) < len(b_all):  # something in common: name just what changed
        out["added_conjuncts"], out["removed_conjuncts"] = a_rest, b_rest
    if effect.by_implication:
        out["decided_by"] = "implication"
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
