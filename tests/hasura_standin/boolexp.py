"""Boolean expressions: the structural parse (request time, `parse-failed` with a JSON path),
the check against the catalog (schema-cache time, becomes an inconsistency reason), and the
exported form.

Sources: `parseGBoolExp` / `gBoolExpToJSON` (Hasura/RQL/IR/BoolExp.hs), `annColExp`
(Hasura/RQL/DDL/Permission/Internal.hs), `parseBoolExpOperations`
(Hasura/Backends/Postgres/DDL/BoolExp.hs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalog import STRING_TYPES
from .catalog import QualifiedName
from .errors import ParseError
from .errors import PathPart
from .errors import json_type_name

LOGICAL_KEYS = {
    "$and": "_and",
    "_and": "_and",
    "$or": "_or",
    "_or": "_or",
    "$not": "_not",
    "_not": "_not",
    "$exists": "_exists",
    "_exists": "_exists",
}


class SemanticError(Exception):
    """A reason the schema cache cannot build an object; the text becomes `imReason`."""


def is_session_variable(value: Any) -> bool:
    """`parseCollectableType` (Backends/Postgres/DDL.hs): `isSessionVariable`, a string whose
    case-folded form starts with `x-hasura-`, or `isReqUserId`, `req_user_id` in any case."""
    if not isinstance(value, str):
        return False
    return value.casefold().startswith("x-hasura-") or value.lower() == "req_user_id"


def dquote(text: str) -> str:
    return f'"{text}"'


def table_text(table: QualifiedName) -> str:
    """`qualifiedObjectToText`: the schema is left out for `public`."""
    schema, name = table
    return name if schema == "public" else f"{schema}.{name}"


# ---------------------------------------------------------------- structural parse


def parse_table_name(value: Any, path: list[PathPart]) -> QualifiedName:
    """`FromJSON (QualifiedObject a)` (Backends/Postgres/SQL/Types.hs): a string (schema public)
    or `{"schema"?, "name"}`, schema parsed first; SchemaName and TableName are newtypes over
    Text, so their failures are `parsing Text failed, ...`."""
    if isinstance(value, str):
        return ("public", value)
    if isinstance(value, dict):
        schema = value.get("schema")
        schema = "public" if schema is None else schema
        if not isinstance(schema, str):
            raise ParseError(path + ["schema"], _expected("Text", "String", schema))
        if "name" not in value:
            raise ParseError(path, 'key "name" not found')
        name = value["name"]
        if not isinstance(name, str):
            raise ParseError(path + ["name"], _expected("Text", "String", name))
        return (schema, name)
    raise ParseError(path, "expecting a string/object for QualifiedObject")


def _expected(what: str, expected: str, value: Any) -> str:
    return f"parsing {what} failed, expected {expected}, but encountered {json_type_name(value)}"


def check_structure(value: Any, path: list[PathPart]) -> None:
    """Reject what the ColExp-form parser rejects; field values stay raw and unchecked here."""
    if not isinstance(value, dict):
        raise ParseError(path, "expecting an Object for boolean exp")
    for key, sub in value.items():
        kind = LOGICAL_KEYS.get(key)
        here = path + [key]
        if kind in ("_and", "_or"):
            if not isinstance(sub, list):
                raise ParseError(here, _expected("[]", "Array", sub))
            for index, item in enumerate(sub):
                check_structure(item, here + [index])
        elif kind == "_not":
            check_structure(sub, here)
        elif kind == "_exists":
            _check_exists(sub, here)


def _check_exists(value: Any, path: list[PathPart]) -> None:
    if not isinstance(value, dict):
        raise ParseError(path, "expecting an Object for _exists expression")
    for key in ("_table", "_where"):
        if key not in value:
            raise ParseError(path, f'key "{key}" not found')
    parse_table_name(value["_table"], path + ["_table"])
    check_structure(value["_where"], path + ["_where"])


# ---------------------------------------------------------------- semantic check


@dataclass(frozen=True)
class FieldInfo:
    """One entry of a table's field map: a column with its type, or a relationship."""

    kind: str  # "column" | "relationship"
    column_type: str = ""
    target: QualifiedName | None = None


FieldMaps = Callable[[QualifiedName], dict[str, FieldInfo] | None]


