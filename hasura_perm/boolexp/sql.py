"""Hasura boolean expressions -> PostgreSQL, meaning exactly what Hasura means.

The translation follows Hasura's own (server/src-lib/Hasura/Backends/Postgres/Translate/
BoolExp.hs and DDL/BoolExp.hs, read for facts):

- `{}`, `_and: []` are TRUE; `_or: []` is FALSE; several keys in one object are an AND.
- `_eq` / `_neq` on a nullable column (and a bare value, always) use Hasura's null-aware
  forms: `(c = v) OR (c IS NULL AND v IS NULL)` and `(c <> v) OR (c IS NOT NULL AND v IS NULL)`;
  on a NOT NULL column they are plain `=` / `<>`.
- `_in` is `c = ANY(array)`, `_nin` is `NOT (c = ANY(array))`.
- A session variable becomes `(session ->> 'x-hasura-...')::<column type>`, cast to an array
  type for `_in`/`_nin`/`_has_keys_*` (so its value must be a Postgres array literal "{a,b}").
- A relationship is `EXISTS (related row joined on the relationship's columns AND nested)`;
  the target table's own permission is NOT applied (it is for a client's `where`, see
  ClientTranslator). `_exists` is an uncorrelated `EXISTS`; `["$", col]` names the root row.

Expressions are parsed into a small tree first; coverage (which `_or` branch admitted a row)
and mutation testing (drop a conjunct) rewrite that tree and translate it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from hasura_perm.boolexp.tree import And
from hasura_perm.boolexp.tree import Compare
from hasura_perm.boolexp.tree import ComputedField
from hasura_perm.boolexp.tree import Exists
from hasura_perm.boolexp.tree import ExpressionError
from hasura_perm.boolexp.tree import Node
from hasura_perm.boolexp.tree import Not
from hasura_perm.boolexp.tree import Op
from hasura_perm.boolexp.tree import Or
from hasura_perm.boolexp.tree import Related
from hasura_perm.boolexp.tree import Relationship
from hasura_perm.boolexp.tree import Schema
from hasura_perm.boolexp.tree import SetComputed
from hasura_perm.boolexp.tree import UnsupportedRule
from hasura_perm.boolexp.tree import parse_compare
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import session_variable

SESSION_SQL = "current_setting('hasura.user')::json"
ROOT_ALIAS = "_root"

COMPARE_SQL = {"_gt": ">", "_lt": "<", "_gte": ">=", "_lte": "<="}
TEXT_SQL = {
    "_like": "LIKE", "_nlike": "NOT LIKE", "_ilike": "ILIKE", "_nilike": "NOT ILIKE",
    "_similar": "SIMILAR TO", "_nsimilar": "NOT SIMILAR TO",
    "_regex": "~", "_iregex": "~*", "_nregex": "!~", "_niregex": "!~*",
}  # fmt: skip
JSONB_SQL = {"_contains": "@>", "_contained_in": "<@", "_has_key": "?"}
JSONB_KEYS_SQL = {"_has_keys_any": "?|", "_has_keys_all": "?&"}
# ltree operators and the type their operand is cast to (Hasura's parseWithTy/parseManyWithType).
LTREE_SQL = {
    "_ancestor": ("@>", None), "_descendant": ("<@", None),
    "_ancestor_any": ("@>", "ltree[]"), "_descendant_any": ("<@", "ltree[]"),
    "_matches": ("~", "lquery"), "_matches_any": ("?", "lquery[]"),
    "_matches_fulltext": ("@", "ltxtquery"),
}  # fmt: skip
COLUMN_COMPARE_SQL = {
    "_ceq": "=", "_cne": "<>", "_cneq": "<>", "_cgt": ">", "_clt": "<", "_cgte": ">=", "_clte": "<=",
}  # fmt: skip
POSTGIS_OPERATORS = {
    "_st_contains", "_st_crosses", "_st_equals", "_st_overlaps", "_st_touches", "_st_within",
    "_st_3d_intersects", "_st_3d_d_within", "_st_intersects", "_st_d_within",
}  # fmt: skip

# --------------------------------------------------------------------------- SQL text


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_table(name: TableName) -> str:
    return f"{quote_ident(name.schema)}.{quote_ident(name.name)}"


def quote_literal(text: str) -> str:
    if "\x00" in text:
        raise HasuraPermError("text values cannot contain NUL characters")
    return "'" + text.replace("'", "''") + "'"


def literal(value: Any, pg_type: str) -> str:
    """A typed SQL literal, as Hasura writes a value parsed at metadata time."""
    if value is None:
        return f"NULL::{pg_type}"
    if pg_type.endswith("[]") and isinstance(value, list):
        element = pg_type[:-2]
        return f"ARRAY[{', '.join(literal(v, element) for v in value)}]::{pg_type}"
    return f"{quote_literal(text_value(value, pg_type))}::{pg_type}"


def text_value(value: Any, pg_type: str = "text") -> str:
    """How a YAML value is written as PostgreSQL input text for `pg_type`."""
    if pg_type in ("json", "jsonb"):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return array_literal(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def array_literal(values: list[Any]) -> str:
    """A Postgres array literal ("{a,b}"), the form Hasura wants array session values in."""
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        else:
            text = text_value(value)
            parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


@dataclass
class _Scope:
    table: TableName
    alias: str
    root_table: TableName
    root_alias: str


class Translator:
    """Translate permission expressions. One instance per statement (aliases are numbered)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.session_used: set[str] = set()
        self._counter = 0

    def condition(self, node: Node, table: TableName, alias: str = ROOT_ALIAS) -> str:
        return self._node(node, _Scope(table, alias, table, alias))

    # -- structure

    def _node(self, node: Node, scope: _Scope) -> str:
        if isinstance(node, And):
            return _fold([self._node(item, scope) for item in node.items], "AND", "true")
        if isinstance(node, Or):
            return _fold([self._node(item, scope) for item in node.items], "OR", "false")
        if isinstance(node, Not):
            return f"NOT ({self._node(node.item, scope)})"
        if isinstance(node, Exists):
            return self._exists(node, scope)
        if isinstance(node, Related):
            return self._related(node, scope)
        if isinstance(node, SetComputed):
            return self._set_computed(node, scope)
        assert isinstance(node, Compare)
        return self._compare(node, scope)

    def _alias(self, table: TableName) -> str:
        self._counter += 1
        return f"_be_{self._counter}_{table.schema}_{table.name}"

    def _exists(self, node: Exists, scope: _Scope) -> str:
        alias = self._alias(node.table)
        inner = self._node(node.where, replace(scope, table=node.table, alias=alias))
        return f"EXISTS (SELECT 1 FROM {quote_table(node.table)} AS {quote_ident(alias)} WHERE {inner})"

    def _related(self, node: Related, scope: _Scope) -> str:
        rel = node.relationship
        alias = self._alias(rel.target)
        joins = [
            f"{quote_ident(alias)}.{quote_ident(there)} = {quote_ident(scope.alias)}.{quote_ident(here)}"
            for here, there in rel.mapping
        ]
        inner_scope = replace(scope, table=rel.target, alias=alias)
        inner = [
            *joins,
            *self._related_extra(rel, inner_scope),
            self._node(node.where, inner_scope),
        ]
        body = _fold(inner, "AND", "true")
        return (
            f"EXISTS (SELECT 1 FROM {quote_table(rel.target)} AS {quote_ident(alias)} WHERE {body})"
        )

    def _related_extra(self, rel: Relationship, scope: _Scope) -> list[str]:
        """Extra conditions on a related row; permissions add none (Hasura: the target
        table's permission is not part of a permission's relationship check)."""
        return []

    def _set_computed(self, node: SetComputed, scope: _Scope) -> str:
        target = node.field.returns_table
        assert target is not None
        alias = self._alias(target)
        call = self._function_call(node.field, scope)
        inner = self._node(node.where, replace(scope, table=target, alias=alias))
        return f"EXISTS (SELECT 1 FROM {call} AS {quote_ident(alias)} WHERE {inner})"

    def _function_call(self, cf: ComputedField, scope: _Scope) -> str:
        row = quote_ident(scope.alias)
        args = [f"{quote_ident(cf.table_argument)} => {row}" if cf.table_argument else row]
        if cf.session_argument:
            args.append(f"{quote_ident(cf.session_argument)} => {SESSION_SQL}")
        return f"{quote_table(cf.function)}({', '.join(args)})"

    # -- comparisons

    def _compare(self, node: Compare, scope: _Scope) -> str:
        if node.computed is not None:
            lhs = self._function_call(node.computed, scope)
            pg_type, nullable = node.computed.returns or "text", True
        else:
            info = self.schema.table(scope.table)
            lhs = f"{quote_ident(scope.alias)}.{quote_ident(node.name)}"
            pg_type, nullable = info.columns[node.name], node.name in info.nullable
        if node.is_bare:
            # Hasura parses a bare value as a nullable `_eq`, whatever the column.
            return _null_aware_eq(lhs, self._value(node.bare, pg_type))
        parts = [self._op(op, lhs, pg_type, nullable, node.name, scope) for op in node.ops]
        return _fold(parts, "AND", "true")

    def _op(self, op: Op, lhs: str, pg_type: str, nullable: bool, name: str, scope: _Scope) -> str:
        n, v = op.name, op.value
        if n == "_eq":
            rhs = self._value(v, pg_type)
            return _null_aware_eq(lhs, rhs) if nullable else f"({lhs} = {rhs})"
        if n in ("_ne", "_neq"):
            rhs = self._value(v, pg_type)
            if nullable:
                return f"(({lhs} <> {rhs}) OR (({lhs}) IS NOT NULL AND ({rhs}) IS NULL))"
            return f"({lhs} <> {rhs})"
        if n in COMPARE_SQL:
            return f"({lhs} {COMPARE_SQL[n]} {self._value(v, pg_type)})"
        if n == "_in":
            return f"({lhs} = ANY({self._value(v, pg_type + '[]')}))"
        if n == "_nin":
            return f"(NOT ({lhs} = ANY({self._value(v, pg_type + '[]')})))"
        if n == "_is_null":
            if not isinstance(v, bool):
                raise ExpressionError(f"`{op.key}` on `{name}` takes true or false, found {v!r}")
            return f"({lhs} IS NULL)" if v else f"({lhs} IS NOT NULL)"
        if n in TEXT_SQL:
            return f"({lhs} {TEXT_SQL[n]} {self._value(v, pg_type)})"
        if n in JSONB_SQL:
            operand_type = "text" if n == "_has_key" else pg_type
            return f"({lhs} {JSONB_SQL[n]} {self._value(v, operand_type)})"
        if n in JSONB_KEYS_SQL:
            return f"({lhs} {JSONB_KEYS_SQL[n]} {self._value(v, 'text[]')})"
        if n in LTREE_SQL:
            sql_op, ltree_type = LTREE_SQL[n]
            return f"({lhs} {sql_op} {self._value(v, ltree_type or pg_type)})"
        if n in COLUMN_COMPARE_SQL:
            return f"({lhs} {COLUMN_COMPARE_SQL[n]} {self._column_ref(v, op.key, scope)})"
        if n == "_cast":
            return self._cast(v, lhs, pg_type, name, scope)
        if n in POSTGIS_OPERATORS:
            raise UnsupportedRule(
                f"PostGIS operator `{op.key}` on `{name}` is not supported by the permission-test "
                "engine yet; cases that need this rule cannot run"
            )
        raise ExpressionError(f"unknown operator `{op.key}` on `{name}`")

    def _cast(self, value: Any, lhs: str, pg_type: str, name: str, scope: _Scope) -> str:
        if not isinstance(value, dict):
            raise ExpressionError(f"`_cast` on `{name}` takes {{type: {{operators}}}}")
        parts = []
        for target, ops in value.items():
            target_type = {"string": "text", "text": "text"}.get(target.lower(), target.lower())
            if (pg_type.lower(), target_type) != ("jsonb", "text"):
                raise UnsupportedRule(
                    f"`_cast` of `{name}` ({pg_type}) to {target} is not supported by the "
                    "permission-test engine (only jsonb to text; geometry/geography need PostGIS)"
                )
            cast_lhs = f"({lhs})::{target_type}"
            inner = parse_compare(name, ops, None)
            parts += [self._op(op, cast_lhs, target_type, True, name, scope) for op in inner.ops]
        return _fold(parts, "AND", "true")

    def _column_ref(self, value: Any, key: str, scope: _Scope) -> str:
        table, alias, column = scope.table, scope.alias, None
        if isinstance(value, str):
            column = value
        elif isinstance(value, list) and len(value) == 1:
            column = value[0]
        elif isinstance(value, list) and len(value) == 2 and value[0] == "$":
            table, alias, column = scope.root_table, scope.root_alias, value[1]
        if not isinstance(column, str) or column not in self.schema.table(table).columns:
            raise ExpressionError(f"`{key}` names no column of {table}: {value!r}")
        return f"{quote_ident(alias)}.{quote_ident(column)}"

    def _value(self, value: Any, pg_type: str) -> str:
        name = session_variable(value)
        if name is not None:
            self.session_used.add(name)
            return f"(({SESSION_SQL} ->> {quote_literal(name)})::{pg_type})"
        return literal(value, pg_type)


