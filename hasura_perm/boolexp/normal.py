"""Normal forms of a Hasura boolean expression, as one ladder: each form is built on the one
before it and forgets a little more of how the expression was written.

- `written_form`: what compile writes and what Hasura exports (section 1 of
  shared/reference/hasura-v2-permissions-and-metadata-api.md): the keys of every object in
  alphabetical order (aeson's KeyMap) and `$and`/`$or`/`$not`/`$exists` as `_and`/... .
  It must not change anything else: compile's output is compared byte for byte.
- `exact_form`: the written form with the remaining spelling choices settled: every
  `$`-operator as `_` (`$eq` -> `_eq`) and `_exists` tables as `{name, schema}`. Equal
  means "the same expression as written, up to spelling"; an import must reproduce the
  metadata exactly in this sense (so `_and` order and `_ne` vs `_neq` still count).
- `normal_form`: the semantic normal form, built on the exact form: an object of several
  keys is the AND of its keys, so nested `_and`s flatten and conjuncts are a set, as are the
  disjuncts of `_or`; a bare value is an implicit `_eq`; `_ne` equals `_neq`; session
  variables are case-insensitive; list operands are sets. Equal normal forms admit the same
  rows; plan, drift, diff and the effect classifier (effect.py) compare in this form.

`order_free` stands apart: it ignores only the order of keys and of the operands of
AND/OR/IN, and nothing else (not even `$and` vs `_and`), to tell whether a file on disk
differs from compile's output only in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from hasura_perm.boolexp.operators import ALL_OPERATORS
from hasura_perm.boolexp.operators import COLUMN_COMPARISON
from hasura_perm.boolexp.operators import CONNECTIVES
from hasura_perm.boolexp.operators import LIST_OPERANDS
from hasura_perm.boolexp.operators import LOGICAL
from hasura_perm.boolexp.operators import logical_name
from hasura_perm.boolexp.operators import spelled
from hasura_perm.core.names import session_variable
from hasura_perm.core.names import table_ref

# ---------------------------------------------------------------- the written form


def written_form(value: Any) -> Any:
    """The expression with keys in Hasura's export order and logical operators with `_`."""
    # Loops, not comprehensions: each comprehension is a frame too (Python 3.11), and deeply
    # nested expressions must stay within the recursion limit.
    if isinstance(value, dict):
        renamed = {_written_key(k): v for k, v in value.items()}
        out = {}
        for key in sorted(renamed):
            out[key] = written_form(renamed[key])
        return out
    if isinstance(value, list):
        items = []
        for item in value:
            items.append(written_form(item))
        return items
    return value


def _written_key(key: str) -> str:
    return logical_name(key) or key


# ---------------------------------------------------------------- the exact form

_OPERATORS = ALL_OPERATORS | LOGICAL


def exact_form(value: Any) -> Any:
    """The written form with `$`-operators as `_` and `_exists` tables as {name, schema}."""
    return written_form(_respelled(value))


def _respelled(value: Any) -> Any:
    if isinstance(value, list):
        items = []
        for item in value:
            items.append(_respelled(item))
        return items
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, inner in value.items():
        name = spelled(key) if spelled(key) in _OPERATORS else key
        if name == "_exists" and isinstance(inner, dict):
            out[name] = {
                "_table": exists_table_json(inner.get("_table")),
                "_where": _respelled(inner.get("_where", {})),
            }
        else:
            out[name] = _respelled(inner)
    return out


def exists_table_json(value: Any) -> Any:
    """`_exists._table` as `{name, schema}`. A string is a table of schema public, as in
    Hasura's metadata (core.names.table_ref); anything else stays as it is."""
    table = table_ref(value)
    return value if table is None else {"name": table.name, "schema": table.schema}


# ---------------------------------------------------------------- the normal form

_ALIASES = {"_ne": "_neq", "_cne": "_cneq"}  # to the spelling rules use


def normal_form(expr: Any) -> dict[str, Any]:
    """The semantic normal form: `{}`, one conjunct, or `{"_and": [sorted conjuncts]}`;
    each conjunct is a one-key object."""
    return _normal(exact_form(expr))


