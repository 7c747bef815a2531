"""Function permissions, as the engine runs them (Hasura/Function/API.hs).

- `FunctionPermissionArgument`: `function` (a QualifiedFunction: a string means schema public,
  else `{schema?, name}`), `source` (default `default`), `role`; unknown keys ignored.
- `pg_create_function_permission`: the function must be in the schema cache (`askFunctionInfo`:
  tracked and consistent), the role must not already have a permission, the return table must
  be in the cache, and the role must be in the return table's `_tiRolePermInfoMap`. That map
  (buildTablePermissions, RQL/DDL/Schema/Cache/Permission.hs) holds every role of the metadata's
  ordered roles (Schema/Cache.hs `allRoleNames`: table permissions of every source, action and
  remote schema permissions, inherited roles), so the check is that the role is known, whatever
  the message says. The new entry is prepended (`%~ (:) ...`).
- `pg_drop_function_permission`: only asks the metadata whether the permission exists.
- Export: `functionMetadataToOrdJSON` (RQL/Types/Metadata/Serialization.hs): `permissions`
  as stored, each `{role}` only (FunctionPermissionInfo, Hasura/Function/Cache.hs).
"""

from __future__ import annotations

from typing import Any

from . import boolexp
from . import metadata as md
from . import permissions
from .boolexp import dquote
from .boolexp import table_text
from .errors import ParseError
from .errors import PathPart
from .errors import bad_request
from .errors import json_type_name
from .surface import SUCCESS


def parse(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise ParseError(
            path,
            "parsing FunctionPermissionArgument failed, expected Object, but encountered "
            f"{json_type_name(args)}",
        )
    if "function" not in args:
        raise ParseError(path, 'key "function" not found')
    function = boolexp.parse_table_name(args["function"], path + ["function"])
    source = args.get("source")
    if source is None:
        source = "default"
    elif not isinstance(source, str):
        raise ParseError(
            path + ["source"],
            f"parsing String failed, expected String, but encountered {json_type_name(source)}",
        )
    if "role" not in args:
        raise ParseError(path, 'key "role" not found')
    role = permissions.parse_role(args["role"], path + ["role"])
    return {"function": function, "source": source, "role": role}


def _entry(metadata: dict[str, Any], source: str, function: tuple[str, str]) -> Any:
    found = md.find_source(metadata, source)
    for entry in (found or {}).get("functions") or []:
        if boolexp.parse_table_name(entry.get("function", ""), []) == function:
            return entry
    return None


def _has(entry: Any, role: str) -> bool:
    return entry is not None and any(p["role"] == role for p in entry.get("permissions") or [])


def _known_roles(metadata: dict[str, Any]) -> set[str]:
    roles: set[str] = set()
    for source in metadata["sources"]:
        for table in source.get("tables") or []:
            for key in ("insert_permissions", "select_permissions", "update_permissions"):
                roles |= {p["role"] for p in table.get(key) or []}
            roles |= {p["role"] for p in table.get("delete_permissions") or []}
    extra = metadata["extra"]
    for action in extra.get("actions") or []:
        roles |= {p["role"] for p in action.get("permissions") or []}
    for schema in extra.get("remote_schemas") or []:
        roles |= {p["role"] for p in schema.get("permissions") or []}
    roles |= {r["role_name"] for r in extra.get("inherited_roles") or []}
    return roles


def run_create(engine: Any, request: Any) -> Any:
    args = request.args
    source, function, role = args["source"], args["function"], args["role"]
    fn = dquote(table_text(function))
    entry = _entry(engine.metadata, source, function)
    catalog = engine.catalog(source) if md.find_source(engine.metadata, source) else None
    returns = None if catalog is None else catalog.functions.get(function)
    if entry is None or returns is None:  # askFunctionInfo: tracked and consistent
        raise bad_request("not-exists", f"function {fn} does not exist in source: {source}")
    if _has(entry, role):
        raise bad_request(
            "already-exists",
            f"permission of role {dquote(role)} already exists for function {fn} in source: "
            f"{dquote(source)}",
        )
    table = md.find_table(md.find_source(engine.metadata, source), returns)
    if table is None or returns not in catalog:
        raise bad_request(
            "not-exists",
            f"function's return table {dquote(table_text(returns))} not found in the cache",
        )
    if role not in _known_roles(engine.metadata):
        raise bad_request(
            "not-supported",
            "function permission can only be added when the function's return table "
            f"{dquote(table_text(returns))} has select permission configured for role: "
            f"{dquote(role)}",
        )
    entry["permissions"] = [{"role": role}, *(entry.get("permissions") or [])]
    return SUCCESS


def run_drop(engine: Any, request: Any) -> Any:
    args = request.args
    source, function, role = args["source"], args["function"], args["role"]
    entry = _entry(engine.metadata, source, function)
    if not _has(entry, role):
        raise bad_request(
            "not-exists",
            f"permission of role {dquote(role)} does not exist for function "
            f"{dquote(table_text(function))} in source: {dquote(source)}",
        )
    entry["permissions"] = [p for p in entry["permissions"] if p["role"] != role]
    if not entry["permissions"]:
        del entry["permissions"]  # exported without the key, as an empty list is
    return SUCCESS


PARSERS = {"pg_create_function_permission": parse, "pg_drop_function_permission": parse}
RUNNERS = {"pg_create_function_permission": run_create, "pg_drop_function_permission": run_drop}
