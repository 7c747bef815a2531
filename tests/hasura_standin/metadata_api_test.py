"""Metadata management commands: export, replace, reload, inconsistencies, track, parse errors."""

from __future__ import annotations

from typing import Any

from tests.hasura_standin import StandinServer
from tests.hasura_standin.conftest import Post


def legacy_tables() -> list[dict[str, Any]]:
    """The table part of tests-py/queries/v1/metadata/replace_metadata.yaml (computed fields and
    remote schemas left out: the stand-in has no functions or remote servers)."""
    return [
        {
            "table": "author",
            "object_relationships": [],
            "array_relationships": [
                {
                    "using": {
                        "foreign_key_constraint_on": {"column": "author_id", "table": "article"}
                    },
                    "name": "articles",
                    "comment": "List all articles of the author",
                }
            ],
            "insert_permissions": [],
            "select_permissions": [],
            "update_permissions": [],
            "delete_permissions": [],
            "event_triggers": [],
        },
        {
            "table": "article",
            "object_relationships": [
                {
                    "using": {"foreign_key_constraint_on": "author_id"},
                    "name": "author",
                    "comment": None,
                }
            ],
            "array_relationships": [],
            "insert_permissions": [],
            "select_permissions": [],
            "update_permissions": [],
            "delete_permissions": [],
            "event_triggers": [],
        },
    ]


def test_export_v1_is_the_metadata_and_v2_adds_resource_version(metadata_api: Post) -> None:
    v1 = metadata_api({"type": "export_metadata", "args": {}}).json()
    v2 = metadata_api({"type": "export_metadata", "version": 2, "args": {}}).json()
    assert list(v1) == ["version", "sources"]
    assert v2 == {"resource_version": 1, "metadata": v1}