def _normal(expr: Any) -> dict[str, Any]:
    parts: list[dict[str, Any]] = unique(_conjuncts_of(expr))
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    return {"_and": parts}


def conjuncts(normal: dict[str, Any]) -> list[dict[str, Any]]:
    """The conjuncts of a normal form."""
    if not normal:
        return []
    return list(normal["_and"]) if list(normal) == ["_and"] else [normal]


def disjuncts(normal: dict[str, Any]) -> list[dict[str, Any]]:
    """The disjuncts of a normal form (itself, unless it is one `_or`)."""
    return list(normal["_or"]) if list(normal) == ["_or"] else [normal]


def sort_key(value: Any) -> str:
    """A total order on JSON values, for sets of them."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def unique(items: Iterable[Any]) -> list[Any]:
    """The items as a sorted set."""
    return [v for _, v in sorted({sort_key(v): v for v in items}.items())]


def without_common(before: list[Any], after: list[Any]) -> tuple[list[Any], list[Any]]:
    """Each list without the items the other has too."""
    b_keys, a_keys = {sort_key(v) for v in before}, {sort_key(v) for v in after}
    return (
        [v for v in before if sort_key(v) not in a_keys],
        [v for v in after if sort_key(v) not in b_keys],
    )


def _key(key: str) -> str:
    return _ALIASES.get(key, key)


def _conjuncts_of(expr: Any) -> list[dict[str, Any]]:
    if not isinstance(expr, dict):
        return [{"_invalid": expr}]  # Hasura rejects it; keep it comparable anyway
    out: list[dict[str, Any]] = []
    for key, value in expr.items():
        if key == "_and":
            for item in value if isinstance(value, list) else [value]:
                out.extend(_conjuncts_of(item))
        elif key == "_or":
            out.extend(_or_conjuncts(value if isinstance(value, list) else [value]))
        elif key == "_not":
            out.append({"_not": _normal(value)})
        elif key == "_exists" and isinstance(value, dict):
            where = _normal(value.get("_where") or {})
            out.append({"_exists": {"_table": value.get("_table"), "_where": where}})
        else:
            out.extend({key: part} for part in _field_parts(value))
    return out


def _or_conjuncts(items: list[Any]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for item in items:
        normal = _normal(item)
        if normal == {}:
            return []  # one disjunct is always true, so the whole `_or` is
        options.extend(disjuncts(normal))
    options = unique(options)
    if len(options) == 1:
        return conjuncts(options[0])
    return [{"_or": options}]


def _field_parts(value: Any) -> list[Any]:
    """A field's value: operators (one part each, since they AND) or a nested expression."""
    if not isinstance(value, dict):
        return [{"_eq": normal_operand("_eq", value)}]
    keys = {_key(k) for k in value}
    if value and keys <= ALL_OPERATORS:
        return [{_key(op): normal_operand(_key(op), v)} for op, v in value.items()]
    return [_normal(value)]  # a relationship or a set-returning computed field


def normal_operand(op: str, value: Any) -> Any:
    """An operand of `op` in normal form (`_eq` for a preset's value)."""
    name = session_variable(value)
    if name is not None:
        return name
    if op == "_cast" and isinstance(value, dict):
        return {
            t: {p: v for part in _field_parts(ops) for p, v in part.items()}
            for t, ops in value.items()
        }
    if op in COLUMN_COMPARISON and isinstance(value, str):
        return [value]  # "col" and ["col"] both name a column of the current table
    if op in LIST_OPERANDS and isinstance(value, list):
        return unique(value)
    return value


# ---------------------------------------------------------------- order only

# Lists whose order carries no meaning: the operands of AND/OR and of the set operators.
UNORDERED_LISTS = CONNECTIVES | LIST_OPERANDS


def order_free(value: Any) -> Any:
    """The expression with the operands of AND/OR/IN sorted (dict equality ignores key
    order); every other difference, `$and` vs `_and` included, is kept."""
    if isinstance(value, dict):
        return {
            key: sorted((order_free(v) for v in item), key=sort_key)
            if spelled(key) in UNORDERED_LISTS and isinstance(item, list)
            else order_free(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [order_free(item) for item in value]
    return value
