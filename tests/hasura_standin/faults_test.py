"""Fault injection, seen from a client: what it gets, and what the server did meanwhile."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.hasura_standin import StandinServer
from tests.hasura_standin.conftest import Post

PERM = {"columns": "*", "filter": {}}


def create_select(role: str, **top: Any) -> dict[str, Any]:
    return {
        "type": "pg_create_select_permission",
        "args": {"table": "author", "role": role, "permission": PERM},
    } | top


def select_roles(standin: StandinServer) -> list[str]:
    author = standin.export()["sources"][0]["tables"][1]
    return [p["role"] for p in author.get("select_permissions", [])]


def wait_for(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def test_next_request_answers_500_then_recovers(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    schema_standin.faults.fail_next()
    failed = metadata_api(create_select("user"))
    assert failed.status_code == 500
    assert failed.json()["code"] == "unexpected"
    assert select_roles(schema_standin) == []
    assert metadata_api(create_select("user")).status_code == 200


def test_faults_can_target_a_request_type_and_repeat(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    schema_standin.faults.fail_next("bulk", times=2, status=503, body={"error": "busy"})
    assert metadata_api({"type": "export_metadata", "args": {}}).status_code == 200
    bulk = {"type": "bulk", "args": [create_select("user")]}
    assert [metadata_api(bulk).status_code for _ in range(3)] == [503, 503, 200]


def test_hang_past_the_client_timeout_then_apply(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    schema_standin.faults.hang_next(0.6, "pg_create_select_permission")
    with pytest.raises(requests.Timeout):
        metadata_api(create_select("user"), timeout=0.2)
    wait_for(lambda: schema_standin.resource_version == 2)
    assert select_roles(schema_standin) == ["user"]


def test_hang_then_drop_applies_nothing(metadata_api: Post, schema_standin: StandinServer) -> None:
    schema_standin.faults.hang_next(0.3, then="drop")
    with pytest.raises(requests.ConnectionError):
        metadata_api(create_select("user"), timeout=5)
    assert schema_standin.resource_version == 1
    assert select_roles(schema_standin) == []


def test_drop_before_applying(metadata_api: Post, schema_standin: StandinServer) -> None:
    schema_standin.faults.drop_next(when="before")
    with pytest.raises(requests.ConnectionError):
        metadata_api(create_select("user"))
    assert schema_standin.resource_version == 1
    assert select_roles(schema_standin) == []
    assert schema_standin.requests[-1].outcome == "dropped_before"


def test_drop_after_applying(metadata_api: Post, schema_standin: StandinServer) -> None:
    schema_standin.faults.drop_next("pg_create_select_permission", when="after")
    with pytest.raises(requests.ConnectionError):
        metadata_api(create_select("user", resource_version=1))
    assert schema_standin.resource_version == 2
    assert select_roles(schema_standin) == ["user"]
    retry = metadata_api(create_select("user", resource_version=1))
    assert retry.json()["code"] == "already-exists"  # the command's error comes before the 409


def test_concurrent_edit_right_after_export(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """A console user changes metadata between the client's export and its write."""
    schema_standin.faults.edit_after_next_export(create_select("console-user"))
    exported = metadata_api({"type": "export_metadata", "version": 2, "args": {}}).json()
    assert exported["resource_version"] == 1
    assert "select_permissions" not in exported["metadata"]["sources"][0]["tables"][1]
    assert schema_standin.resource_version == 2
    assert schema_standin.edit_results == [(200, {"message": "success"})]
    write = metadata_api(create_select("user", resource_version=exported["resource_version"]))
    assert write.status_code == 409
    assert select_roles(schema_standin) == ["console-user"]


def test_concurrent_edit_without_a_request_only_bumps(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    schema_standin.faults.edit_after_next_export()
    metadata_api({"type": "export_metadata", "args": {}})
    assert schema_standin.resource_version == 2


def test_request_log_records_what_the_client_sent(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    metadata_api(create_select("user", resource_version=1))
    record = schema_standin.requests[-1]
    assert (record.path, record.type, record.status, record.outcome) == (
        "/v1/metadata",
        "pg_create_select_permission",
        200,
        "answered",
    )
    assert record.body["resource_version"] == 1


def test_a_proxy_answer_after_the_server_applied(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    version = schema_standin.resource_version
    schema_standin.faults.proxy_answer_next(
        "pg_create_select_permission", status=524, body=b"<html>A timeout occurred</html>"
    )
    answer = metadata_api(create_select("user"))
    assert (answer.status_code, answer.text) == (524, "<html>A timeout occurred</html>")
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert select_roles(schema_standin) == ["user"], "the server applied it"
    assert schema_standin.resource_version == version + 1


def test_a_proxy_answer_before_the_request_reaches_the_server(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    schema_standin.faults.proxy_answer_next(
        status=307, headers={"Location": "http://elsewhere.invalid/v1/metadata"}, when="before"
    )
    answer = requests.post(
        schema_standin.url + "/v1/metadata",
        json=create_select("user"),
        headers=schema_standin.headers,
        timeout=5,
        allow_redirects=False,
    )
    assert answer.status_code == 307
    assert answer.headers["Location"] == "http://elsewhere.invalid/v1/metadata"
    assert select_roles(schema_standin) == []


def test_maintenance_mode_refuses_writes_with_500_after_running_them(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """runMetadataQuery: the command runs (its own errors come first), then a write is refused
    before the metadata is stored, so before the resource_version check."""
    version = schema_standin.resource_version
    schema_standin.maintenance_mode = True
    schema_standin.read_only_mode = True  # maintenance mode wins
    refused = metadata_api(create_select("user", resource_version=version - 1))
    assert (refused.status_code, refused.json()) == (
        500,
        {
            "path": "$",
            "error": "metadata cannot be modified in maintenance mode",
            "code": "unexpected",
        },
    )
    missing_table = create_select("user")
    missing_table["args"] = {**missing_table["args"], "table": "nope"}
    bad = metadata_api(missing_table)
    assert (bad.status_code, bad.json()["code"]) == (400, "not-exists")
    assert metadata_api({"type": "export_metadata", "args": {}}).status_code == 200
    assert select_roles(schema_standin) == []
    assert schema_standin.resource_version == version


def test_read_only_mode_refuses_writes_with_400(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    schema_standin.read_only_mode = True
    refused = metadata_api(create_select("user"))
    assert (refused.status_code, refused.json()) == (
        400,
        {
            "path": "$",
            "error": "metadata cannot be modified in read-only mode",
            "code": "not-supported",
        },
    )
    assert select_roles(schema_standin) == []
