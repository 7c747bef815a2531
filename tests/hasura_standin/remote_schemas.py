"""Remote schema permissions, as the engine runs them (RemoteSchema/MetadataAPI/Permission.hs).

- `add_remote_schema_permissions` {remote_schema, role, definition: {schema}, comment?}: args
  parsed by aeson's generic parser (`hasuraJSON`); `definition.schema` is parsed as a GraphQL
  schema document (`FromJSON SchemaDocument`, graphql-parser Syntax.hs: "parsing the schema
  document: ..."). Then, in order: 400 constraint-violation when the server runs without
  remote schema permissions, 400 not-exists for an unknown remote schema, 400 already-exists
  for a role already there, 400 constraint-violation for admin, 400 validation-failed when a
  type is not in the upstream schema (`resolveRoleBasedRemoteSchema`). The new entry is
  prepended (`%~ (:) ...`).
- `drop_remote_schema_permissions` {remote_schema, role}: 400 not-exists for an unknown remote
  schema or a role not there; it works with permissions switched off.

The server stores the parsed document and exports it printed again; the stand-in prints it
in a layout of its own (one line per definition; the engine's graphql-parser-hs printer has
another, the document is the same), so a client that compares texts fails here as it would
against Hasura. The stand-in parses with hasura_perm's own SDL parser (core/sdl.py; the test
environment has no other GraphQL parser), which tests/core/sdl_test.py checks against
graphql-core where that is installed. Of the subset check only "type does not exist upstream"
is modelled, when a test gives the upstream schema (`StandinServer.remote_upstream`); fields,
arguments and presets are not.
"""

from __future__ import annotations

import json
from typing import Any

from hasura_perm.core import sdl

from . import permissions
from .boolexp import dquote
from .errors import ParseError
from .errors import PathPart
from .errors import bad_request
from .errors import json_type_name

SUCCESS = {"message": "success"}
_KINDS = {
    "type": "Object",
    "interface": "Interface",
    "union": "Union",
    "enum": "Enum",
    "input": "Input object",
    "scalar": "Scalar",
}


def _object(args: Any, what: str, path: list[PathPart]) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise ParseError(
            path, f"parsing {what} failed, expected Object, but encountered {json_type_name(args)}"
        )
    return args


def _text(obj: dict[str, Any], key: str, path: list[PathPart]) -> str:
    if key not in obj:
        raise ParseError(path, f'key "{key}" not found')
    value = obj[key]
    if not isinstance(value, str):
        raise ParseError(
            path + [key],
            f"parsing Text failed, expected String, but encountered {json_type_name(value)}",
        )
    return value


def _key(obj: dict[str, Any], path: list[PathPart]) -> tuple[str, str]:
    name = _text(obj, "remote_schema", path)
    if "role" not in obj:
        raise ParseError(path, 'key "role" not found')
    return name, permissions.parse_role(obj["role"], path + ["role"])


def _schema_document(definition: Any, path: list[PathPart]) -> tuple[Any, ...]:
    obj = _object(definition, "RemoteSchemaPermissionDefinition", path)
    text = _text(obj, "schema", path)
    try:
        return sdl.parse(text)
    except sdl.SdlError as exc:
        raise ParseError(path + ["schema"], f"parsing the schema document: {exc}") from None


