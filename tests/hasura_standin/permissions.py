"""Permission bodies: argument parsing (request time), the schema-cache check against the catalog,
and the exported key order.

Sources: Hasura/RQL/Types/Permission.hs (FromJSON), Hasura/RQL/DDL/Permission.hs (buildPermInfo),
Hasura/RQL/Types/Metadata/Serialization.hs (export order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import boolexp
from .boolexp import FieldInfo
from .boolexp import FieldMaps
from .boolexp import SemanticError
from .boolexp import dquote
from .boolexp import table_text
from .catalog import QualifiedName
from .catalog import TableCatalog
from .errors import ParseError
from .errors import PathPart
from .errors import json_type_name

PERM_TYPES = ("insert", "select", "update", "delete")
QUERY_ROOT_FIELDS = ("select", "select_by_pk", "select_aggregate")
SUBSCRIPTION_ROOT_FIELDS = QUERY_ROOT_FIELDS + ("select_stream",)


def _require(obj: dict[str, Any], key: str, path: list[PathPart]) -> Any:
    if key not in obj:
        raise ParseError(path, f'key "{key}" not found')
    return obj[key]


def _expect(value: Any, kind: type | tuple[type, ...], what: str, path: list[PathPart]) -> None:
    expected = {dict: "Object", list: "Array", str: "String", bool: "Boolean", int: "Number"}
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        name = expected.get(kind if isinstance(kind, type) else kind[0], "Value")
        raise ParseError(
            path, f"parsing {what} failed, expected {name}, but encountered {json_type_name(value)}"
        )


def parse_role(value: Any, path: list[PathPart]) -> str:
    _expect(value, str, "RoleName", path)
    if value == "":
        raise ParseError(path, "empty string not allowed")
    return value


def parse_perm_def(perm_type: str, value: Any, path: list[PathPart]) -> dict[str, Any]:
    """`PermDef`: `{role, permission, comment?}`; unknown keys are ignored, as the server does."""
    _expect(value, dict, "PermDef", path)
    role = parse_role(_require(value, "role", path), path + ["role"])
    body = parse_permission(perm_type, _require(value, "permission", path), path + ["permission"])
    comment = value.get("comment")
    if comment is not None:
        _expect(comment, str, "Text", path + ["comment"])
    entry: dict[str, Any] = {"role": role, "permission": body}
    if comment is not None:
        entry["comment"] = comment
    return entry


def parse_permission(perm_type: str, value: Any, path: list[PathPart]) -> dict[str, Any]:
    """Check one permission body's shape; return only the keys the server keeps."""
    _expect(value, dict, f"{perm_type.capitalize()}Perm", path)
    parser = {"insert": _parse_insert, "select": _parse_select}
    parser |= {"update": _parse_update, "delete": _parse_delete}
    return parser[perm_type](value, path)


def _parse_columns(value: Any, path: list[PathPart]) -> str | list[str]:
    if value == "*":
        return "*"
    _expect(value, list, "[]", path)
    for index, column in enumerate(value):
        _expect(column, str, "PGCol", path + [index])
    return list(value)


def _parse_boolexp(value: dict[str, Any], key: str, path: list[PathPart]) -> dict[str, Any]:
    expr = _require(value, key, path)
    boolexp.check_structure(expr, path + [key])
    return expr


def _parse_set(value: dict[str, Any], path: list[PathPart]) -> dict[str, Any] | None:
    if value.get("set") is None:
        return None
    # ColumnValues = HashMap PGCol Value; PGCol's FromJSONKey is Text's, coerced (aeson's
    # `withObject "HashMap ~Text"`).
    _expect(value["set"], dict, "HashMap ~Text", path + ["set"])
    return dict(value["set"])


def _parse_flag(value: dict[str, Any], key: str, path: list[PathPart]) -> bool:
    flag = value.get(key, False)
    if flag is None:
        return False
    _expect(flag, bool, "Bool", path + [key])
    return flag


def _parse_validate_input(value: dict[str, Any], path: list[PathPart]) -> Any:
    """`FromJSON ValidateInput` and `ValidateInputHttpDefinition` (RQL/Types/Permission.hs): the
    definition is kept with its defaults filled in (headers [], timeout 10, forward_client_headers
    false) and only the keys the server reads."""
    spec = value.get("validate_input")
    if spec is None:
        return None
    here = path + ["validate_input"]
    _expect(spec, dict, "ValidateInput", here)
    kind = _require(spec, "type", here)
    _expect(kind, str, "String", here + ["type"])
    if kind != "http":
        raise ParseError(here, f"expecting only 'http' for 'type' but got {kind}")
    definition = _require(spec, "definition", here)
    here = here + ["definition"]
    _expect(definition, dict, "ValidateInputHttpDefinition", here)
    url = _require(definition, "url", here)
    _expect(url, str, "String", here + ["url"])  # `FromJSON InputWebhook`: withText "String"
    headers = _parse_headers(definition.get("headers"), here + ["headers"])
    timeout = definition.get("timeout")
    timeout = 10 if timeout is None else _parse_timeout(timeout, here + ["timeout"])
    forward = definition.get("forward_client_headers")
    forward = False if forward is None else forward
    _expect(forward, bool, "Bool", here + ["forward_client_headers"])
    stored = {"url": url, "headers": headers, "timeout": timeout, "forward_client_headers": forward}
    return {"type": "http", "definition": stored}