class ClientTranslator(Translator):
    """A client's `where` argument: literal values only, and every relationship it goes
    through also applies the target table's select filter for the role (as Hasura does for
    GraphQL `where`, issue hasura/graphql-engine#6931).

    Operator values follow Hasura's GraphQL input parsers (GraphQL/Schema/BoolExp.hs
    `equalityOperators`, Backends/Postgres/Instances/Schema.hs `comparisonExps`/`columnParser`):
    `_eq`/`_neq` are the plain (NonNullableComparison) `=`/`<>`, and an explicit `null` is the
    error "unexpected null value for type 'Int'"; with HASURA_GRAPHQL_V1_BOOLEAN_NULL_COLLAPSE
    (`mkBoolOperator` with `P.nullable`) the operator is dropped instead, i.e. true.
    """

    def __init__(
        self,
        schema: Schema,
        select_filter: Callable[[TableName], Node | None],
        selectable: Callable[[TableName], set[str] | None],
        null_collapse: bool = False,
    ) -> None:
        super().__init__(schema)
        self.select_filter = select_filter
        self.selectable = selectable
        self.null_collapse = null_collapse
        self.permissions_used: set[TableName] = set()

    def _related_extra(self, rel: Relationship, scope: _Scope) -> list[str]:
        self.permissions_used.add(rel.target)
        target_filter = self.select_filter(rel.target)
        if target_filter is None:
            raise ExpressionError(
                f"`where` goes through relationship `{rel.name}` to {rel.target}, on which "
                "the role has no select permission (Hasura's schema would not offer it)"
            )
        permission = Translator(self.schema)
        permission._counter = self._counter  # aliases stay unique within the statement
        sql = permission.condition(target_filter, rel.target, scope.alias)
        self._counter = permission._counter
        self.session_used |= permission.session_used
        return [sql]

    def _compare(self, node: Compare, scope: _Scope) -> str:
        allowed = self.selectable(scope.table)
        if allowed is not None and node.name not in allowed:
            raise ExpressionError(
                f"`where` uses `{node.name}` of {scope.table}, which the role may not select"
            )
        return super()._compare(node, scope)

    def _op(self, op: Op, lhs: str, pg_type: str, nullable: bool, name: str, scope: _Scope) -> str:
        if op.value is None:
            if self.null_collapse:
                return "true"
            raise ExpressionError(_null_argument(op.name, pg_type))
        # GraphQL `_eq`/`_neq` never take null, so they are plain comparisons.
        return super()._op(op, lhs, pg_type, False, name, scope)

    def _value(self, value: Any, pg_type: str) -> str:
        return literal(value, pg_type)  # a GraphQL argument is never a session variable


