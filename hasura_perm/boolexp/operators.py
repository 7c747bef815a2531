"""The vocabulary of a Hasura boolean expression, defined once: the logical operators, the
column operators by family, and how `$`-spellings read. (The table `_exists` names is read by
core.names.table_ref, with `dotted=True`.)

From shared/reference/hasura-v2-permissions-and-metadata-api.md section 2 (Hasura's
Backends/Postgres/DDL/BoolExp.hs and RQL/IR/BoolExp.hs): every operator may be written with
`_` or `$` (`$and`, `$eq`).
"""

from __future__ import annotations

CONNECTIVES = frozenset({"_and", "_or"})  # each takes a list of expressions
LOGICAL = CONNECTIVES | {"_not", "_exists"}

COMPARISON = frozenset({"_eq", "_ne", "_neq", "_gt", "_lt", "_gte", "_lte"})
LIST_OPS = frozenset({"_in", "_nin"})
TEXT_OPS = frozenset({
    "_like", "_nlike", "_ilike", "_nilike", "_similar", "_nsimilar",
    "_regex", "_iregex", "_nregex", "_niregex",
})  # fmt: skip
CONTAINMENT = frozenset({"_contains", "_contained_in"})
JSONB_KEY_OPS = frozenset({"_has_key", "_has_keys_any", "_has_keys_all"})
COLUMN_COMPARISON = frozenset({"_ceq", "_cne", "_cneq", "_cgt", "_clt", "_cgte", "_clte"})
GEOMETRY_OPS = frozenset({
    "_st_contains", "_st_crosses", "_st_equals", "_st_overlaps", "_st_touches",
    "_st_within", "_st_3d_intersects", "_st_3d_d_within",
})  # fmt: skip
GEO_ANY_OPS = frozenset({"_st_intersects", "_st_d_within"})
LTREE_OPS = frozenset({
    "_ancestor", "_ancestor_any", "_descendant", "_descendant_any",
    "_matches", "_matches_any", "_matches_fulltext",
})  # fmt: skip
ALL_OPERATORS = (
    COMPARISON | LIST_OPS | TEXT_OPS | CONTAINMENT | JSONB_KEY_OPS | COLUMN_COMPARISON
    | GEOMETRY_OPS | GEO_ANY_OPS | LTREE_OPS | {"_is_null", "_cast"}
)  # fmt: skip
# Operators whose operand is a list of values (a set: order and repeats carry no meaning).
LIST_OPERANDS = LIST_OPS | {"_has_keys_any", "_has_keys_all"}


def spelled(key: str) -> str:
    """`$eq` -> `_eq`, `$and` -> `_and`; any other key as it is."""
    return f"_{key[1:]}" if key.startswith("$") else key


def logical_name(key: str) -> str | None:
    """`_and`/`_or`/`_not`/`_exists` for a key spelling one (with `_` or `$`), else None."""
    name = f"_{key[1:]}" if key[:1] in ("_", "$") else None
    return name if name in LOGICAL else None