def _parse_timeout(value: Any, path: list[PathPart]) -> int:
    """`FromJSON Timeout` (RQL/Types/Common.hs): withScientific, bounded, not negative."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(
            path,
            f"parsing Timeout failed, expected Number, but encountered {json_type_name(value)}",
        )
    if value != int(value):
        raise ParseError(path, f"{value} is out of bounds")
    if value < 0:
        raise ParseError(path, "timeout value cannot be negative")
    return int(value)


def _parse_headers(value: Any, path: list[PathPart]) -> list[dict[str, Any]]:
    """`FromJSON HeaderConf` (RQL/Types/Headers.hs)."""
    if value is None:
        return []
    _expect(value, list, "[]", path)
    headers = []
    for index, item in enumerate(value):
        here = path + [index]
        if not isinstance(item, dict):
            raise ParseError(here, "expecting object for headers")
        name = _require(item, "name", here)
        _expect(name, str, "Text", here + ["name"])
        plain, from_env = item.get("value"), item.get("value_from_env")
        if plain is None and from_env is None:
            raise ParseError(here, "expecting value or value_from_env keys")
        if plain is not None and from_env is not None:
            raise ParseError(here, "expecting only one of value or value_from_env keys")
        if plain is not None:
            _expect(plain, str, "String", here + ["value"])
            headers.append({"name": name, "value": plain})
            continue
        _expect(from_env, str, "Text", here + ["value_from_env"])
        if from_env.startswith("HASURA_GRAPHQL_"):
            raise ParseError(
                here,
                'env variables starting with "HASURA_GRAPHQL_" are not allowed in '
                f"value_from_env: {from_env}",
            )
        headers.append({"name": name, "value_from_env": from_env})
    return headers


def _parse_insert(value: dict[str, Any], path: list[PathPart]) -> dict[str, Any]:
    body: dict[str, Any] = {"check": _parse_boolexp(value, "check", path)}
    if (preset := _parse_set(value, path)) is not None:
        body["set"] = preset
    if value.get("columns") is not None:
        body["columns"] = _parse_columns(value["columns"], path + ["columns"])
    body["backend_only"] = _parse_flag(value, "backend_only", path)
    if (spec := _parse_validate_input(value, path)) is not None:
        body["validate_input"] = spec
    return body


def _parse_root_fields(value: dict[str, Any], key: str, allowed: tuple[str, ...], path) -> Any:
    """A HashSet of QueryRootFieldType / SubscriptionRootFieldType, each parsed by aeson's generic
    all-nullary sum parser (`snakeCase . drop 4` tags): duplicates collapse, order is lost."""
    fields = value.get(key)
    if fields is None:
        return None
    _expect(fields, list, "[]", path + [key])
    type_name = "Hasura.RQL.Types.Permission." + (
        "QueryRootFieldType" if key == "query_root_fields" else "SubscriptionRootFieldType"
    )
    for index, name in enumerate(fields):
        _expect(name, str, type_name, path + [key, index])
        if name not in allowed:
            # aeson's parseAllNullarySum/failWithCTags: Haskell `show` of the tags and the tag.
            tags = "[" + ",".join(f'"{tag}"' for tag in allowed) + "]"
            raise ParseError(
                path + [key, index],
                f'parsing {type_name} failed, expected one of the tags {tags}, but found tag "{name}"',
            )
    return hash_set_order(fields, allowed)


def hash_set_order(fields: list[str], declared: tuple[str, ...]) -> list[str]:
    """The members of a HashSet as `HashSet.toList` yields them on export (`AO.toOrdered` of the
    set, RQL/Types/Metadata/Serialization.hs): independent of the order they were given in.
    GUESS: which fixed order: it follows hashable's hash of each constructor's index and
    unordered-containers' trie layout, which the engine's source does not determine; declaration
    order is used, and clients must not depend on any order."""
    return [name for name in declared if name in fields]


def _parse_select(value: dict[str, Any], path: list[PathPart]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "columns": _parse_columns(_require(value, "columns", path), path + ["columns"])
    }
    computed = value.get("computed_fields") or []
    _expect(computed, list, "[]", path + ["computed_fields"])
    body["computed_fields"] = list(computed)
    body["filter"] = _parse_boolexp(value, "filter", path)
    limit = value.get("limit")
    if limit is not None:
        _expect(limit, int, "Int", path + ["limit"])
    body["limit"] = limit
    body["allow_aggregations"] = _parse_flag(value, "allow_aggregations", path)
    for key, allowed in (
        ("query_root_fields", QUERY_ROOT_FIELDS),
        ("subscription_root_fields", SUBSCRIPTION_ROOT_FIELDS),
    ):
        fields = _parse_root_fields(value, key, allowed, path)
        if fields is not None:
            body[key] = fields
    return body


def _parse_update(value: dict[str, Any], path: list[PathPart]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "columns": _parse_columns(_require(value, "columns", path), path + ["columns"])
    }
    body["filter"] = _parse_boolexp(value, "filter", path)
    body["check"] = None
    if value.get("check") is not None:
        body["check"] = _parse_boolexp(value, "check", path)
    if (preset := _parse_set(value, path)) is not None:
        body["set"] = preset
    body["backend_only"] = _parse_flag(value, "backend_only", path)
    if (spec := _parse_validate_input(value, path)) is not None:
        body["validate_input"] = spec
    return body


def _parse_delete(value: dict[str, Any], path: list[PathPart]) -> dict[str, Any]:
    body: dict[str, Any] = {"filter": _parse_boolexp(value, "filter", path)}
    body["backend_only"] = _parse_flag(value, "backend_only", path)
    if (spec := _parse_validate_input(value, path)) is not None:
        body["validate_input"] = spec
    return body


# ---------------------------------------------------------------- schema-cache check


@dataclass(frozen=True)
class TableContext:
    """What `buildPermInfo` sees of one table: its source, field maps, computed fields, and the
    table's core info (primary key, column mutability)."""

    source: str
    table: QualifiedName
    fields: FieldMaps
    computed_fields: set[str]
    info: TableCatalog

    @property
    def field_map(self) -> dict[str, FieldInfo]:
        return self.fields(self.table) or {}


