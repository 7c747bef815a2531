"""Inherited roles, as the engine runs them (sthagen/hasura-graphql-engine at 6fcde9e8).

- `add_inherited_role` {role_name, role_set}: `FromJSON Role` (Authentication/Role.hs) needs
  both keys; role_set is a HashSet (duplicates collapse). runAddInheritedRole
  (RQL/DDL/InheritedRoles.hs) refuses a role in its own set (400 invalid-params), then
  INSERTS OR REPLACES the entry (InsOrdHashMap.insert) and rebuilds the cache for the role.
- `drop_inherited_role` {role_name} refuses a role that is not there (400 not-exists,
  `"<name>" inherited role doesn't exist`).
- Cache build (buildAndCollectInfo, RQL/DDL/Schema/Cache.hs): every parent must be a role with
  a table, logical model, native query, action or remote schema permission, or an inherited
  role (function permissions do not count); otherwise the inherited role is inconsistent
  (`resolveInheritedRole`). Cycles are refused outright by `orderRoles`
  (RQL/DDL/Schema/Cache/Permission.hs) with 400 cyclic-dependency.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from . import permissions
from .boolexp import dquote
from .cache import Inconsistency
from .cache import reason
from .errors import ParseError
from .errors import PathPart
from .errors import bad_request
from .errors import json_type_name

SUCCESS = {"message": "success"}


def _object(args: Any, what: str, path: list[PathPart]) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise ParseError(
            path, f"parsing {what} failed, expected Object, but encountered {json_type_name(args)}"
        )
    return args


def _role_name(obj: dict[str, Any], path: list[PathPart]) -> str:
    if "role_name" not in obj:
        raise ParseError(path, 'key "role_name" not found')
    return permissions.parse_role(obj["role_name"], path + ["role_name"])


def parse_add(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    obj = _object(args, "Role", path)
    name = _role_name(obj, path)
    if "role_set" not in obj:
        raise ParseError(path, 'key "role_set" not found')
    parents = obj["role_set"]
    if not isinstance(parents, list):
        raise ParseError(
            path + ["role_set"],
            f"parsing HashSet failed, expected Array, but encountered {json_type_name(parents)}",
        )
    parsed = [permissions.parse_role(p, path + ["role_set", i]) for i, p in enumerate(parents)]
    return {"role_name": name, "role_set": list(dict.fromkeys(parsed))}


def parse_drop(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    obj = _object(args, "DropInheritedRole", path)
    return {"role_name": _role_name(obj, path)}


def object_id(role: str) -> tuple[str, ...]:
    return ("inherited_role", role)


def run_add(engine: Any, request: Any) -> Any:
    args = request.args
    if args["role_name"] in args["role_set"]:
        raise bad_request(
            "invalid-params", "an inherited role name cannot be in the role combination"
        )
    new = copy.deepcopy(engine.metadata)
    entries = [
        e for e in new["extra"].get("inherited_roles") or [] if e["role_name"] != args["role_name"]
    ]
    new["extra"]["inherited_roles"] = [*entries, copy.deepcopy(args)]
    _refuse_cycles(new)
    engine.build_for(object_id(args["role_name"]), new)
    return SUCCESS


def run_drop(engine: Any, request: Any) -> Any:
    name = request.args["role_name"]
    entries = engine.metadata["extra"].get("inherited_roles") or []
    if not any(e["role_name"] == name for e in entries):
        raise bad_request("not-exists", f"{dquote(name)} inherited role doesn't exist")
    new = copy.deepcopy(engine.metadata)
    new["extra"]["inherited_roles"] = [e for e in entries if e["role_name"] != name]
    engine.build_for(object_id(name), new)
    return SUCCESS


def _refuse_cycles(metadata: dict[str, Any]) -> None:
    graph = {e["role_name"]: e["role_set"] for e in metadata["extra"].get("inherited_roles") or []}
    for start in sorted(graph):
        path = [start]
        while path[-1] in graph:
            step = next((p for p in graph[path[-1]] if p in graph), None)
            if step is None:
                break
            if step in path:
                cycle = [*path[path.index(step) :], step]
                # GUESS: which member the server's stronglyConnComp lists first
                raise bad_request(
                    "cyclic-dependency", f"found cycle(s) in roles: {json.dumps(cycle)}"
                )
            path.append(step)


def roles_with_permissions(metadata: dict[str, Any]) -> set[str]:
    """`allRoleNames`: table, logical model, native query, action and remote schema permission
    roles, and the inherited roles themselves."""
    roles: set[str] = set()
    for source in metadata["sources"]:
        for table in source["tables"]:
            for perm_type in permissions.PERM_TYPES:
                roles.update(e["role"] for e in table.get(f"{perm_type}_permissions") or [])
        for model in source.get("logical_models") or []:
            roles.update(p.get("role") for p in model.get("select_permissions") or [])
    extra = metadata["extra"]
    for action in extra.get("actions") or []:
        roles.update(p.get("role") for p in action.get("permissions") or [])
    for schema in extra.get("remote_schemas") or []:
        roles.update(p.get("role") for p in schema.get("permissions") or [])
    roles.update(e["role_name"] for e in extra.get("inherited_roles") or [])
    return roles


def inconsistencies(metadata: dict[str, Any]) -> list[Inconsistency]:
    """`buildInheritedRoles`: each inherited role whose parents are not all known roles."""
    known = roles_with_permissions(metadata)
    found = []
    for entry in metadata["extra"].get("inherited_roles") or []:
        name = entry["role_name"]
        missing = [p for p in entry["role_set"] if p not in known]
        if not missing:
            continue
        # GUESS: the order of the missing roles is a HashSet's; here, the role_set's
        text = (
            f"in inherited role {name}: the following parent role(s) are not found: "
            f"{', '.join(missing)} which are required to construct the inherited role: "
            f"{dquote(name)}"
        )
        found.append(
            Inconsistency(
                object_id(name),
                "inherited_role",
                f"inherited role {name}",
                reason(text),
                {"role_name": name, "role_set": entry["role_set"]},
            )
        )
    return found


PARSERS = {"add_inherited_role": parse_add, "drop_inherited_role": parse_drop}
RUNNERS = {"add_inherited_role": run_add, "drop_inherited_role": run_drop}
