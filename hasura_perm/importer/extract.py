"""Name what recurs in the planned rules: presets, conditions and column sets.

Each pass counts a part over every rule that will be written (defaults and table files),
names the parts used at least twice, and puts the name in their place. Only parts that
recur in the output count: a rule that inheritance or a default already wrote once does
not make its filter "recurring".
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from typing import Any

from hasura_perm.importer.naming import column_set_name
from hasura_perm.importer.naming import condition_name
from hasura_perm.importer.naming import preset_name
from hasura_perm.importer.naming import unique
from hasura_perm.importer.planned import Plan
from hasura_perm.schema.snapshot import Snapshot

MIN_USES = 2
MIN_SET_SIZE = 3  # shorter column lists read better spelled out
MIN_SET_SAVING = 4  # (uses - 1) * (size - 1): names saved across the lists
MIN_UNNAMED_SET_USES = 4  # a set without a telling name (audit, keys, prefix) must recur more
# and save more


def name_parts(plan: Plan, snapshot: Snapshot) -> None:
    rules = plan.rules()
    plan.presets = _name_presets(rules)
    plan.conditions = _name_conditions(rules)
    columns = {c for table in snapshot.tables.values() for c in table.columns}
    keys = {c for table in snapshot.tables.values() for c in table.primary_key}
    plan.column_sets = _name_column_sets(rules, columns, keys, plan.column_sets)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# ---------------------------------------------------------------------------- presets


def _name_presets(rules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    counts = Counter(_key(r["set"]) for r in rules if isinstance(r.get("set"), dict))
    named: dict[str, str] = {}
    presets: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    for key, uses in sorted(counts.items()):
        if uses >= MIN_USES:
            preset = json.loads(key)
            name = unique(preset_name(preset), taken, "preset")
            named[key], presets[name] = name, preset
    for rule in rules:
        if isinstance(rule.get("set"), dict) and _key(rule["set"]) in named:
            rule["set"] = named[_key(rule["set"])]
    return presets


# ---------------------------------------------------------------------------- conditions

_POSITIONS = ("filter", "check")


def _name_conditions(rules: list[dict[str, Any]]) -> dict[str, Any]:
    wholes = [r[p] for r in rules for p in _POSITIONS if _nontrivial(r.get(p))]
    whole_counts = Counter(_key(e) for e in wholes)
    named_wholes = {k for k, n in whole_counts.items() if n >= MIN_USES}
    # Parts of `_and`/`_or`: counted once per rule that spells them out, and once per
    # named whole expression (its definition).
    part_counts: Counter[str] = Counter()
    for key, uses in whole_counts.items():
        for part in _parts(json.loads(key)):
            part_counts[_key(part)] += 1 if key in named_wholes else uses
    named_parts = {k for k, n in part_counts.items() if n >= MIN_USES and k not in named_wholes}
    names: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(named_parts, key=len) + sorted(named_wholes, key=len):
        names[key] = unique(condition_name(json.loads(key), names), taken, "condition")
    conditions = {names[k]: _with_names(json.loads(k), names, top=False) for k in names}
    for rule in rules:
        for position in _POSITIONS:
            if _nontrivial(rule.get(position)):
                rule[position] = _with_names(rule[position], names, top=True)
    return dict(sorted(conditions.items()))


def _nontrivial(expr: Any) -> bool:
    return isinstance(expr, dict) and bool(expr)


def _parts(expr: dict[str, Any]) -> list[Any]:
    out = []
    for key in ("_and", "_or"):
        items = expr.get(key)
        if isinstance(items, list):
            out += [item for item in items if _nontrivial(item)]
    return out


def _with_names(expr: Any, names: dict[str, str], top: bool) -> Any:
    """`expr` with named parts replaced by their names (the whole, when `top`)."""
    if top and _key(expr) in names:
        return names[_key(expr)]
    if not isinstance(expr, dict):
        return expr
    out = dict(expr)
    for key in ("_and", "_or"):
        if isinstance(out.get(key), list):
            out[key] = [
                names.get(_key(item), item) if _nontrivial(item) else item for item in out[key]
            ]
    return out


# ---------------------------------------------------------------------------- column sets


def _name_column_sets(
    rules: list[dict[str, Any]], columns: set[str], keys: set[str], existing: dict[str, list[str]]
) -> dict[str, list[str]]:
    lists = _column_lists(rules)
    taken = set(columns) | set(existing)
    sets: dict[str, list[str]] = dict(existing)
    while True:
        best = _best_subset([lst for lst in lists if lst], set(sets), keys)
        if best is None:
            break
        ordered = sorted(best)
        name = unique(column_set_name(ordered, keys), taken, "columns")
        sets[name] = ordered
        for lst in lists:
            _replace(lst, best, name)
    for rule in rules:
        if isinstance(rule.get("columns"), list) and len(rule["columns"]) == 1:
            if rule["columns"][0] in sets:
                rule["columns"] = rule["columns"][0]  # `columns: audit`
    return dict(sorted(sets.items()))


def _column_lists(rules: list[dict[str, Any]]) -> list[list[str]]:
    """The column lists of the rules, by reference, so replacing edits the rules."""
    out = []
    for rule in rules:
        columns = rule.get("columns")
        if isinstance(columns, list):
            out.append(columns)
        elif isinstance(columns, dict) and isinstance(columns.get("all_except"), list):
            out.append(columns["all_except"])
    return out


def _best_subset(
    lists: list[list[str]], set_names: set[str], keys: set[str]
) -> frozenset[str] | None:
    """The group of columns whose name saves the most, if any is worth a name."""
    plain = [frozenset(c for c in lst if c not in set_names) for lst in lists]
    candidates = {p for p in plain if len(p) >= MIN_SET_SIZE}
    for a, b in combinations(set(plain), 2):
        common = a & b
        if len(common) >= MIN_SET_SIZE:
            candidates.add(common)
    best, best_score = None, 0
    for candidate in sorted(candidates, key=sorted):
        uses = sum(1 for p in plain if candidate <= p)
        score = (uses - 1) * (len(candidate) - 1)
        name = column_set_name(sorted(candidate), keys)
        telling = name in ("audit", "primary_keys") or name.endswith("_columns")
        if telling:
            enough = uses >= MIN_USES
        else:
            enough = uses >= MIN_UNNAMED_SET_USES and score >= MIN_SET_SAVING
        if enough and score > best_score:
            best, best_score = candidate, score
    return best


def _replace(lst: list[str], members: frozenset[str], name: str) -> None:
    if not members <= set(lst):
        return
    position = min(i for i, c in enumerate(lst) if c in members)
    kept = [c for c in lst if c not in members]
    kept.insert(sum(1 for c in lst[:position] if c not in members), name)
    lst[:] = kept
