"""Readable names for the parts the importer factors out, derived from their content.

- conditions: `{created_by_user_id: {_eq: x-hasura-user-db-id}}` -> `created_by_current_user`,
  `{is_deleted: {_eq: false}}` -> `not_deleted`, `{_and: [a, b]}` -> `a_and_b`;
- column sets: created_*/updated_* columns -> `audit`, primary keys -> `primary_keys`,
  columns sharing a prefix -> `<prefix>_columns`;
- presets: session variables stamped into columns -> `stamp_created_by_and_updated_by`.

Names are identifiers (`[A-Za-z_][A-Za-z0-9_-]*`), at most MAX_LENGTH characters, and
unique within their kind; `taken` holds names that must not be used (e.g. every column).
"""

from __future__ import annotations

import json
import re
from typing import Any

from hasura_perm.boolexp.operators import ALL_OPERATORS
from hasura_perm.core.names import is_session_variable
from hasura_perm.core.names import session_variable

MAX_LENGTH = 48
_ID_WORDS = {"id", "ids", "db"}
_CONNECTORS = {"and", "or", "not", "in", "is", "where", "of"}  # never end a shortened name


def unique(name: str, taken: set[str], fallback: str) -> str:
    """`name` made an identifier, shortened, and numbered if already taken; adds it to taken."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_").lower()
    name = re.sub(r"_+", "_", name)
    if len(name) > MAX_LENGTH:
        name = name[: MAX_LENGTH + 1].rsplit("_", 1)[0]
        while name.rsplit("_", 1)[-1] in _CONNECTORS and "_" in name:
            name = name.rsplit("_", 1)[0]
    if not name or not re.match(r"[a-z_]", name):
        name = fallback
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


# ---------------------------------------------------------------------------- conditions


def condition_name(expr: Any, names: dict[str, str]) -> str:
    """A name saying what the expression checks. `names` maps the JSON of expressions that
    already have a name to it, so composite expressions read as their parts."""
    if not isinstance(expr, dict) or not expr:
        return "always" if expr == {} else "condition"
    if len(expr) > 1:
        return "_and_".join(condition_name({k: v}, names) for k, v in expr.items())
    key, value = next(iter(expr.items()))
    if key in ("_and", "_or") and isinstance(value, list):
        joiner = "_and_" if key == "_and" else "_or_"
        return joiner.join(_part_name(item, names) for item in value)
    if key == "_not":
        return "not_" + _part_name(value, names)
    if key == "_exists" and isinstance(value, dict):
        table = value.get("_table") or {}
        target = table.get("name") if isinstance(table, dict) else str(table).split(".")[-1]
        where = value.get("_where")
        return f"{target}_where_{_part_name(where, names)}" if where else f"any_{target}"
    return _field_name(key, value, names)


def _part_name(expr: Any, names: dict[str, str]) -> str:
    if isinstance(expr, str):
        return expr
    return names.get(json.dumps(expr, sort_keys=True)) or condition_name(expr, names)


def _field_name(column: str, value: Any, names: dict[str, str]) -> str:
    if not isinstance(value, dict):
        return _comparison(column, "_eq", value)
    operators = [k for k in value if k in ALL_OPERATORS]
    if not operators:  # a relationship: the expression holds on the related row
        return f"{column}_{_part_name(value, names)}"
    return "_and_".join(_comparison(column, op, value[op]) for op in operators)


def _comparison(column: str, op: str, operand: Any) -> str:
    if op == "_eq" and is_session_variable(operand):
        return _is_session_value(column, operand)
    if op == "_eq" and isinstance(operand, bool):
        return _flag(column, operand)
    if op == "_neq" and isinstance(operand, bool):
        return _flag(column, not operand)
    if op == "_is_null":
        return f"{column}_is_null" if operand else f"has_{column}"
    if op in ("_in", "_nin") and is_session_variable(operand):
        word = "in" if op == "_in" else "not_in"
        return f"{column}_{word}_{_variable_words(operand)}"
    verb = {"_eq": "is", "_neq": "is_not"}.get(op, op.lstrip("_$"))
    return f"{column}_{verb}_{_slug(operand)}"


def _is_session_value(column: str, variable: str) -> str:
    noun = _variable_noun(variable)
    if column == "id":
        return f"is_current_{noun}"  # the row is the caller's own (users.id)
    if column == f"{noun}_id":
        return f"belongs_to_current_{noun}"
    stem = column
    for suffix in (f"{noun}_id", "id"):
        if stem.endswith("_" + suffix):
            stem = stem[: -len(suffix) - 1]
            break
    joiner = "_" if stem.endswith("_by") else "_is_"
    return f"{stem}{joiner}current_{noun}"


def _flag(column: str, value: bool) -> str:
    word = column[3:] if column.startswith("is_") else column
    return word if value else f"not_{word}"


def _variable_words(variable: str) -> str:
    name = session_variable(variable) or variable.lower()
    return name.removeprefix("x-hasura-").replace("-", "_")


def _variable_noun(variable: str) -> str:
    words = [w for w in _variable_words(variable).split("_") if w not in _ID_WORDS]
    return "_".join(words) or "session"


def _slug(value: Any) -> str:
    if isinstance(value, str):
        return _variable_words(value) if is_session_variable(value) else value
    if isinstance(value, list):
        return "_".join(_slug(v) for v in value[:3]) or "none"
    return str(value).lower()


# ---------------------------------------------------------------------------- column sets

_AUDIT = re.compile(r"^(created|updated|deleted|modified|inserted)_")


def column_set_name(columns: list[str], primary_keys: set[str]) -> str:
    if all(_AUDIT.match(c) for c in columns):
        return "audit"
    if all(c in primary_keys for c in columns):
        return "primary_keys"
    others = [c for c in columns if not _AUDIT.match(c)]
    if len(columns) - len(others) >= 2 and len(others) <= 2:
        return f"{'_'.join(others)}_and_audit"
    prefix = _common_word_prefix(columns)
    if prefix:
        return f"{prefix}_columns"
    if len(columns) == 2:
        return f"{columns[0]}_and_{columns[1]}"
    return f"{columns[0]}_{columns[1]}_etc"


def _common_word_prefix(columns: list[str]) -> str:
    words = [c.split("_") for c in columns]
    common: list[str] = []
    for parts in zip(*words, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    if any(len(w) <= len(common) for w in words):
        return ""
    return "_".join(common)


# ---------------------------------------------------------------------------- presets


def preset_name(preset: dict[str, Any]) -> str:
    stems = [_preset_stem(c) for c in preset]
    if all(is_session_variable(v) for v in preset.values()):
        return "stamp_" + "_and_".join(stems)
    parts = [f"{c}_{_slug(v)}" for c, v in preset.items()]
    return "set_" + "_and_".join(parts)


def _preset_stem(column: str) -> str:
    for suffix in ("_user_id", "_id"):
        if column.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)]
    return column.removesuffix("_id") or column