def check_permission(perm_type: str, body: dict[str, Any], role: str, ctx: TableContext) -> None:
    """`buildPermInfo` for one permission (RQL/DDL/Permission.hs), checks in the source's order;
    raises SemanticError with the first failure."""
    table, fields = ctx.table, ctx.fields
    if perm_type == "insert":
        boolexp.validate(body["check"], table, table, fields)
        _check_set(body.get("set"), ctx)
        _check_mutable_columns(body.get("columns", "*"), ctx, "insert")
    elif perm_type == "select":
        _check_select(body, role, ctx)
    elif perm_type == "update":
        boolexp.validate(body["filter"], table, table, fields)
        if body.get("check") is not None:
            boolexp.validate(body["check"], table, table, fields)
        _check_set(body.get("set"), ctx)
        _check_mutable_columns(body["columns"], ctx, "update")
    else:
        boolexp.validate(body["filter"], table, table, fields)


def _check_select(body: dict[str, Any], role: str, ctx: TableContext) -> None:
    """`buildSelPermInfo`: filter, columns, computed fields, limit, then root fields."""
    boolexp.validate(body["filter"], ctx.table, ctx.table, ctx.fields)
    if body["columns"] != "*":
        for column in body["columns"]:
            _assert_column_exists(ctx.field_map, column, RELATIONSHIP_IN_SELECT)
    for name in body.get("computed_fields") or []:
        _ask_computed_field(ctx, name)
    if body.get("limit") is not None and body["limit"] < 0:
        raise SemanticError("unexpected negative value")
    _validate_allowed_root_fields(body, role, ctx)


RELATIONSHIP_IN_SELECT = "permissions for relationships are automatically inferred"
RELATIONSHIP_IN = {
    "insert": "Only table columns can have insert permissions defined, "
    "not relationships or other field types",
    "update": "Only table columns can have update permissions defined, "
    "not relationships or other field types",
}
AGGREGATE_NEEDS_FLAG = (
    'The "select_aggregate" root field can only be enabled in the query_root_fields or '
    ' the subscription_root_fields when "allow_aggregations" is set to true'
)


def _validate_allowed_root_fields(body: dict[str, Any], role: str, ctx: TableContext) -> None:
    """`validateAllowedRootFields`: select_by_pk (query or subscription) needs a primary key whose
    columns the role may all select (any, with `*`); select_aggregate needs allow_aggregations.
    A ValidationFailed error; inside the schema-cache build only its text survives."""
    query = body.get("query_root_fields")
    subscription = body.get("subscription_root_fields")
    roots = set(query or []) | set(subscription or [])
    if "select_by_pk" in roots:
        key = ctx.info.primary_key
        columns = body["columns"]
        if key is None or (columns != "*" and not set(key) <= set(columns)):
            raise SemanticError(
                'The "select_by_pk" field cannot be included in the query_root_fields or '
                f"subscription_root_fields because the role {dquote(role)} does not have access "
                f"to the primary key of the table {dquote(table_text(ctx.table))} in the source "
                f"{dquote(ctx.source)}"
            )
    if "select_aggregate" in roots and not body.get("allow_aggregations"):
        raise SemanticError(AGGREGATE_NEEDS_FLAG)


