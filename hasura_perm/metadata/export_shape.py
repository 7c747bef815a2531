"""Checks on the shape of a server's export_metadata answer, before anything reads it.

A proxy, a broken server or a hostile one can answer anything; every part that plan, apply,
drift and import read is checked here, so a bad answer is one message naming the JSON path
(`$.metadata.sources[0].tables[3].select_permissions[1].role`), never an internal error.
Parts hasura-perm does not read are not checked: other sources, other metadata, unknown keys.
"""

from __future__ import annotations

from typing import Any

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.metadata.export_format import PERMISSION_KEYS

MAX_DEPTH = 200  # JSON nesting; real metadata stays far below, and deeper input would recurse

BOOLEXP_FIELDS = ("filter", "check")
STRING_LISTS = ("computed_fields", "query_root_fields", "subscription_root_fields")
BOOLEANS = ("allow_aggregations", "backend_only")
OBJECTS = ("set", "validate_input")


class ShapeError(HasuraPermError):
    """One malformed part of an answer, at a JSON path."""

    def __init__(self, path: str, expected: str, found: Any) -> None:
        super().__init__(f"at {path}: expected {expected}, found {_kind(found)}")
        self.path = path


def check_depth(value: Any, path: str = "$") -> None:
    """Refuse JSON nested deeper than MAX_DEPTH (checked without recursion)."""
    if _within_depth(value):
        return  # the usual case: the located walk below would find nothing
    _check_depth_located(value, path)


