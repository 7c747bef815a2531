"""export_metadata's key order, sort orders and omitted defaults
(Hasura/RQL/Types/Metadata/Serialization.hs; reference section 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hasura_standin import StandinServer

MOPED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "moped"

SCHEMA = """
CREATE SCHEMA crm;
CREATE TABLE crm.account (id int PRIMARY KEY, owner_id int);
CREATE TABLE zeta (id int PRIMARY KEY, owner_id int, secret text);
CREATE TABLE alpha (id int PRIMARY KEY, owner_id int, deleted boolean);
"""


def source(tables: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    config = {
        "connection_info": {"use_prepared_statements": True, "database_url": {"from_env": "DB"}}
    }
    return {
        "name": "default",
        "kind": "postgres",
        "tables": tables,
        "configuration": config,
        **extra,
    }


def exported(standin: StandinServer, tables: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    standin.run_sql(SCHEMA)
    assert standin.seed({"version": 3, "sources": [source(tables)], **extra}) == []
    return standin.export()


def keys(value: dict[str, Any]) -> list[str]:
    return list(value)


def test_tables_sorted_by_schema_then_name_and_table_keys_in_order(standin: StandinServer) -> None:
    tables = [
        {"table": "zeta", "select_permissions": [], "insert_permissions": []},
        {"table": {"schema": "crm", "name": "account"}},
        {"table": {"name": "alpha", "schema": "public"}, "is_enum": False, "configuration": {}},
    ]
    out = exported(standin, tables)
    assert keys(out) == ["version", "sources"]
    src = out["sources"][0]
    assert keys(src) == ["name", "kind", "tables", "configuration"]
    assert keys(src["configuration"]["connection_info"]) == [
        "database_url",
        "use_prepared_statements",
    ]
    assert [t["table"] for t in src["tables"]] == [
        {"name": "account", "schema": "crm"},
        {"name": "alpha", "schema": "public"},
        {"name": "zeta", "schema": "public"},
    ]
    assert all(keys(t) == ["table"] for t in src["tables"])  # empty lists, false is_enum omitted


def test_permission_lists_sorted_by_role_and_body_key_order(standin: StandinServer) -> None:
    filter_ = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
    table = {
        "table": "zeta",
        "delete_permissions": [
            {"role": "zed", "permission": {"filter": filter_, "backend_only": False}}
        ],
        "update_permissions": [
            {"role": "editor", "permission": {"filter": filter_, "set": {}, "columns": ["secret"]}},
            {
                "role": "admin2",
                "permission": {
                    "check": {},
                    "columns": "*",
                    "filter": {},
                    "set": {"owner_id": "x-hasura-user-id"},
                },
            },
        ],
        "select_permissions": [
            {
                "role": "viewer",
                "permission": {
                    "filter": {},
                    "columns": ["id"],
                    "allow_aggregations": False,
                    "limit": None,
                },
            },
            {
                "role": "auditor",
                "comment": "read all",
                "permission": {
                    "query_root_fields": ["select"],
                    "allow_aggregations": True,
                    "limit": 10,
                    "filter": filter_,
                    "computed_fields": [],
                    "columns": "*",
                },
            },
        ],
        "insert_permissions": [
            {
                "role": "writer",
                "comment": None,
                "permission": {
                    "backend_only": True,
                    "columns": ["secret"],
                    "set": {"owner_id": "X-Hasura-User-Id"},
                    "check": filter_,
                },
            },
        ],
    }
    out = exported(standin, [table])["sources"][0]["tables"][0]
    assert keys(out) == [
        "table",
        "insert_permissions",
        "select_permissions",
        "update_permissions",
        "delete_permissions",
    ]
    assert keys(out["insert_permissions"][0]) == ["role", "permission"]
    assert keys(out["insert_permissions"][0]["permission"]) == [
        "check",
        "set",
        "columns",
        "backend_only",
    ]
    assert [p["role"] for p in out["select_permissions"]] == ["auditor", "viewer"]
    auditor, viewer = out["select_permissions"]
    assert keys(auditor) == ["role", "permission", "comment"]
    assert keys(auditor["permission"]) == [
        "columns",
        "filter",
        "limit",
        "allow_aggregations",
        "query_root_fields",
    ]
    assert viewer["permission"] == {"columns": ["id"], "filter": {}}
    admin2, editor = out["update_permissions"]
    assert keys(admin2["permission"]) == ["columns", "filter", "check", "set"]
    assert editor["permission"] == {"columns": ["secret"], "filter": filter_, "check": None}
    assert out["delete_permissions"][0]["permission"] == {"filter": filter_}


def test_logical_operators_normalised_column_operators_raw(standin: StandinServer) -> None:
    filter_ = {
        "$or": [{"owner_id": {"$eq": "X-Hasura-User-Id"}}, {"deleted": False}],
        "$not": {"$exists": {"_table": "zeta", "_where": {"secret": {"$in": ["a"]}}}},
    }
    table = {
        "table": "alpha",
        "select_permissions": [{"role": "r", "permission": {"columns": "*", "filter": filter_}}],
    }
    tables = exported(standin, [table, {"table": "zeta"}])["sources"][0]["tables"]
    out = tables[0]["select_permissions"][0]["permission"]["filter"]
    assert out == {
        "_not": {
            "_exists": {
                "_table": {"name": "zeta", "schema": "public"},
                "_where": {"secret": {"$in": ["a"]}},
            }
        },
        "_or": [{"owner_id": {"$eq": "X-Hasura-User-Id"}}, {"deleted": False}],
    }
    assert keys(out) == ["_not", "_or"]


def test_and_with_repeated_keys_becomes_explicit(standin: StandinServer) -> None:
    """gBoolExpToJSON: `$and` and `_and` both become `_and`, so the AND is written out."""
    filter_ = {"_and": [{"id": {"_gt": 1}}], "$and": [{"id": {"_lt": 9}}]}
    table = {
        "table": "alpha",
        "select_permissions": [{"role": "r", "permission": {"columns": "*", "filter": filter_}}],
    }
    out = exported(standin, [table])["sources"][0]["tables"][0]["select_permissions"][0][
        "permission"
    ]["filter"]
    assert out == {"_and": [{"_and": [{"id": {"_gt": 1}}]}, {"_and": [{"id": {"_lt": 9}}]}]}


def test_top_level_sections_in_order_and_omitted_when_empty(standin: StandinServer) -> None:
    extra = {
        "inherited_roles": [
            {"role_set": ["b", "a"], "role_name": "z"},
            {"role_name": "m", "role_set": ["x"]},
        ],
        "remote_schemas": [],
        "allowlist": [{"collection": "c"}],
    }
    standin.run_sql(SCHEMA)
    # parents without any permission: both roles are inconsistent, and still exported
    found = standin.seed({"version": 3, "sources": [source([])], **extra})
    assert sorted(i["name"] for i in found) == ["inherited role m", "inherited role z"]
    out = standin.export()
    assert keys(out) == ["version", "sources", "allowlist", "inherited_roles"]
    assert out["inherited_roles"] == [
        {"role_name": "m", "role_set": ["x"]},
        {"role_name": "z", "role_set": ["b", "a"]},
    ]


@pytest.mark.skipif(not (MOPED / "metadata").is_dir(), reason="shared/corpus/moped not present")
def test_moped_table_file_keeps_its_key_order(standin: StandinServer) -> None:
    """A real CLI-exported table node (moped public_moped_proj_notes.yaml) survives a
    replace/export round trip byte for byte as JSON: the CLI writes the server's export order."""
    yaml = pytest.importorskip("yaml")
    path = MOPED / "metadata" / "databases" / "default" / "tables" / "public_moped_proj_notes.yaml"
    node = yaml.safe_load(path.read_text())
    node.pop("object_relationships", None)  # their target tables are not recreated here
    columns = sorted(
        {
            c
            for key in node
            if key.endswith("_permissions")
            for p in node[key]
            for c in _columns(p["permission"])
        }
    )
    standin.run_sql(f"CREATE TABLE moped_proj_notes ({', '.join(_column_sql(c) for c in columns)})")
    standin.seed({"version": 3, "sources": [source([node])]})
    out = standin.export()["sources"][0]["tables"][0]
    assert json.dumps(out) == json.dumps(node)


def _columns(permission: dict[str, Any]) -> list[str]:
    columns = permission.get("columns", [])
    return ([] if columns == "*" else list(columns)) + list(permission.get("set") or {})


def _column_sql(name: str) -> str:
    kind = "integer" if name == "id" or name.endswith("_id") or name.endswith("_type") else "text"
    kind = "boolean" if name.startswith("is_") else kind
    return f'"{name}" {kind}'