def _ask_computed_field(ctx: TableContext, name: str) -> None:
    """`askComputedFieldInfo` (Hasura/Table/Cache.hs): `modifyErr ("computed field " <>)` around
    askFieldInfo's `"x" does not exist`; a column or relationship of that name is refused too."""
    if name in ctx.computed_fields:
        return
    info = ctx.field_map.get(name)
    if info is None:
        raise SemanticError(f"computed field {dquote(name)} does not exist")
    raise SemanticError(f"expecting a computed field; but, {dquote(name)} is a {info.kind}")


def _assert_column_exists(field_map: dict[str, FieldInfo], column: str, hint: str) -> None:
    """`assertColumnExists` (Hasura/Table/Cache.hs)."""
    info = field_map.get(column)
    if info is None:
        raise SemanticError(f"column {dquote(column)} does not exist")
    if info.kind != "column":
        raise SemanticError(
            f"expecting a database column; but, {dquote(column)} is a {info.kind}; {hint}"
        )


def _check_mutable_columns(columns: str | list[str], ctx: TableContext, action: str) -> None:
    """buildInsPermInfo/buildUpdPermInfo: each listed column exists, is a column, and is
    insertable/updatable (a `throw500` whose text becomes the inconsistency's reason). `*` means
    the insertable/updatable columns only, so it never fails."""
    if columns == "*":
        return
    for column in columns:
        _assert_column_exists(ctx.field_map, column, RELATIONSHIP_IN[action])
        if column in ctx.info.immutable:
            able = "insertable" if action == "insert" else "updatable"
            raise SemanticError(
                f"Column {dquote(column)} is not {able} and so cannot have {action} "
                "permissions defined"
            )


def _check_set(preset: dict[str, Any] | None, ctx: TableContext) -> None:
    """`procSetObj`: each preset column through askColumnType, whose message argument shows only
    when the field is not a column."""
    for column in preset or {}:
        hint = f"column {dquote(column)} not found in table {dquote(table_text(ctx.table))}"
        boolexp.ask_column_type(ctx.field_map, column, hint)


# ---------------------------------------------------------------- export


def export_perm_def(perm_type: str, entry: dict[str, Any]) -> dict[str, Any]:
    """`permDefToOrdJSON`: role, permission, and comment only when set."""
    out: dict[str, Any] = {
        "role": entry["role"],
        "permission": export_body(perm_type, entry["permission"]),
    }
    if entry.get("comment") is not None:
        out["comment"] = entry["comment"]
    return out


def export_body(perm_type: str, body: dict[str, Any]) -> dict[str, Any]:
    exporter = {"insert": _export_insert, "select": _export_select}
    exporter |= {"update": _export_update, "delete": _export_delete}
    return exporter[perm_type](body)


def _tail(body: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    if body.get("set"):
        out["set"] = boolexp.sort_keys(body["set"])
    return out


def _flags(body: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    if body.get("backend_only"):
        out["backend_only"] = True
    if body.get("validate_input") is not None:
        out["validate_input"] = boolexp.sort_keys(body["validate_input"])
    return out


def _export_insert(body: dict[str, Any]) -> dict[str, Any]:
    out = _tail(body, {"check": boolexp.serialize(body["check"])})
    if body.get("columns") is not None:
        out["columns"] = body["columns"]
    return _flags(body, out)


def _export_select(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"columns": body["columns"]}
    if body.get("computed_fields"):
        out["computed_fields"] = body["computed_fields"]
    out["filter"] = boolexp.serialize(body["filter"])
    if body.get("limit") is not None:
        out["limit"] = body["limit"]
    if body.get("allow_aggregations"):
        out["allow_aggregations"] = True
    for key in ("query_root_fields", "subscription_root_fields"):
        if body.get(key) is not None:
            out[key] = body[key]
    return out


def _export_update(body: dict[str, Any]) -> dict[str, Any]:
    check = body.get("check")
    out: dict[str, Any] = {"columns": body["columns"], "filter": boolexp.serialize(body["filter"])}
    out["check"] = None if check is None else boolexp.serialize(check)
    return _flags(body, _tail(body, out))


def _export_delete(body: dict[str, Any]) -> dict[str, Any]:
    return _flags(body, {"filter": boolexp.serialize(body["filter"])})
