"""The metadata document: parsing what `replace_metadata` receives, and `export_metadata`'s form.

Internally a metadata value is `{"sources": [source...], "extra": {top-level key: value}}`; a
source keeps its keys, a table keeps `table` as `{"schema", "name"}` and its permission lists as
parsed PermDefs. Export order: Hasura/RQL/Types/Metadata.hs and .../Metadata/Serialization.hs.
"""

from __future__ import annotations

import copy
from typing import Any

from . import boolexp
from . import permissions
from .catalog import QualifiedName
from .errors import ParseError
from .errors import PathPart
from .errors import json_type_name

TOP_LEVEL_ORDER = (
    "remote_schemas",
    "query_collections",
    "allowlist",
    "actions",
    "custom_types",
    "cron_triggers",
    "rest_endpoints",
    "api_limits",
    "metrics_config",
    "inherited_roles",
    "graphql_schema_introspection",
    "network",
    "backend_configs",
    "opentelemetry",
)

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

SOURCE_OPTIONAL_LISTS = ("functions", "native_queries", "stored_procedures", "logical_models")


def default_source_configuration(database_url: str | None = None) -> dict[str, Any]:
    url: Any = database_url or {"from_env": "HASURA_GRAPHQL_DATABASE_URL"}
    return {
        "connection_info": {
            "database_url": url,
            "isolation_level": "read-committed",
            "pool_settings": {
                "connection_lifetime": 600,
                "idle_timeout": 180,
                "max_connections": 50,
                "retries": 1,
            },
            "use_prepared_statements": True,
        }
    }


def empty_metadata(source_names: list[str]) -> dict[str, Any]:
    """What a fresh server holds: each configured source, no tables."""
    sources = [
        {
            "name": name,
            "kind": "postgres",
            "tables": [],
            "configuration": default_source_configuration(),
        }
        for name in source_names
    ]
    return {"sources": sources, "extra": {}}


def table_key(table: dict[str, Any]) -> QualifiedName:
    return (table["table"]["schema"], table["table"]["name"])


def find_source(metadata: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in metadata["sources"] if s["name"] == name), None)


def find_table(source: dict[str, Any], table: QualifiedName) -> dict[str, Any] | None:
    return next((t for t in source["tables"] if table_key(t) == table), None)


# ---------------------------------------------------------------- parsing


def parse_metadata(value: Any, path: list[PathPart], current: dict[str, Any]) -> dict[str, Any]:
    """A whole metadata object; versions 1/2 put `tables`/`functions` into the default source."""
    _expect_object(value, "Metadata", path)
    version = value.get("version", 1)
    if version == 3:
        sources = _require(value, "sources", path)
        parsed = {"sources": _parse_sources(sources, path + ["sources"]), "extra": {}}
    elif version in (1, 2):
        parsed = _parse_legacy(value, path, current)
    else:
        raise ParseError(path + ["version"], f"unexpected metadata version from storage: {version}")
    for key in TOP_LEVEL_ORDER:
        if value.get(key) not in (None, [], {}):
            parsed["extra"][key] = copy.deepcopy(value[key])
    return parsed


def _parse_legacy(
    value: dict[str, Any], path: list[PathPart], current: dict[str, Any]
) -> dict[str, Any]:
    default = find_source(current, "default")
    if default is None:
        raise ParseError(
            path, "cannot import metadata without sources since no default source is defined"
        )
    source = {key: copy.deepcopy(val) for key, val in default.items() if key != "tables"}
    source["tables"] = _parse_tables(_require(value, "tables", path), path + ["tables"])
    functions = value.get("functions") or []
    source["functions"] = [
        _legacy_function(f, path + ["functions", i]) for i, f in enumerate(functions)
    ]
    return {"sources": [source], "extra": {}}


def _legacy_function(value: Any, path: list[PathPart]) -> dict[str, Any]:
    if isinstance(value, (str, dict)) and not (isinstance(value, dict) and "function" in value):
        name = boolexp.parse_table_name(value, path)
        return {"function": {"schema": name[0], "name": name[1]}}
    return copy.deepcopy(value)


def _parse_sources(value: Any, path: list[PathPart]) -> list[dict[str, Any]]:
    _expect_list(value, path)
    sources = []
    for index, item in enumerate(value):
        here = path + [index]
        _expect_object(item, "SourceMetadata", here)
        source = copy.deepcopy(item)
        source["name"] = _require(item, "name", here)
        source.setdefault("kind", "postgres")
        _require(item, "configuration", here)
        source["tables"] = _parse_tables(_require(item, "tables", here), here + ["tables"])
        sources.append(source)
    _no_duplicates("sources", [s["name"] for s in sources], path)
    return sources


def _parse_tables(value: Any, path: list[PathPart]) -> list[dict[str, Any]]:
    _expect_list(value, path)
    tables = [_parse_table(item, path + [index]) for index, item in enumerate(value)]
    _no_duplicates("tables", [boolexp.table_text(table_key(t)) for t in tables], path)
    return tables