# Postgres types and their GraphQL scalar names (Backends/Postgres/SQL/Types.hs mkScalarTypeName).
_GRAPHQL_SCALARS = {
    "integer": "Int", "int": "Int", "int4": "Int", "boolean": "Boolean", "bool": "Boolean",
    "double precision": "Float", "float8": "Float", "text": "String",
    "character varying": "String", "varchar": "String",
}  # fmt: skip


def _null_argument(op: str, pg_type: str) -> str:
    """Hasura's parse error for an explicit null operator value in GraphQL."""
    if op == "_is_null":
        return "expected a boolean for type 'Boolean', but found null"
    if op in ("_in", "_nin", "_has_keys_any", "_has_keys_all"):
        return "expected a list, but found null"
    if op == "_has_key":
        pg_type = "text"
    ltree_type = LTREE_SQL[op][1] if op in LTREE_SQL else None
    if ltree_type:
        pg_type = ltree_type.removesuffix("[]")
    base = pg_type.lower().removesuffix("[]")
    name = _GRAPHQL_SCALARS.get(base, base)
    return f"unexpected null value for type '{name}'"


def _null_aware_eq(lhs: str, rhs: str) -> str:
    return f"(({lhs} = {rhs}) OR (({lhs}) IS NULL AND ({rhs}) IS NULL))"


def _fold(parts: list[str], joiner: str, empty: str) -> str:
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
    return "(" + f" {joiner} ".join(parts) + ")"
