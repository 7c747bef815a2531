"""resource_version: starts at 1, one bump per modifying request, 409 on a stale reference
(Hasura/Server/API/Metadata.hs: runMetadataQuery, queryModifiesMetadata)."""

from __future__ import annotations

from typing import Any

import requests

from tests.hasura_standin import StandinServer
from tests.hasura_standin.conftest import Post

PERM = {"columns": "*", "filter": {}}


def create_select(role: str, **top: Any) -> dict[str, Any]:
    return {
        "type": "pg_create_select_permission",
        "args": {"table": "author", "role": role, "permission": PERM},
    } | top


def exported_version(metadata_api: Post) -> int:
    return metadata_api({"type": "export_metadata", "version": 2, "args": {}}).json()[
        "resource_version"
    ]


def test_a_fresh_server_starts_at_1(standin: StandinServer) -> None:
    body = {"type": "export_metadata", "version": 2, "args": {}}
    response = requests.post(
        standin.url + "/v1/metadata", json=body, headers=standin.headers, timeout=5
    )
    assert response.json()["resource_version"] == 1


def test_modifying_requests_bump_and_reads_do_not(metadata_api: Post) -> None:
    assert exported_version(metadata_api) == 1
    metadata_api({"type": "get_inconsistent_metadata", "args": {}})
    assert exported_version(metadata_api) == 1
    assert metadata_api(create_select("user")).status_code == 200
    assert exported_version(metadata_api) == 2
    metadata_api({"type": "reload_metadata", "args": {}})
    assert exported_version(metadata_api) == 3


def test_failed_requests_do_not_bump(metadata_api: Post) -> None:
    metadata_api(create_select("admin"))
    assert exported_version(metadata_api) == 1


def test_matching_resource_version_is_accepted(metadata_api: Post) -> None:
    response = metadata_api(create_select("user", resource_version=1))
    assert response.status_code == 200
    assert exported_version(metadata_api) == 2


def test_stale_resource_version_is_409_and_changes_nothing(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """The body of manage-metadata.mdx's example; status 409, path `$`."""
    metadata_api(create_select("user"))
    before = schema_standin.export()
    response = metadata_api(create_select("editor", resource_version=1))
    assert response.status_code == 409
    assert response.json() == {
        "path": "$",
        "error": "metadata resource version referenced (1) did not match current version",
        "code": "conflict",
    }
    assert schema_standin.export() == before
    assert exported_version(metadata_api) == 2


def test_stale_version_on_a_failing_command_reports_the_command_error(metadata_api: Post) -> None:
    """The version is checked at setMetadata, after the command ran."""
    metadata_api(create_select("user"))
    response = metadata_api(create_select("user", resource_version=1))
    assert response.status_code == 400
    assert response.json()["code"] == "already-exists"


def test_reads_ignore_a_stale_resource_version(metadata_api: Post) -> None:
    response = metadata_api(
        {"type": "export_metadata", "version": 2, "args": {}, "resource_version": 99}
    )
    assert response.status_code == 200


def test_one_bump_for_a_whole_bulk(metadata_api: Post) -> None:
    body = {
        "type": "bulk",
        "resource_version": 1,
        "args": [create_select("a"), create_select("b"), create_select("c")],
    }
    assert metadata_api(body).status_code == 200
    assert exported_version(metadata_api) == 2
    reads = {"type": "bulk", "args": [{"type": "export_metadata", "args": {}}]}
    metadata_api(reads)
    assert exported_version(metadata_api) == 2


def test_run_sql_bumps_only_when_the_server_would_rebuild(
    standin: StandinServer, query_api: Post
) -> None:
    """isSchemaCacheBuildRequiredRunSQL: read_only never; else check_metadata_consistency, else the
    DDL keyword heuristic (alter, drop, replace, create function, comment on)."""

    def run(sql: str, **args: Any) -> None:
        assert query_api({"type": "run_sql", "args": {"sql": sql, **args}}).status_code == 200

    run("CREATE TABLE t (id int)")
    assert standin.resource_version == 1
    run("ALTER TABLE t ADD COLUMN name text")
    assert standin.resource_version == 2
    run("SELECT 1", check_metadata_consistency=True)
    assert standin.resource_version == 3
    run("SELECT 'drop' AS word", read_only=True)
    assert standin.resource_version == 3