def test_replace_metadata_v1_legacy_format(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """tests-py/queries/v1/metadata/replace_metadata.yaml: v1 args, no `version`, tables go to the
    default source; the answer is `{"message": "success"}`."""
    response = metadata_api({"type": "replace_metadata", "args": {"tables": legacy_tables()}})
    assert (response.status_code, response.json()) == (200, {"message": "success"})
    tables = schema_standin.export()["sources"][0]["tables"]
    assert [t["table"]["name"] for t in tables] == ["article", "author"]
    assert tables[1]["array_relationships"][0]["comment"] == "List all articles of the author"
    assert "comment" not in tables[0]["object_relationships"][0]


def test_replace_metadata_v2_allow_inconsistent_consistent(metadata_api: Post) -> None:
    """tests-py/queries/v1/metadata/replace_metadata_allow_inconsistent.yaml."""
    body = {
        "type": "replace_metadata",
        "version": 2,
        "args": {"allow_inconsistent_metadata": True, "metadata": {"tables": legacy_tables()}},
    }
    response = metadata_api(body)
    assert (response.status_code, response.json()) == (
        200,
        {"is_consistent": True, "inconsistent_objects": []},
    )


def test_replace_metadata_v2_allow_inconsistent_inconsistent(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """tests-py/queries/v1/metadata/replace_metadata_allow_inconsistent_inconsistent.yaml: table
    `foobar` does not exist and `article.author` points at an untracked table; newer servers prefix
    reasons with `Inconsistent object: `."""
    tables = legacy_tables()
    tables[0]["table"] = "foobar"
    body = {
        "type": "replace_metadata",
        "version": 2,
        "args": {"allow_inconsistent_metadata": True, "metadata": {"tables": tables}},
    }
    response = metadata_api(body)
    assert response.status_code == 200
    result = response.json()
    assert result["is_consistent"] is False
    objects = {o["type"]: o for o in result["inconsistent_objects"]}
    assert objects["table"]["definition"] == {"name": "foobar", "schema": "public"}
    assert (
        objects["table"]["reason"]
        == 'Inconsistent object: no such table/view exists in source: "foobar"'
    )
    relation = objects["object_relation"]
    assert relation["reason"] == 'Inconsistent object: table "author" is not tracked'
    assert relation["definition"]["using"] == {"foreign_key_constraint_on": "author_id"}
    assert relation["definition"]["table"] == {"name": "article", "schema": "public"}
    listed = metadata_api({"type": "get_inconsistent_metadata", "args": {}}).json()
    assert listed == {
        "is_consistent": False,
        "inconsistent_objects": result["inconsistent_objects"],
    }


def test_replace_metadata_refused_when_inconsistent_not_allowed(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    before = schema_standin.export()
    tables = legacy_tables()
    tables[0]["table"] = "foobar"
    for args in ({"metadata": {"tables": tables}}, {"tables": tables}):  # v2 default false, and v1
        response = metadata_api({"type": "replace_metadata", "args": args})
        assert response.status_code == 400
        body = response.json()
        assert (body["path"], body["code"]) == ("$.args", "unexpected")
        assert body["error"] == "cannot continue due to inconsistent metadata"
        assert {o["type"] for o in body["internal"]} == {"table", "object_relation"}
    assert schema_standin.export() == before
    assert schema_standin.resource_version == 1


def test_reload_metadata(metadata_api: Post) -> None:
    """tests-py/queries/v1/metadata/reload_metadata.yaml."""
    response = metadata_api({"type": "reload_metadata", "args": {}})
    assert (response.status_code, response.json()) == (
        200,
        {"message": "success", "is_consistent": True},
    )


def test_reload_reports_objects_broken_by_sql(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    perm = {"columns": ["id", "remarks"], "filter": {}}
    args = {"table": "author", "role": "user", "permission": perm}
    assert metadata_api({"type": "pg_create_select_permission", "args": args}).status_code == 200
    schema_standin.run_sql("ALTER TABLE author DROP COLUMN remarks")
    result = metadata_api({"type": "reload_metadata", "args": {}}).json()
    assert result["is_consistent"] is False
    assert (
        result["inconsistent_objects"][0]["name"]
        == "select_permission user in table author in source default"
    )


def test_track_table(metadata_api: Post, schema_standin: StandinServer) -> None:
    """api-tests BulkKeepGoingSpec tracks with `pg_track_table` and `{table: {name}}`."""
    schema_standin.run_sql("CREATE SCHEMA crm; CREATE TABLE crm.lead (id int PRIMARY KEY)")
    args = {"source": "default", "table": {"schema": "crm", "name": "lead"}}
    response = metadata_api({"type": "pg_track_table", "args": args})
    assert (response.status_code, response.json()) == (200, {"message": "success"})
    again = metadata_api({"type": "pg_track_table", "args": args})
    assert again.json() == {
        "path": "$.args",
        "error": 'view/table already tracked: "crm.lead"',
        "code": "already-tracked",
    }
    missing = metadata_api({"type": "pg_track_table", "args": {"table": {"name": "unknown_table"}}})
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid-configuration"
    assert (
        missing.json()["error"]
        == 'Inconsistent object: no such table/view exists in source: "unknown_table"'
    )


def test_table_level_unknown_keys_and_duplicate_roles_are_parse_failures(
    metadata_api: Post,
) -> None:
    tables = legacy_tables()
    tables[0]["permissions"] = []
    response = metadata_api({"type": "replace_metadata", "args": {"metadata": {"tables": tables}}})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["path"]) == (
        "parse-failed",
        "$.args.metadata.tables[0]",
    )
    assert response.json()["error"].endswith(
        'unexpected keys when parsing TableMetadata: ["permissions"]'
    )
    tables = legacy_tables()
    perm = {"role": "user", "permission": {"columns": "*", "filter": {}}}
    tables[0]["select_permissions"] = [perm, perm]
    response = metadata_api({"type": "replace_metadata", "args": {"metadata": {"tables": tables}}})
    assert response.json()["path"] == "$.args.metadata.tables[0].select_permissions"
    assert response.json()["error"].endswith(
        "multiple declarations exist for the following select permissions: user"
    )


def test_unknown_commands(metadata_api: Post) -> None:
    response = metadata_api({"type": "pg_create_view_permission", "args": {}})
    assert response.json() == {
        "path": "$",
        "error": 'unknown metadata command "create_view_permission" for backend postgres',
        "code": "parse-failed",
    }
    old_style = metadata_api({"type": "create_select_permission", "args": {}})
    assert old_style.json()["error"] == (
        'unknown metadata command "create_select_permission"; '
        '"create" was not recognized as a valid backend name'
    )


def test_invalid_json_body(schema_standin: StandinServer) -> None:
    import requests

    response = requests.post(
        schema_standin.url + "/v1/metadata",
        data=b"{not json",
        headers=schema_standin.headers,
        timeout=5,
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["path"]) == ("invalid-json", "$")


def test_seeding_helpers(standin: StandinServer) -> None:
    standin.run_sql("CREATE SCHEMA crm; CREATE TABLE crm.lead (id int); CREATE TABLE note (id int)")
    standin.track_tables("note", "crm.lead")
    assert standin.resource_version == 3
    tables = [t["table"] for t in standin.export()["sources"][0]["tables"]]
    assert tables == [{"name": "lead", "schema": "crm"}, {"name": "note", "schema": "public"}]
    status, result = standin.execute({"type": "export_metadata", "version": 2, "args": {}})
    assert (status, result["resource_version"]) == (200, 3)
    standin.set_resource_version(40)
    assert standin.inconsistent_objects() == []
    assert standin.resource_version == 40


def test_version_2_takes_only_replace_and_export(metadata_api: Post) -> None:
    """FromJSON RQLMetadataV2 is aeson's generic TaggedObject parser (Server/API/Metadata/
    Instances.hs): an unknown tag fails at `$.type`."""
    response = metadata_api({"type": "bulk", "version": 2, "args": []})
    assert response.status_code == 400
    assert response.json() == {
        "path": "$.type",
        "error": "parsing Hasura.Server.API.Metadata.Types.RQLMetadataV2 failed, expected tag "
        'field to be one of ["replace_metadata","export_metadata"], but found tag "bulk"',
        "code": "parse-failed",
    }


def test_permission_command_on_a_missing_source_names_the_table(metadata_api: Post) -> None:
    """runCreatePerm/runDropPerm look the table up in the metadata (askTableMetadata,
    RQL/Types/SchemaCache.hs), so a missing source reads as a missing table."""
    args = {"source": "nowhere", "table": "author", "role": "user"}
    response = metadata_api({"type": "pg_drop_select_permission", "args": args})
    assert (response.status_code, response.json()["code"]) == (400, "not-exists")
    assert response.json()["error"] == 'table "author" does not exist in source: nowhere'
