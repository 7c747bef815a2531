"""Action permissions and introspection options, as the engine runs them.

- `create_action_permission` / `drop_action_permission`: RQL/DDL/Action.hs. Args are parsed by
  aeson's generic parser (`hasuraJSON`): `action` and `role` required, `definition` and
  `comment` optional, unknown keys ignored. Create refuses a role the action already has
  (400 already-exists) and prepends the new entry (`%~ (:) ...`); on an action that does not
  exist, `ix` changes nothing and the command still succeeds. Drop refuses a role the action
  does not have (400 not-exists).
- `set_graphql_schema_introspection_options`: RQL/DDL/GraphqlSchemaIntrospection.hs replaces
  the whole `disabled_for_roles` set; the export leaves the key out when the set is empty
  (`introspectionDisabledRolesToOrdJSON`, RQL/Types/Metadata/Serialization.hs).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from . import permissions
from .boolexp import dquote
from .errors import ParseError
from .errors import PathPart
from .errors import bad_request
from .errors import json_type_name

SUCCESS = {"message": "success"}
GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def _object(args: Any, what: str, path: list[PathPart]) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise ParseError(
            path, f"parsing {what} failed, expected Object, but encountered {json_type_name(args)}"
        )
    return args


def _action_name(obj: dict[str, Any], path: list[PathPart]) -> str:
    if "action" not in obj:
        raise ParseError(path, 'key "action" not found')
    value = obj["action"]
    if not isinstance(value, str):
        raise ParseError(
            path + ["action"],
            f"parsing Name failed, expected String, but encountered {json_type_name(value)}",
        )
    if not GRAPHQL_NAME.match(value):
        raise ParseError(path + ["action"], f"{value} is not valid GraphQL name")
    return value


def _role(obj: dict[str, Any], path: list[PathPart]) -> str:
    if "role" not in obj:
        raise ParseError(path, 'key "role" not found')
    return permissions.parse_role(obj["role"], path + ["role"])


def parse_create(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    obj = _object(args, "CreateActionPermission", path)
    action, role = _action_name(obj, path), _role(obj, path)
    comment = obj.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ParseError(
            path + ["comment"],
            f"parsing Text failed, expected String, but encountered {json_type_name(comment)}",
        )
    return {"action": action, "role": role, "comment": comment}


def parse_drop(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    obj = _object(args, "DropActionPermission", path)
    return {"action": _action_name(obj, path), "role": _role(obj, path)}


def parse_introspection(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    obj = _object(args, "SetGraphqlIntrospectionOptions", path)
    if "disabled_for_roles" not in obj:
        raise ParseError(path, 'key "disabled_for_roles" not found')
    roles = obj["disabled_for_roles"]
    if not isinstance(roles, list):
        raise ParseError(
            path + ["disabled_for_roles"],
            f"parsing HashSet failed, expected Array, but encountered {json_type_name(roles)}",
        )
    parsed = [
        permissions.parse_role(r, path + ["disabled_for_roles", i]) for i, r in enumerate(roles)
    ]
    return {"disabled_for_roles": list(dict.fromkeys(parsed))}  # a set: duplicates collapse


def _action(metadata: dict[str, Any], name: str) -> dict[str, Any] | None:
    actions = metadata["extra"].get("actions") or []
    return next((a for a in actions if a.get("name") == name), None)


def _has(action: dict[str, Any] | None, role: str) -> bool:
    return action is not None and any(p["role"] == role for p in action.get("permissions") or [])


def run_create(engine: Any, request: Any) -> Any:
    args = request.args
    action = _action(engine.metadata, args["action"])
    if _has(action, args["role"]):
        raise bad_request(
            "already-exists",
            f"permission for role {dquote(args['role'])} is already defined on "
            f"{dquote(args['action'])}",
        )
    if action is not None:
        entry = {"role": args["role"]}
        if args["comment"] is not None:
            entry["comment"] = args["comment"]
        action["permissions"] = [entry, *(action.get("permissions") or [])]
    return SUCCESS


def run_drop(engine: Any, request: Any) -> Any:
    args = request.args
    action = _action(engine.metadata, args["action"])
    if not _has(action, args["role"]):
        raise bad_request(
            "not-exists",
            f"permission for role: {dquote(args['role'])} is not defined on "
            f"{dquote(args['action'])}",
        )
    assert action is not None
    # buildSchemaCacheFor (MOActionPermission ...): an inherited role left without a parent
    # by the drop is a new inconsistency, and the command is refused
    new = copy.deepcopy(engine.metadata)
    dropped = _action(new, args["action"])
    assert dropped is not None
    dropped["permissions"] = [p for p in dropped["permissions"] if p["role"] != args["role"]]
    engine.build_for(("action_permission", args["action"], args["role"]), new)
    return SUCCESS


def run_introspection(engine: Any, request: Any) -> Any:
    engine.metadata["extra"]["graphql_schema_introspection"] = copy.deepcopy(request.args)
    return SUCCESS


PARSERS = {
    "create_action_permission": parse_create,
    "drop_action_permission": parse_drop,
    "set_graphql_schema_introspection_options": parse_introspection,
}
RUNNERS = {
    "create_action_permission": run_create,
    "drop_action_permission": run_drop,
    "set_graphql_schema_introspection_options": run_introspection,
}
