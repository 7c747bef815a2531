"""bulk (all-or-nothing for metadata) and bulk_keep_going (per-command rollback)."""

from __future__ import annotations

from typing import Any

from tests.hasura_standin import StandinServer
from tests.hasura_standin.conftest import Post


def create_select(role: str, filter_: dict[str, Any] | None = None) -> dict[str, Any]:
    permission = {"columns": "*", "filter": filter_ or {}}
    return {
        "type": "pg_create_select_permission",
        "args": {"table": "article", "role": role, "permission": permission},
    }


def roles(standin: StandinServer) -> list[str]:
    article = standin.export()["sources"][0]["tables"][0]
    return [p["role"] for p in article.get("select_permissions", [])]


def test_bulk_answers_one_result_per_command(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    body = {"type": "bulk", "args": [create_select("viewer"), create_select("editor")]}
    response = metadata_api(body)
    assert (response.status_code, response.json()) == (
        200,
        [{"message": "success"}, {"message": "success"}],
    )
    assert roles(schema_standin) == ["editor", "viewer"]


def test_bulk_failure_in_second_command_changes_nothing(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """Metadata.hs: RMBulk is indexedMapM over runMetadataQueryM (withPathK "args"), and metadata is
    stored only after the whole request succeeded."""
    before = schema_standin.export()
    body = {
        "type": "bulk",
        "args": [
            create_select("viewer"),
            create_select("editor", {"nope": {"_eq": 1}}),
            create_select("third"),
        ],
    }
    response = metadata_api(body)
    assert response.status_code == 400
    error = response.json()
    assert (error["path"], error["code"]) == ("$.args[1].args", "invalid-configuration")
    assert error["error"].endswith('in permission for role "editor": "nope" does not exist')
    assert schema_standin.export() == before
    assert schema_standin.resource_version == 1


def test_bulk_sees_its_own_earlier_commands(metadata_api: Post) -> None:
    body = {"type": "bulk", "args": [create_select("viewer"), create_select("viewer")]}
    response = metadata_api(body)
    assert response.json()["path"] == "$.args[1].args"
    assert response.json()["code"] == "already-exists"


def test_parse_failure_anywhere_in_a_bulk_runs_nothing(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """As issue #10457: parse-failed, the path runs from the bulk item into `_exists._table`."""
    bad = create_select("editor", {"_exists": {"_table": {"name": {"x": 1}}, "_where": {}}})
    response = metadata_api({"type": "bulk", "args": [create_select("viewer"), bad]})
    assert response.status_code == 400
    assert response.json()["path"] == "$.args[1].args.permission.filter._exists._table.name"
    assert response.json()["code"] == "parse-failed"
    assert roles(schema_standin) == []


def test_bulk_keep_going_keeps_the_successes(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """api-tests Test/API/Metadata/BulkKeepGoingSpec.hs: a failing `pg_track_table` gives an
    invalid-configuration item and the others still apply."""
    schema_standin.run_sql("CREATE TABLE test_table (id int)")
    body = {
        "type": "bulk_keep_going",
        "args": [
            {
                "type": "pg_track_table",
                "args": {"source": "default", "table": {"name": "unknown_table"}},
            },
            {
                "type": "pg_track_table",
                "args": {"source": "default", "table": {"name": "test_table"}},
            },
        ],
    }
    response = metadata_api(body)
    assert response.status_code == 200
    failed, succeeded = response.json()
    assert failed["code"] == "invalid-configuration"
    assert failed["path"] == "$.args[0].args"
    assert succeeded == {"message": "success"}
    tracked = [t["table"]["name"] for t in schema_standin.export()["sources"][0]["tables"]]
    assert "test_table" in tracked and "unknown_table" not in tracked
    assert schema_standin.resource_version == 2
