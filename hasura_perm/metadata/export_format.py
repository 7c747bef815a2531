"""How Hasura exports permissions: key order, omitted defaults, sort orders.

Every fact here is from shared/reference/hasura-v2-permissions-and-metadata-api.md
section 1 (Hasura's RQL/Types/Metadata/Serialization.hs) and section 5 (the CLI layout).
Compile uses it to write files; drift and plan use it so both sides compare alike.
"""

from __future__ import annotations

from typing import Any

from hasura_perm.boolexp.normal import order_free
from hasura_perm.boolexp.normal import written_form

# Keys of a table entry, in export order.
TABLE_KEYS = (
    "table",
    "is_enum",
    "configuration",
    "object_relationships",
    "array_relationships",
    "computed_fields",
    "remote_relationships",
    "insert_permissions",
    "select_permissions",
    "update_permissions",
    "delete_permissions",
    "event_triggers",
    "apollo_federation_config",
    "logical_model",
)
# Every field a permission body may have, in a natural reading order (renderers, writers).
PERMISSION_FIELDS = (
    "columns",
    "computed_fields",
    "filter",
    "check",
    "set",
    "limit",
    "allow_aggregations",
    "query_root_fields",
    "subscription_root_fields",
    "backend_only",
    "validate_input",
)
PERMISSION_KEYS = {
    "insert": "insert_permissions",
    "select": "select_permissions",
    "update": "update_permissions",
    "delete": "delete_permissions",
}


def canonical_permission(action: str, body: dict[str, Any]) -> dict[str, Any]:
    """A permission body exactly as Hasura exports it (keys ordered, defaults omitted)."""
    out: dict[str, Any] = {}
    if action == "insert":
        out["check"] = written_form(body.get("check") or {})
        _put_nonempty(out, "set", _sorted_map(body.get("set")))
        _put_given(out, "columns", _columns(body.get("columns")))
    elif action == "select":
        out["columns"] = _columns(body.get("columns", []))
        _put_nonempty(out, "computed_fields", sorted(body.get("computed_fields") or []))
        out["filter"] = written_form(body.get("filter") or {})
        _put_given(out, "limit", body.get("limit"))
        if body.get("allow_aggregations"):
            out["allow_aggregations"] = True
        for key in ("query_root_fields", "subscription_root_fields"):
            if body.get(key) is not None:
                out[key] = sorted(body[key])  # a HashSet in Hasura: order carries no meaning
    elif action == "update":
        out["columns"] = _columns(body.get("columns", []))
        out["filter"] = written_form(body.get("filter") or {})
        check = body.get("check")
        out["check"] = None if check is None else written_form(check)
        _put_nonempty(out, "set", _sorted_map(body.get("set")))
    elif action == "delete":
        out["filter"] = written_form(body.get("filter") or {})
    else:
        raise ValueError(f"unknown action {action!r}")
    if action != "select" and body.get("backend_only"):
        out["backend_only"] = True
    if action != "select":
        _put_given(out, "validate_input", stored_validate_input(body.get("validate_input")))
    return out


# `FromJSON ValidateInputHttpDefinition` (RQL/Types/Permission.hs) fills these in when the
# server parses a permission, so it stores and exports them whether they were given or not.
VALIDATE_INPUT_DEFAULTS = {"headers": [], "timeout": 10, "forward_client_headers": False}


def stored_validate_input(value: Any) -> Any:
    """`validate_input` as the server stores and exports it: the definition's defaults filled in,
    keys it does not read dropped, and every object's keys in ascending order (the export writes
    it through aeson's `toJSON`, whose objects are key-sorted maps, then `AO.toOrdered`)."""
    if not isinstance(value, dict) or not isinstance(value.get("definition"), dict):
        return value  # not a shape the server accepts; leave it for validation to report
    given = value["definition"]
    definition = {key: given.get(key, default) for key, default in VALIDATE_INPUT_DEFAULTS.items()}
    definition["url"] = given.get("url")
    headers = definition["headers"]
    if isinstance(headers, list):
        definition["headers"] = [_sorted_map(h) if isinstance(h, dict) else h for h in headers]
    return {"definition": _sorted_map(definition), "type": value.get("type")}


def permission_entry(role: str, body: dict[str, Any], comment: str | None) -> dict[str, Any]:
    """A PermDef: role, permission, and the comment only when there is one."""
    entry: dict[str, Any] = {"role": role, "permission": body}
    if comment is not None:
        entry["comment"] = comment
    return entry


# Lists whose order carries no meaning to Hasura: root fields are HashSets (RQL/Types/Permission.hs
# AllowedRootFields), columns and computed fields become HashMaps/HashSets when the permission is
# built (buildSelPermInfo, buildInsPermInfo, buildUpdPermInfo in RQL/DDL/Permission.hs).
UNORDERED_LISTS = ("columns", "computed_fields", "query_root_fields", "subscription_root_fields")


def same_but_order(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two permission entries are equal once the order of mapping keys, of the body's
    unordered lists and of AND/OR/IN operands in its expressions is ignored; any other
    difference, however harmless, counts."""
    return _order_free(a) == _order_free(b)


def _order_free(entry: dict[str, Any]) -> dict[str, Any]:
    body = entry.get("permission")
    if not isinstance(body, dict):
        return entry
    free = {}
    for key, value in body.items():
        if key in UNORDERED_LISTS and isinstance(value, list):
            free[key] = sorted(value, key=repr)
        elif key in ("filter", "check"):
            free[key] = order_free(value)
        else:
            free[key] = value
    return {**entry, "permission": free}  # dict equality already ignores key order


def _columns(value: Any) -> Any:
    if value is None or value == "*":
        return value
    return sorted(value)


def _sorted_map(value: dict[str, Any] | None) -> dict[str, Any]:
    return {k: value[k] for k in sorted(value)} if value else {}


def _put_nonempty(out: dict[str, Any], key: str, value: Any) -> None:
    if value:
        out[key] = value


def _put_given(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value