def _parse_table(value: Any, path: list[PathPart]) -> dict[str, Any]:
    _expect_object(value, "TableMetadata", path)
    unexpected = [key for key in value if key not in TABLE_KEYS]
    if unexpected:
        shown = ",".join(f'"{key}"' for key in unexpected)
        raise ParseError(path, f"unexpected keys when parsing TableMetadata: [{shown}]")
    name = boolexp.parse_table_name(_require(value, "table", path), path + ["table"])
    table: dict[str, Any] = {"table": {"schema": name[0], "name": name[1]}}
    for key in TABLE_KEYS[1:]:
        if key in value and value[key] is not None:
            table[key] = copy.deepcopy(value[key])
    for perm_type in permissions.PERM_TYPES:
        key = f"{perm_type}_permissions"
        entries = value.get(key) or []
        _expect_list(entries, path + [key])
        table[key] = [
            permissions.parse_perm_def(perm_type, entry, path + [key, index])
            for index, entry in enumerate(entries)
        ]
        _no_duplicates(f"{perm_type} permissions", [e["role"] for e in table[key]], path + [key])
    return table


def _no_duplicates(things: str, names: list[str], path: list[PathPart]) -> None:
    """`parseListAsMap`'s check."""
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ParseError(
            path, f"multiple declarations exist for the following {things}: {', '.join(duplicates)}"
        )


def _require(obj: dict[str, Any], key: str, path: list[PathPart]) -> Any:
    if key not in obj:
        raise ParseError(path, f'key "{key}" not found')
    return obj[key]


def _expect_object(value: Any, what: str, path: list[PathPart]) -> None:
    if not isinstance(value, dict):
        raise ParseError(
            path, f"parsing {what} failed, expected Object, but encountered {json_type_name(value)}"
        )


def _expect_list(value: Any, path: list[PathPart]) -> None:
    if not isinstance(value, list):
        raise ParseError(
            path, f"parsing [] failed, expected Array, but encountered {json_type_name(value)}"
        )


# ---------------------------------------------------------------- export


def export(metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadataToOrdJSON`: version 3 and sources always, the rest only when non-empty."""
    out: dict[str, Any] = {"version": 3}
    out["sources"] = [
        _export_source(s) for s in sorted(metadata["sources"], key=lambda s: s["name"])
    ]
    for key in TOP_LEVEL_ORDER:
        value = metadata["extra"].get(key)
        if value in (None, [], {}) or value == {"disabled_for_roles": []}:
            continue
        if key == "inherited_roles":
            value = [
                {"role_name": r["role_name"], "role_set": r["role_set"]}
                for r in sorted(value, key=lambda r: r["role_name"])
            ]
        out[key] = boolexp.sort_keys(value) if key != "inherited_roles" else value
    return out


def _export_source(source: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": source["name"], "kind": source.get("kind", "postgres")}
    out["tables"] = [_export_table(t) for t in sorted(source["tables"], key=table_key)]
    for key in SOURCE_OPTIONAL_LISTS:
        if source.get(key):
            items = source[key]
            if key == "functions":
                items = sorted(items, key=_function_sort_key)
                out[key] = [_export_function(f) for f in items]
            else:
                out[key] = boolexp.sort_keys(items)
    out["configuration"] = boolexp.sort_keys(source.get("configuration", {}))
    for key in ("query_tags", "customization", "health_check"):
        if source.get(key) not in (None, {}):
            out[key] = boolexp.sort_keys(source[key])
    return out


def _function_sort_key(function: dict[str, Any]) -> QualifiedName:
    name = boolexp.parse_table_name(function.get("function", ""), [])
    return name


def _export_function(function: dict[str, Any]) -> dict[str, Any]:
    out = {"function": boolexp.table_json(_function_sort_key(function))}
    for key in ("configuration", "permissions", "comment"):
        if function.get(key) not in (None, [], {}):
            out[key] = boolexp.sort_keys(function[key])
    return out


def _by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item.get("name", ""))


def _export_named(item: dict[str, Any], body_key: str) -> dict[str, Any]:
    out = {"name": item["name"], body_key: boolexp.sort_keys(item.get(body_key))}
    if item.get("comment") is not None:
        out["comment"] = item["comment"]
    return out


def _export_table(table: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"table": boolexp.table_json(table_key(table))}
    if table.get("is_enum"):
        out["is_enum"] = True
    if table.get("configuration") and _non_empty_config(table["configuration"]):
        out["configuration"] = boolexp.sort_keys(table["configuration"])
    for key in ("object_relationships", "array_relationships"):
        if table.get(key):
            out[key] = [_export_named(rel, "using") for rel in _by_name(table[key])]
    if table.get("computed_fields"):
        out["computed_fields"] = [
            _export_named(cf, "definition") for cf in _by_name(table["computed_fields"])
        ]
    if table.get("remote_relationships"):
        out["remote_relationships"] = boolexp.sort_keys(_by_name(table["remote_relationships"]))
    for perm_type in permissions.PERM_TYPES:
        key = f"{perm_type}_permissions"
        entries = sorted(table.get(key) or [], key=lambda e: e["role"])
        if entries:
            out[key] = [permissions.export_perm_def(perm_type, e) for e in entries]
    if table.get("event_triggers"):
        out["event_triggers"] = [_export_trigger(t) for t in _by_name(table["event_triggers"])]
    for key in ("apollo_federation_config", "logical_model"):
        if table.get(key) is not None:
            out[key] = boolexp.sort_keys(table[key])
    return out


def _non_empty_config(config: dict[str, Any]) -> bool:
    return any(value not in (None, {}, [], "automatic") for value in config.values())


_TRIGGER_ORDER = ("name", "definition", "retry_conf", "webhook", "webhook_from_env", "headers")
_TRIGGER_ORDER += ("request_transform", "response_transform", "cleanup_config")


def _export_trigger(trigger: dict[str, Any]) -> dict[str, Any]:
    keys = [key for key in _TRIGGER_ORDER if trigger.get(key) not in (None, [])]
    return {key: boolexp.sort_keys(trigger[key]) for key in keys}