def _within_depth(value: Any) -> bool:
    """Whether no node of `value` is deeper than MAX_DEPTH, level by level without building
    paths (the located walk spends most of its time on path strings; an export holds some
    hundred thousand nodes)."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    for _ in range(MAX_DEPTH):
        if not level:
            return True
        below: list[Any] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below.extend([c for c in children if isinstance(c, _CONTAINERS)])
        level = below
    # `level` holds the containers at depth MAX_DEPTH; anything inside one is too deep.
    return not any(level)


_CONTAINERS = (dict, list)  # a tuple: isinstance is faster with one than with `dict | list`


def _check_depth_located(value: Any, path: str) -> None:
    """The node deeper than MAX_DEPTH that check_depth reports, with its JSON path."""
    stack = [(value, path, 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            shown = where if len(where) <= 160 else f"{where[:100]} ... {where[-50:]}"
            raise HasuraPermError(f"at {shown}: JSON nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, dict):
            stack.extend((v, _key(where, k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node))


def check_source(metadata: dict[str, Any], source: str, path: str = "$.metadata") -> None:
    """The parts of `metadata` that the permissions of `source` are read from."""
    if _source_ok(metadata, source):
        return  # the usual case: the located checks below would find nothing
    _check_source_located(metadata, source, path)


# The same checks as the located ones below, as predicates that build no JSON paths (an
# export holds tens of thousands of permissions). Each is at least as strict as its located
# twin (`type(x) is T` where that one accepts subclasses): when one says no, the located
# checks run and decide, so the message is always theirs.


def _source_ok(metadata: dict[str, Any], source: str) -> bool:
    sources = metadata.get("sources")
    if sources is None:
        return True
    if type(sources) is not list:
        return False
    for entry in sources:
        if type(entry) is not dict or type(entry.get("name")) is not str:
            return False
        if entry["name"] == source and not _tables_ok(entry.get("tables")):
            return False
    return True


def _tables_ok(tables: Any) -> bool:
    if tables is None:
        return True
    if type(tables) is not list:
        return False
    for table in tables:
        if type(table) is not dict or not _table_name_ok(table.get("table")):
            return False
        for key in PERMISSION_KEYS.values():
            perms = table.get(key)
            if perms is None:
                continue
            if type(perms) is not list or not all(_permission_ok(p) for p in perms):
                return False
    return True


def _table_name_ok(value: Any) -> bool:
    if type(value) is str:
        return True
    return (
        type(value) is dict
        and type(value.get("name")) is str
        and ("schema" not in value or type(value["schema"]) is str)
    )


def _permission_ok(perm: Any) -> bool:
    if type(perm) is not dict:
        return False
    role, comment, body = perm.get("role"), perm.get("comment"), perm.get("permission")
    if type(role) is not str or not role or type(body) is not dict:
        return False
    if comment is not None and type(comment) is not str:
        return False
    columns = body.get("columns")
    if columns is not None and columns != "*" and not _strings_ok(columns):
        return False
    for keys, ok in (
        (BOOLEXP_FIELDS, _is_dict),
        (STRING_LISTS, _strings_ok),
        (BOOLEANS, _is_bool),
        (OBJECTS, _is_dict),
    ):
        for key in keys:
            value = body.get(key)
            if value is not None and not ok(value):
                return False
    limit = body.get("limit")
    return limit is None or (type(limit) is int and limit >= 0)


def _is_dict(value: Any) -> bool:
    return type(value) is dict


def _is_bool(value: Any) -> bool:
    return type(value) is bool


def _strings_ok(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _check_source_located(metadata: dict[str, Any], source: str, path: str) -> None:
    sources = _list_or_none(metadata.get("sources"), f"{path}.sources")
    for i, entry in enumerate(sources):
        where = f"{path}.sources[{i}]"
        _require(entry, dict, "an object", where)
        _require(entry.get("name"), str, "a string", f"{where}.name")
        if entry["name"] == source:
            _check_tables(entry.get("tables"), f"{where}.tables")


def _check_tables(tables: Any, path: str) -> None:
    for i, table in enumerate(_list_or_none(tables, path)):
        where = f"{path}[{i}]"
        _require(table, dict, "an object", where)
        _check_table_name(table.get("table"), f"{where}.table")
        for key in PERMISSION_KEYS.values():
            for j, perm in enumerate(_list_or_none(table.get(key), f"{where}.{key}")):
                _check_permission(perm, f"{where}.{key}[{j}]")


def _check_table_name(value: Any, path: str) -> None:
    if isinstance(value, str):
        return
    _require(value, dict, "a table name (a string or {schema, name})", path)
    _require(value.get("name"), str, "a string", f"{path}.name")
    if "schema" in value:
        _require(value["schema"], str, "a string", f"{path}.schema")


def _check_permission(perm: Any, path: str) -> None:
    _require(perm, dict, "an object with role and permission", path)
    role = perm.get("role")
    if not isinstance(role, str) or not role:
        raise ShapeError(f"{path}.role", "a role name", role)
    if perm.get("comment") is not None:
        _require(perm["comment"], str, "a string", f"{path}.comment")
    body = perm.get("permission")
    _require(body, dict, "an object", f"{path}.permission")
    _check_body(body, f"{path}.permission")


def _check_body(body: dict[str, Any], path: str) -> None:
    columns = body.get("columns")
    if columns is not None and columns != "*":
        _string_list(columns, f"{path}.columns", '"*" or a list of column names')
    for key in BOOLEXP_FIELDS:
        if body.get(key) is not None:
            _require(body[key], dict, "a boolean expression (an object)", f"{path}.{key}")
    for key in STRING_LISTS:
        if body.get(key) is not None:
            _string_list(body[key], f"{path}.{key}", "a list of names")
    for key in BOOLEANS:
        if body.get(key) is not None:
            _require(body[key], bool, "true or false", f"{path}.{key}")
    for key in OBJECTS:
        if body.get(key) is not None:
            _require(body[key], dict, "an object", f"{path}.{key}")
    limit = body.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ShapeError(f"{path}.limit", "a whole number >= 0", limit)


def _string_list(value: Any, path: str, expected: str) -> None:
    _require(value, list, expected, path)
    for i, item in enumerate(value):
        _require(item, str, "a string", f"{path}[{i}]")


def _list_or_none(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    _require(value, list, "a list", path)
    return value


def _require(value: Any, kind: type, expected: str, path: str) -> None:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ShapeError(path, expected, value)


def _key(path: str, key: str) -> str:
    plain = key.isidentifier()
    return f"{path}.{key}" if plain else f"{path}[{key!r}]"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):  # whole or not at all: the caller scrubs whole secrets only
        return (
            f"the string {value!r}" if len(value) <= 40 else f"a string of {len(value)} characters"
        )
    return f"the number {value}" if isinstance(value, (int, float)) else type(value).__name__