def parse_add(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    obj = _object(args, "AddRemoteSchemaPermission", path)
    name, role = _key(obj, path)
    if "definition" not in obj:
        raise ParseError(path, 'key "definition" not found')
    document = _schema_document(obj["definition"], path + ["definition"])
    comment = obj.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ParseError(
            path + ["comment"],
            f"parsing Text failed, expected String, but encountered {json_type_name(comment)}",
        )
    return {"remote_schema": name, "role": role, "document": document, "comment": comment}


def parse_drop(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    name, role = _key(_object(args, "DropRemoteSchemaPermissions", path), path)
    return {"remote_schema": name, "role": role}


def _remote(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    entries = metadata["extra"].get("remote_schemas") or []
    found = next((e for e in entries if e.get("name") == name), None)
    if found is None:
        raise bad_request("not-exists", f"remote schema {dquote(name)} doesn't exist")
    return found


def _has(entry: dict[str, Any], role: str) -> bool:
    return any(p["role"] == role for p in entry.get("permissions") or [])


def run_add(engine: Any, request: Any) -> Any:
    args = request.args
    name, role = args["remote_schema"], args["role"]
    if not engine.remote_schema_permissions:
        raise bad_request(
            "constraint-violation",
            "remote schema permissions can only be added when remote schema permissions are "
            "enabled in the graphql-engine",
        )
    entry = _remote(engine.metadata, name)
    if _has(entry, role):
        raise bad_request(
            "already-exists",
            f"permissions for role: {dquote(role)} for remote schema:{dquote(name)} already exists",
        )
    if role == "admin":
        raise bad_request("constraint-violation", "cannot define permission for admin role")
    _check_upstream(engine.remote_upstream.get(name), args["document"])
    perm: dict[str, Any] = {
        "role": role,
        "definition": {"schema": printed(args["document"])},
    }
    if args["comment"] is not None:
        perm["comment"] = args["comment"]
    entry["permissions"] = [perm, *(entry.get("permissions") or [])]
    return SUCCESS


def _check_upstream(upstream_sdl: str | None, document: tuple[Any, ...]) -> None:
    if upstream_sdl is None:
        return
    upstream = {d[2]: d[0] for d in sdl.parse(upstream_sdl) if d[0] in _KINDS}
    errors = [
        f"{dquote(_KINDS[d[0]])}: {dquote(d[2])} does not exist in the upstream remote schema"
        for d in document
        if d[0] in _KINDS and upstream.get(d[2]) != d[0]
    ]
    if errors:
        reasons = (
            f"because {errors[0]}"
            if len(errors) == 1
            else "for the following reasons:\n" + "".join(f" • {e}\n" for e in errors)
        )
        raise bad_request(
            "validation-failed", f"validation for the given role-based schema failed {reasons}"
        )


def run_drop(engine: Any, request: Any) -> Any:
    name, role = request.args["remote_schema"], request.args["role"]
    entry = _remote(engine.metadata, name)
    if not _has(entry, role):
        raise bad_request(
            "not-exists",
            f"permissions for role: {dquote(role)} for remote schema:{dquote(name)} doesn't exist",
        )
    entry["permissions"] = [p for p in entry["permissions"] if p["role"] != role]
    if not entry["permissions"]:
        del entry["permissions"]  # the export leaves an empty list out (listToMaybeOrdPair)
    return SUCCESS


# ---------------------------------------------------------------- printing


def printed(document: tuple[Any, ...]) -> str:
    """The stand-in's printer: one definition per line, descriptions as plain strings."""
    return "\n".join(_definition(d) for d in document) + "\n"


def _definition(d: tuple[Any, ...]) -> str:
    kind, desc = d[0], _desc(d[1])
    if kind in ("schema", "extend schema"):
        ops = " ".join(f"{op}: {name}" for op, name in d[3])
        return f"{desc}{kind}{_directives(d[2])} {{ {ops} }}"
    if kind == "directive":
        args = _args(d[3])
        repeat = " repeatable" if d[4] else ""
        return f"{desc}directive @{d[2]}{args}{repeat} on {' | '.join(d[5])}"
    head = f"{desc}{kind} {d[2]}"
    base = kind.split()[-1]
    if base in ("type", "interface"):
        implements = f" implements {' & '.join(d[3])}" if d[3] else ""
        fields = " ".join(
            f"{_desc(f[0])}{f[1]}{_args(f[2])}: {f[3]}{_directives(f[4])}" for f in d[5]
        )
        return f"{head}{implements}{_directives(d[4])}" + (f" {{ {fields} }}" if fields else "")
    if base == "union":
        members = f" = {' | '.join(d[4])}" if d[4] else ""
        return f"{head}{_directives(d[3])}{members}"
    if base == "enum":
        values = " ".join(f"{_desc(v[0])}{v[1]}{_directives(v[2])}" for v in d[4])
        return f"{head}{_directives(d[3])}" + (f" {{ {values} }}" if values else "")
    if base == "input":
        values = " ".join(_input(v) for v in d[4])
        return f"{head}{_directives(d[3])}" + (f" {{ {values} }}" if values else "")
    return f"{head}{_directives(d[3])}"


def _desc(text: str | None) -> str:
    return "" if text is None else json.dumps(text) + " "


def _args(inputs: tuple[Any, ...]) -> str:
    return f"({', '.join(_input(i) for i in inputs)})" if inputs else ""


def _input(i: tuple[Any, ...]) -> str:
    default = f" = {_value(i[3])}" if i[3] is not None else ""
    return f"{_desc(i[0])}{i[1]}: {i[2]}{default}{_directives(i[4])}"


def _directives(found: tuple[Any, ...]) -> str:
    out = ""
    for name, args in found:
        listed = ", ".join(f"{k}: {_value(v)}" for k, v in args)
        out += f" @{name}" + (f"({listed})" if args else "")
    return out


def _value(v: tuple[str, Any]) -> str:
    kind, inner = v
    if kind == "string":
        return json.dumps(inner)
    if kind == "list":
        return "[" + ", ".join(_value(x) for x in inner) + "]"
    if kind == "object":
        return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in inner) + "}"
    return str(inner)


PARSERS = {
    "add_remote_schema_permissions": parse_add,
    "drop_remote_schema_permissions": parse_drop,
}
RUNNERS = {
    "add_remote_schema_permissions": run_add,
    "drop_remote_schema_permissions": run_drop,
}