def validate(
    expr: dict[str, Any], table: QualifiedName, root: QualifiedName, fields: FieldMaps
) -> None:
    """`annBoolExp`: resolve every field and operator; the first failure (keys in aeson's sorted
    order) raises SemanticError with the server's text."""
    field_map = fields(table) or {}
    for key in sorted(expr):
        value = expr[key]
        kind = LOGICAL_KEYS.get(key)
        if kind in ("_and", "_or"):
            for item in value:
                validate(item, table, root, fields)
        elif kind == "_not":
            validate(value, table, root, fields)
        elif kind == "_exists":
            target = parse_table_name(value["_table"], [])
            if fields(target) is None:
                # askFieldInfoMapSource (RQL/Types/SchemaCache.hs), NotExists.
                raise SemanticError(f"table {dquote(table_text(target))} does not exist")
            validate(value["_where"], target, root, fields)
        else:
            _validate_field(key, value, field_map, root, fields)


def _validate_field(
    name: str, value: Any, field_map: dict[str, FieldInfo], root: QualifiedName, fields: FieldMaps
) -> None:
    info = field_map.get(name)
    if info is None:
        raise SemanticError(f"{dquote(name)} does not exist")
    if info.kind == "relationship":
        if not isinstance(value, dict):
            raise SemanticError("expecting an Object for boolean exp")
        assert info.target is not None
        validate(value, info.target, root, fields)
        return
    if info.column_type == "json":
        raise SemanticError("JSON column can not be part of boolean expression")
    _validate_operations(name, info.column_type, value, field_map, root, fields)


def _validate_operations(
    column: str,
    column_type: str,
    value: Any,
    field_map: dict[str, FieldInfo],
    root: QualifiedName,
    fields: FieldMaps,
) -> None:
    if not isinstance(value, dict):
        return  # a bare value is an implicit `_eq`
    for op in sorted(value):
        _validate_operation(column, column_type, op, value[op], field_map, root, fields)


_COMPARISONS = {"eq", "ne", "neq", "gt", "lt", "gte", "lte"}
_LISTS = {"in", "nin"}
_TEXT_OPS = {"like", "nlike", "ilike", "nilike", "similar", "nsimilar", "regex", "iregex"}
_TEXT_OPS |= {"nregex", "niregex"}
_ARRAY_OR_JSONB = {"contains", "contained_in"}
_JSONB_ONE = {"has_key", "jsonb_path_exists", "jsonb_path_match"}
_JSONB_MANY = {"has_keys_any", "has_keys_all"}
_GEOMETRY_ONLY = {"st_contains", "st_crosses", "st_equals", "st_overlaps", "st_touches"}
_GEOMETRY_ONLY |= {"st_within", "st_3d_intersects", "st_3d_d_within"}
_GEO_ANY = {"st_intersects", "st_d_within"}
_COLUMN_COMPARISONS = {"ceq", "cne", "cneq", "cgt", "clt", "cgte", "clte"}
_LTREE_ONE = {"ancestor", "descendant", "matches", "matches_fulltext"}
_LTREE_MANY = {"ancestor_any", "descendant_any", "matches_any"}
_VALID_CASTS = {("geometry", "geography"), ("geography", "geometry"), ("jsonb", "text")}


def _validate_operation(
    column: str,
    column_type: str,
    op: str,
    operand: Any,
    field_map: dict[str, FieldInfo],
    root: QualifiedName,
    fields: FieldMaps,
) -> None:
    bare = op[1:] if op[:1] in ("_", "$") else None
    if bare is None or not _known_operator(bare):
        raise SemanticError(f"Unknown operator: {op}")
    if bare == "cast":
        _validate_cast(column, column_type, operand, field_map, root, fields)
    elif bare in _LISTS:
        _require_many(operand)
    elif bare == "is_null":
        if not isinstance(operand, bool):
            raise SemanticError(_expected("Bool", "Boolean", operand))
    elif bare in _TEXT_OPS:
        _guard(column_type, STRING_TYPES)
    elif bare in _ARRAY_OR_JSONB:
        if not (column_type.endswith("[]") or column_type == "jsonb"):
            raise SemanticError(_type_message(column_type, "an array or JSONB"))
    elif bare in _JSONB_ONE or bare in _JSONB_MANY:
        _guard(column_type, ("jsonb",))
        if bare in _JSONB_MANY:
            _require_many(operand)
    elif bare in _GEOMETRY_ONLY:
        _guard(column_type, ("geometry",))
    elif bare in _GEO_ANY:
        _guard(column_type, ("geometry", "geography"))
    elif bare in _COLUMN_COMPARISONS:
        _validate_column_comparison(column, column_type, operand, field_map, root, fields)
    elif bare in _LTREE_ONE or bare in _LTREE_MANY:
        _guard(column_type, ("ltree",))
        if bare in _LTREE_MANY:
            _require_many(operand)


def _known_operator(bare: str) -> bool:
    groups = (_COMPARISONS, _LISTS, _TEXT_OPS, _ARRAY_OR_JSONB, _JSONB_ONE, _JSONB_MANY)
    groups += (_GEOMETRY_ONLY, _GEO_ANY, _COLUMN_COMPARISONS, _LTREE_ONE, _LTREE_MANY)
    return bare in ("cast", "is_null") or any(bare in group for group in groups)


