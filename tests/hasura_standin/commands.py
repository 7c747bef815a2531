"""`/v1/metadata` requests: parsing (whole request first, bulk included), and running commands on
a working copy of the metadata, as `runMetadataQuery` does (Hasura/Server/API/Metadata.hs).

Nothing here touches the server's stored state; the caller persists `Engine.metadata` only when the
whole request succeeded and it modifies metadata.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from . import boolexp
from . import cache
from . import functions
from . import inherited_roles
from . import metadata as md
from . import permissions
from . import remote_schemas
from . import surface
from .boolexp import dquote
from .boolexp import table_text
from .catalog import Catalog
from .catalog import QualifiedName
from .errors import HasuraError
from .errors import ParseError
from .errors import PathPart
from .errors import bad_request
from .errors import json_type_name
from .errors import parse_failed

READ_ONLY_TYPES = {"export_metadata", "get_inconsistent_metadata"}
BULK_TYPES = {"bulk", "bulk_keep_going"}
SUCCESS = {"message": "success"}


@dataclass
class Request:
    type: str
    version: int
    args: Any
    resource_version: int | None = None
    subs: list[Request] = field(default_factory=list)

    def modifies_metadata(self) -> bool:
        """`queryModifiesMetadata`."""
        if self.type in BULK_TYPES:
            return any(sub.modifies_metadata() for sub in self.subs)
        return self.type not in READ_ONLY_TYPES


# ---------------------------------------------------------------- request parsing


def parse_request(
    body: Any, current: dict[str, Any], path: list[PathPart] | None = None
) -> Request:
    """Parse a whole request; any failure is a `parse-failed` error and nothing runs."""
    path = path or []
    if not isinstance(body, dict):
        raise HasuraError(
            400,
            "parse-failed",
            f"parsing RQLMetadata failed, expected Object, but encountered {json_type_name(body)}",
            path,
        )
    version = body.get("version", 1)
    if version not in (1, 2):
        raise HasuraError(
            400, "parse-failed", f"unexpected API version: {version}", path + ["version"]
        )
    rv = body.get("resource_version")
    if rv is not None and (not isinstance(rv, int) or isinstance(rv, bool)):
        raise HasuraError(400, "parse-failed", "parsing Int failed", path + ["resource_version"])
    if "type" not in body:
        raise HasuraError(400, "parse-failed", 'key "type" not found', path)
    kind = body["type"]
    _check_known(kind, version, path)
    if "args" not in body:
        raise HasuraError(400, "parse-failed", 'key "args" not found', path)
    args = body["args"]
    request = Request(kind, version, args, rv)
    if kind in BULK_TYPES:
        if not isinstance(args, list):
            raise HasuraError(
                400,
                "parse-failed",
                f"parsing [] failed, expected Array, but encountered {json_type_name(args)}",
                path + ["args"],
            )
        request.subs = [
            parse_request(sub, current, path + ["args", index]) for index, sub in enumerate(args)
        ]
        return request
    parser = _parse_replace_v2 if (version, kind) == (2, "replace_metadata") else ARG_PARSERS[kind]
    try:
        request.args = parser(args, ["args"], current)
    except ParseError as err:
        raise parse_failed(_command_name(kind), err, path) from None
    return request


def _command_name(kind: str) -> str:
    return kind[3:] if kind.startswith("pg_") else kind


def _check_known(kind: Any, version: int, path: list[PathPart]) -> None:
    if not isinstance(kind, str):
        raise HasuraError(400, "parse-failed", "parsing Text failed", path + ["type"])
    if version == 2 and kind not in ("replace_metadata", "export_metadata"):
        # `FromJSON RQLMetadataV2` (Server/API/Metadata/Instances.hs) is aeson's generic
        # TaggedObject parser: its failure for an unknown tag, at the tag key.
        raise HasuraError(
            400,
            "parse-failed",
            "parsing Hasura.Server.API.Metadata.Types.RQLMetadataV2 failed, expected tag field "
            f'to be one of ["replace_metadata","export_metadata"], but found tag "{kind}"',
            path + ["type"],
        )
    if kind in ARG_PARSERS or kind in BULK_TYPES:
        return
    prefix, _, command = kind.partition("_")
    if prefix == "pg":
        message = f'unknown metadata command "{command}" for backend postgres'
    else:
        message = (
            f'unknown metadata command "{kind}"; '
            f'"{prefix}" was not recognized as a valid backend name'
        )
    raise HasuraError(400, "parse-failed", message, path)


def _object(args: Any, what: str, path: list[PathPart]) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise ParseError(
            path, f"parsing {what} failed, expected Object, but encountered {json_type_name(args)}"
        )
    return args


def _source(args: dict[str, Any], path: list[PathPart]) -> str:
    # `.:? "source" .!= defaultSource`: an absent or null source is the default one.
    source = args.get("source")
    if source is None:
        return "default"
    if not isinstance(source, str):
        # `withText "String"` (FromJSON SourceName, RQL/Types/Common.hs).
        raise ParseError(
            path + ["source"],
            f"parsing String failed, expected String, but encountered {json_type_name(source)}",
        )
    return source


def _table(args: dict[str, Any], path: list[PathPart]) -> QualifiedName:
    if "table" not in args:
        raise ParseError(path, 'key "table" not found')
    return boolexp.parse_table_name(args["table"], path + ["table"])


def _ignore(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    return {}


def _parse_create(perm_type: str) -> Callable[..., dict[str, Any]]:
    def parse(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
        obj = _object(args, "CreatePerm", path)
        # `FromJSON (WithTable b a)` (RQL/Types/Relationships/Local.hs): source, table, then
        # the PermDef from the same object.
        source, table = _source(obj, path), _table(obj, path)
        entry = permissions.parse_perm_def(perm_type, obj, path)
        return {"source": source, "table": table, "entry": entry}

    return parse


def _source_table_role(obj: dict[str, Any], path: list[PathPart]) -> dict[str, Any]:
    """The fields `DropPerm` and `SetPermComment` share, parsed in their order: source, table,
    role (RQL/DDL/Permission/Internal.hs, RQL/DDL/Permission.hs); the first failure wins."""
    source, table = _source(obj, path), _table(obj, path)
    if "role" not in obj:
        raise ParseError(path, 'key "role" not found')
    role = permissions.parse_role(obj["role"], path + ["role"])
    return {"source": source, "table": table, "role": role}


def _parse_drop(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    return _source_table_role(_object(args, "DropPerm", path), path)


def _parse_set_comment(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    """`FromJSON SetPermComment` (RQL/DDL/Permission.hs): the permission type is read from the key
    `permission` (`FromJSON PermType`, RQL/Types/Permission.hs); a `type` key is ignored, so a
    request that gives only `type` fails with `key "permission" not found`."""
    obj = _object(args, "SetPermComment", path)
    parsed = _source_table_role(obj, path)
    if "permission" not in obj:
        raise ParseError(path, 'key "permission" not found')
    if obj["permission"] not in permissions.PERM_TYPES:
        raise ParseError(
            path + ["permission"],
            "perm_type should be one of 'insert', 'select', 'update', 'delete'",
        )
    comment = obj.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ParseError(
            path + ["comment"],
            f"parsing Text failed, expected String, but encountered {json_type_name(comment)}",
        )
    return parsed | {"type": obj["permission"], "comment": comment}


def _parse_track(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    """`TrackTable`: `{source?, table, configuration?, is_enum?}` or just a table name."""
    if isinstance(args, dict) and "table" in args:
        table = boolexp.parse_table_name(args["table"], path + ["table"])
        extra = {
            k: copy.deepcopy(args[k])
            for k in ("configuration", "is_enum")
            if args.get(k) is not None
        }
        return {"source": _source(args, path), "table": table, "extra": extra}
    return {"source": "default", "table": boolexp.parse_table_name(args, path), "extra": {}}


def _parse_replace(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    """Args with a `metadata` key are ReplaceMetadataV2, otherwise a bare metadata object (v1)."""
    obj = _object(args, "ReplaceMetadata", path)
    if "metadata" not in obj:
        return {
            "v2": False,
            "allow_inconsistent": False,
            "metadata": md.parse_metadata(obj, path, current),
        }
    allow = obj.get("allow_inconsistent_metadata", False)
    if not isinstance(allow, bool):
        raise ParseError(path + ["allow_inconsistent_metadata"], "parsing Bool failed")
    parsed = md.parse_metadata(obj["metadata"], path + ["metadata"], current)
    return {"v2": True, "allow_inconsistent": allow, "metadata": parsed}


def _parse_replace_v2(args: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    obj = _object(args, "ReplaceMetadataV2", path)
    if "metadata" not in obj:
        raise ParseError(path, 'key "metadata" not found')
    return _parse_replace(obj, path, current)


ARG_PARSERS: dict[str, Callable[..., Any]] = {
    "export_metadata": _ignore,
    "replace_metadata": _parse_replace,
    "get_inconsistent_metadata": _ignore,
    "reload_metadata": _ignore,
    "clear_metadata": _ignore,
    "drop_inconsistent_metadata": _ignore,
    "pg_track_table": _parse_track,
    "pg_set_permission_comment": _parse_set_comment,
}
for _perm in permissions.PERM_TYPES:
    ARG_PARSERS[f"pg_create_{_perm}_permission"] = _parse_create(_perm)
    ARG_PARSERS[f"pg_drop_{_perm}_permission"] = _parse_drop
ARG_PARSERS.update(surface.PARSERS)
ARG_PARSERS.update(remote_schemas.PARSERS)
ARG_PARSERS.update(inherited_roles.PARSERS)
ARG_PARSERS.update(functions.PARSERS)


# ---------------------------------------------------------------- running


class Engine:
    """One request's view: a working copy of the metadata and the catalogs it is checked against."""

    def __init__(
        self,
        metadata: dict[str, Any],
        load_catalog: Callable[[str], Catalog | None],
        resource_version: int,
    ) -> None:
        self.metadata = copy.deepcopy(metadata)
        self.resource_version = resource_version
        self._load_catalog = load_catalog
        self._catalogs: dict[str, Catalog | None] = {}
        self.remote_schema_permissions = True  # set from the server (remote_schemas.py)
        self.remote_upstream: dict[str, str] = {}

    def catalog(self, source: str) -> Catalog | None:
        if source not in self._catalogs:
            self._catalogs[source] = self._load_catalog(source)
        return self._catalogs[source]

    def inconsistencies(self, metadata: dict[str, Any] | None = None) -> list[cache.Inconsistency]:
        metadata = self.metadata if metadata is None else metadata
        return cache.build(metadata, self.catalog) + inherited_roles.inconsistencies(metadata)

    def run(self, request: Request, path: list[PathPart]) -> Any:
        """`runMetadataQueryM`: errors from inside a command are seen under `args`."""
        try:
            if request.type == "bulk":
                return [self.run(sub, path + ["args", i]) for i, sub in enumerate(request.subs)]
            if request.type == "bulk_keep_going":
                return [
                    self._keep_going(sub, path + ["args", i]) for i, sub in enumerate(request.subs)
                ]
            return RUNNERS[request.type](self, request)
        except HasuraError as err:
            if request.type in BULK_TYPES:
                raise
            raise err.under(path + ["args"]) from None

    def _keep_going(self, request: Request, path: list[PathPart]) -> Any:
        snapshot = copy.deepcopy(self.metadata)
        try:
            return self.run(request, path)
        except HasuraError as err:
            self.metadata = snapshot
            return err.to_json()

    # -- lookups shared by the commands

    def source(self, name: str) -> dict[str, Any]:
        source = md.find_source(self.metadata, name)
        if source is None:
            # askSourceInfo (RQL/Types/SchemaCache.hs).
            raise bad_request("not-exists", f"source with name {dquote(name)} does not exist")
        return source

    def table(
        self, source_name: str, table: QualifiedName, metadata: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """askTableMetadata / askTableInfo (RQL/Types/SchemaCache.hs): a missing source gets the
        same answer as a missing table."""
        source = md.find_source(self.metadata if metadata is None else metadata, source_name)
        found = md.find_table(source, table) if source else None
        if found is None:
            raise bad_request(
                "not-exists",
                f"table {dquote(table_text(table))} does not exist in source: {source_name}",
            )
        return found

    def build_for(self, object_id: tuple[str, ...], new_metadata: dict[str, Any]) -> None:
        """`buildSchemaCacheFor`: refuse new inconsistencies, naming the object's own reasons."""
        old_ids = {i.object_id for i in self.inconsistencies()}
        added = [i for i in self.inconsistencies(new_metadata) if i.object_id not in old_ids]
        own = [i for i in added if i.object_id == object_id]
        if own:
            raise bad_request(
                "invalid-configuration",
                ", ".join(i.reason for i in own),
                [i.to_json() for i in own],
            )
        if added:
            raise bad_request(
                "unexpected",
                "cannot continue due to new inconsistent metadata",
                [i.to_json() for i in added],
            )
        self.metadata = new_metadata


def _export(engine: Engine, request: Request) -> Any:
    exported = md.export(engine.metadata)
    if request.version == 2:
        return {"resource_version": engine.resource_version, "metadata": exported}
    return exported


def _consistency(engine: Engine) -> tuple[bool, list[dict[str, Any]]]:
    found = engine.inconsistencies()
    return not found, [i.to_json() for i in found]


def _get_inconsistent(engine: Engine, request: Request) -> Any:
    consistent, objects = _consistency(engine)
    return {"is_consistent": consistent, "inconsistent_objects": objects}


def _reload(engine: Engine, request: Request) -> Any:
    consistent, objects = _consistency(engine)
    result: dict[str, Any] = {"message": "success", "is_consistent": consistent}
    if objects:
        result["inconsistent_objects"] = objects
    return result


def _replace(engine: Engine, request: Request) -> Any:
    args = request.args
    found = engine.inconsistencies(args["metadata"])
    if found and not args["allow_inconsistent"]:
        raise bad_request(
            "unexpected",
            "cannot continue due to inconsistent metadata",
            [i.to_json() for i in found],
        )
    engine.metadata = args["metadata"]
    if not args["v2"]:
        return SUCCESS
    return {"is_consistent": not found, "inconsistent_objects": [i.to_json() for i in found]}


def _clear(engine: Engine, request: Request) -> Any:
    for source in engine.metadata["sources"]:
        source["tables"] = []
        source.pop("functions", None)
    engine.metadata["extra"] = {}
    return SUCCESS


def _drop_inconsistent(engine: Engine, request: Request) -> Any:
    drop = {i.object_id for i in engine.inconsistencies()}
    for source in engine.metadata["sources"]:
        name = source["name"]
        source["tables"] = [
            t for t in source["tables"] if cache.table_id(name, md.table_key(t)) not in drop
        ]
        for table in source["tables"]:
            _drop_table_objects(name, table, drop)
    return SUCCESS


def _drop_table_objects(source: str, table: dict[str, Any], drop: set[tuple[str, ...]]) -> None:
    key = md.table_key(table)
    for rel_key in ("object_relationships", "array_relationships"):
        rels = table.get(rel_key) or []
        table[rel_key] = [r for r in rels if ("relationship", source, *key, r["name"]) not in drop]
    for perm_type in permissions.PERM_TYPES:
        entries = table.get(f"{perm_type}_permissions") or []
        table[f"{perm_type}_permissions"] = [
            e for e in entries if cache.permission_id(source, key, e["role"], perm_type) not in drop
        ]


def _track(engine: Engine, request: Request) -> Any:
    args = request.args
    source = engine.source(args["source"])
    if md.find_table(source, args["table"]) is not None:
        raise bad_request(
            "already-tracked", f"view/table already tracked: {dquote(table_text(args['table']))}"
        )
    new = copy.deepcopy(engine.metadata)
    entry = {"table": boolexp.table_json(args["table"])} | args["extra"]
    for perm_type in permissions.PERM_TYPES:
        entry[f"{perm_type}_permissions"] = []
    md.find_source(new, args["source"])["tables"].append(entry)
    engine.build_for(cache.table_id(args["source"], args["table"]), new)
    return SUCCESS


def _create_permission(perm_type: str) -> Callable[[Engine, Request], Any]:
    def run(engine: Engine, request: Request) -> Any:
        args = request.args
        source, table, role = args["source"], args["table"], args["entry"]["role"]
        key = f"{perm_type}_permissions"
        existing = engine.table(source, table).get(key) or []
        if role == "admin" or any(e["role"] == role for e in existing):
            # The server counts `admin` as always defined (runCreatePerm).
            raise bad_request(
                "already-exists",
                f"{perm_type} permission already defined on table {dquote(table_text(table))} "
                f"with role {dquote(role)}",
            )
        new = copy.deepcopy(engine.metadata)
        engine.table(source, table, new).setdefault(key, []).append(copy.deepcopy(args["entry"]))
        engine.build_for(cache.permission_id(source, table, role, perm_type), new)
        return SUCCESS

    return run


def _drop_permission(perm_type: str) -> Callable[[Engine, Request], Any]:
    def run(engine: Engine, request: Request) -> Any:
        args = request.args
        source, table, role = args["source"], args["table"], args["role"]
        key = f"{perm_type}_permissions"
        if not any(e["role"] == role for e in engine.table(source, table).get(key) or []):
            # runDropPerm (RQL/DDL/Permission.hs): throw400 PermissionDenied.
            raise bad_request(
                "permission-denied",
                f"{perm_type} permission on {dquote(table_text(table))} "
                f"for role {dquote(role)} does not exist",
            )
        new = copy.deepcopy(engine.metadata)
        entry_table = engine.table(source, table, new)
        entry_table[key] = [e for e in entry_table[key] if e["role"] != role]
        engine.build_for(cache.permission_id(source, table, role, perm_type), new)
        return SUCCESS

    return run


def _set_comment(engine: Engine, request: Request) -> Any:
    args = request.args
    table = engine.table(args["source"], args["table"])
    perm_type, role = args["type"], args["role"]
    entry = next(
        (e for e in table.get(f"{perm_type}_permissions") or [] if e["role"] == role), None
    )
    if entry is None:
        raise bad_request(
            "permission-denied",
            f"'{perm_type}' permission on {dquote(table_text(args['table']))} "
            f"for role {dquote(role)} does not exist",
        )
    if args["comment"] is None:
        entry.pop("comment", None)
    else:
        entry["comment"] = args["comment"]
    return SUCCESS


RUNNERS: dict[str, Callable[[Engine, Request], Any]] = {
    "export_metadata": _export,
    "replace_metadata": _replace,
    "get_inconsistent_metadata": _get_inconsistent,
    "reload_metadata": _reload,
    "clear_metadata": _clear,
    "drop_inconsistent_metadata": _drop_inconsistent,
    "pg_track_table": _track,
    "pg_set_permission_comment": _set_comment,
}
for _perm in permissions.PERM_TYPES:
    RUNNERS[f"pg_create_{_perm}_permission"] = _create_permission(_perm)
    RUNNERS[f"pg_drop_{_perm}_permission"] = _drop_permission(_perm)
RUNNERS.update(surface.RUNNERS)
RUNNERS.update(remote_schemas.RUNNERS)
RUNNERS.update(inherited_roles.RUNNERS)
RUNNERS.update(functions.RUNNERS)