def _require_many(operand: Any) -> None:
    """`parseManyWithType`: a JSON array, or a session variable holding a Postgres array literal."""
    if not isinstance(operand, list) and not is_session_variable(operand):
        raise SemanticError(_expected("[]", "Array", operand))


def _type_message(column_type: str, expected: str) -> str:
    # The leading space is in the server's text (invalidTypeMessage).
    return (
        f" is of type {dquote(column_type)}; this operator works only on columns of type {expected}"
    )


def _guard(column_type: str, valid: tuple[str, ...]) -> None:
    if column_type not in valid:
        raise SemanticError(_type_message(column_type, ", ".join(dquote(t) for t in valid)))


def _validate_cast(
    column: str,
    column_type: str,
    operand: Any,
    field_map: dict[str, FieldInfo],
    root: QualifiedName,
    fields: FieldMaps,
) -> None:
    if not isinstance(operand, dict):
        # parseCast's decodeValue into a `HashMap Text Value` (Backends/Postgres/DDL/BoolExp.hs):
        # aeson's `withObject "HashMap ~Text"` for keys that coerce from Text.
        raise SemanticError(_expected("HashMap ~Text", "Object", operand))
    for target in sorted(operand):
        if (column_type, target) not in _VALID_CASTS:
            raise SemanticError(
                f"cannot cast column of type {dquote(column_type)} to type {dquote(target)}"
            )
        _validate_operations(column, target, operand[target], field_map, root, fields)


def _validate_column_comparison(
    column: str,
    column_type: str,
    operand: Any,
    field_map: dict[str, FieldInfo],
    root: QualifiedName,
    fields: FieldMaps,
) -> None:
    if isinstance(operand, str):
        rhs_map, rhs = field_map, operand
    elif isinstance(operand, list):
        if not operand:
            raise SemanticError("path cannot be empty")
        if len(operand) == 1:
            rhs_map, rhs = field_map, operand[0]
        elif len(operand) == 2 and operand[0] == "$":
            rhs_map, rhs = fields(root) or {}, operand[1]
        else:
            raise SemanticError(
                "Relationship references are not supported in column comparison RHS"
            )
    else:
        raise SemanticError("a boolean expression JSON must be either a string or an array")
    if not isinstance(rhs, str):
        raise SemanticError(_expected("PGCol", "String", rhs))
    rhs_type = ask_column_type(rhs_map, rhs, "column operators can only compare postgres columns")
    if rhs_type != column_type:
        raise SemanticError(
            f"incompatible column types: {dquote(column)} has type {dquote(column_type)}, "
            f"but {dquote(rhs)} has type {dquote(rhs_type)}"
        )


def ask_column_type(field_map: dict[str, FieldInfo], name: str, not_column_hint: str) -> str:
    """`askColumnType`: the error texts of `askColInfo`."""
    info = field_map.get(name)
    if info is None:
        raise SemanticError(f"column {dquote(name)} does not exist")
    if info.kind != "column":
        raise SemanticError(
            f"expecting a database column; but, {dquote(name)} is a {info.kind}; {not_column_hint}"
        )
    return info.column_type


# ---------------------------------------------------------------- exported form


def sort_keys(value: Any) -> Any:
    """aeson-2 `Value` objects have keys in ascending order; so do exported inner values."""
    if isinstance(value, dict):
        return {key: sort_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sort_keys(item) for item in value]
    return value


def table_json(table: QualifiedName) -> dict[str, str]:
    schema, name = table
    return {"name": name, "schema": schema}


def serialize(expr: dict[str, Any]) -> dict[str, Any]:
    """`gBoolExpToJSON`: logical keys normalised to `_`, field values kept raw; an AND whose keys
    repeat after normalisation becomes an explicit `_and` of one-key objects."""
    pairs = [_serialize_pair(key, value) for key, value in expr.items()]
    keys = [key for key, _ in pairs]
    if len(set(keys)) == len(keys):
        return {key: value for key, value in sorted(pairs, key=lambda pair: pair[0])}
    return {"_and": [{key: value} for key, value in pairs]}


def _serialize_pair(key: str, value: Any) -> tuple[str, Any]:
    kind = LOGICAL_KEYS.get(key)
    if kind in ("_and", "_or"):
        return kind, [serialize(item) for item in value]
    if kind == "_not":
        return kind, serialize(value)
    if kind == "_exists":
        table = parse_table_name(value["_table"], [])
        return kind, {"_table": table_json(table), "_where": serialize(value["_where"])}
    return key, sort_keys(value)
