"""The metadata API client over real HTTP: configuration, retries for reads only, error lines."""

from __future__ import annotations

import gc
import json
import threading
import time
from typing import Any

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.remote.client import Client
from hasura_perm.remote.client import HasuraApiError
from hasura_perm.remote.client import WriteOutcomeUnknown
from hasura_perm.remote.client import check_endpoint
from hasura_perm.spec.project import Environment
from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import SECRET

CREATE = {
    "type": "pg_create_select_permission",
    "args": {"table": "departments", "role": "guest", "permission": {"columns": "*", "filter": {}}},
}


def client_for(server: StandinServer, **options: object) -> Client:
    return Client(server.url, SECRET, **({"timeout": 1.0, "backoff": 0.01} | options))  # type: ignore[arg-type]


def env(endpoint: str = "https://hasura.example.org", **settings: object) -> Environment:
    return Environment("staging", endpoint, "STAGING_SECRET", settings=dict(settings))


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://hasura.example.org",
        "http://localhost:8080",
        "http://127.0.0.1:1",
        "http://[::1]:8080",
    ],
)
def test_https_and_loopback_endpoints_are_accepted(endpoint: str) -> None:
    assert check_endpoint(endpoint, insecure=False) == endpoint


def test_plain_http_elsewhere_needs_insecure() -> None:
    with pytest.raises(HasuraPermError, match="refusing to send the admin secret over plain http"):
        check_endpoint("http://hasura.internal:8080", insecure=False)
    assert check_endpoint("http://hasura.internal:8080", insecure=True)
    with pytest.raises(HasuraPermError, match="not an http:// or https:// URL"):
        check_endpoint("ftp://hasura", insecure=True)


def test_environment_variables_override_the_configuration_like_the_hasura_cli() -> None:
    client = Client.for_environment(
        env(),
        environ={
            "HASURA_GRAPHQL_ENDPOINT": "https://other.example.org/",
            "HASURA_GRAPHQL_ADMIN_SECRET": "from-cli-variable",
        },
    )
    assert client.endpoint == "https://other.example.org"
    assert client.secret_source == "$HASURA_GRAPHQL_ADMIN_SECRET"
    plain = Client.for_environment(env(retries=5), environ={"STAGING_SECRET": "s"})
    assert (plain.endpoint, plain.secret_source, plain.retries) == (
        "https://hasura.example.org",
        "$STAGING_SECRET",
        5,
    )


def test_a_missing_secret_names_the_variable() -> None:
    with pytest.raises(HasuraPermError) as caught:
        Client.for_environment(env(), environ={})
    assert str(caught.value).startswith("environment variable STAGING_SECRET is not set")


def test_insecure_environment_setting_allows_plain_http() -> None:
    insecure_env = Environment("lan", "http://hasura.lan", "S", insecure=True)
    assert Client.for_environment(insecure_env, environ={"S": "x"}).endpoint == "http://hasura.lan"


def test_the_secret_never_shows_in_repr_or_dry_run_output() -> None:
    client = Client("https://hasura.example.org", SECRET)
    assert SECRET not in repr(client)
    shown = client.describe_request({"type": "bulk", "args": []})
    assert SECRET not in shown
    assert "x-hasura-admin-secret: <redacted>" in shown


def test_export_metadata_v2(server: StandinServer) -> None:
    export = client_for(server).export_metadata()
    assert export.resource_version == server.resource_version
    assert [t["table"]["name"] for t in export.metadata["sources"][0]["tables"]][:2] == [
        "component_types",
        "departments",
    ]


def test_reads_are_retried_after_500_and_hangs(server: StandinServer) -> None:
    server.faults.fail_next("export_metadata")
    server.faults.hang_next(1.5, "export_metadata")
    client = client_for(server, timeout=0.5, retries=2)
    assert client.export_metadata().resource_version == server.resource_version
    assert client.requests_sent == 3


def test_reads_give_up_with_one_line_after_the_retries(server: StandinServer) -> None:
    server.faults.fail_next("export_metadata", times=3)
    client = client_for(server, retries=2)
    with pytest.raises(HasuraPermError) as caught:
        client.export_metadata()
    assert str(caught.value) == (
        f"{server.url} answered HTTP 500: stand-in: injected internal error (tried 3 times)"
    )


def test_a_write_is_never_retried(server: StandinServer) -> None:
    server.faults.fail_next("pg_create_select_permission")
    client = client_for(server, retries=5)
    with pytest.raises(WriteOutcomeUnknown, match="answered HTTP 500"):
        client.write(CREATE)
    assert client.requests_sent == 1
    assert [r.type for r in server.requests] == ["pg_create_select_permission"]


def test_a_write_that_times_out_is_unknown_not_failed(server: StandinServer) -> None:
    server.faults.hang_next(1.0, "pg_create_select_permission")
    started = time.monotonic()
    with pytest.raises(WriteOutcomeUnknown, match="did not answer within 0.3s"):
        client_for(server, timeout=0.3).write(CREATE)
    assert time.monotonic() - started < 1.0


def test_a_dropped_connection_is_unknown(server: StandinServer) -> None:
    server.faults.drop_next("pg_create_select_permission", when="after")
    with pytest.raises(WriteOutcomeUnknown, match="closed the connection without answering"):
        client_for(server).write(CREATE)


def test_hasura_errors_become_one_line(server: StandinServer) -> None:
    bad = {"type": "pg_create_select_permission", "args": {**CREATE["args"], "table": "nope"}}
    with pytest.raises(HasuraApiError) as caught:
        client_for(server).write(bad)
    error = caught.value
    assert (error.status, error.code) == (400, "not-exists")
    assert str(error) == (
        f'{server.url} refused the request (HTTP 400 not-exists): table "nope" does not exist '
        "in source: default"
    )


def test_a_wrong_secret_is_refused_and_the_message_says_where_it_came_from(
    server: StandinServer,
) -> None:
    wrong = Client(server.url, "not-the-secret", secret_source="$STAGING_SECRET")
    with pytest.raises(HasuraApiError) as caught:
        wrong.export_metadata()
    assert caught.value.status == 401
    assert str(caught.value) == (
        f"{server.url} refused the request (HTTP 401 access-denied): invalid "
        "x-hasura-admin-secret/x-hasura-access-key; check the admin secret in $STAGING_SECRET"
    )
    assert "not-the-secret" not in str(caught.value)


def test_a_server_that_is_not_hasura(server: StandinServer) -> None:
    client = Client(server.url + "/not-here", SECRET, backoff=0.01)
    with pytest.raises(HasuraPermError, match="did not answer like a Hasura metadata API"):
        client.export_metadata()


def test_run_sql_returns_rows_with_a_header(server: StandinServer) -> None:
    rows = client_for(server).run_sql("SELECT name FROM departments ORDER BY 1")
    assert rows == [["name"]]


def test_retry_settings_must_be_numbers() -> None:
    with pytest.raises(HasuraPermError, match="`retries` of environment 'staging'"):
        Client.for_environment(env(retries="many"), environ={"STAGING_SECRET": "s"})


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_an_answer_leaves_the_collector_as_it_was(
    server: StandinServer, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    seen: list[bool] = []
    real_loads = json.loads
    client_thread = threading.current_thread()  # the stand-in decodes in threads of its own

    def loads(text: str | bytes, **options: Any) -> Any:
        if threading.current_thread() is client_thread:
            seen.append(gc.isenabled())
        return real_loads(text, **options)

    monkeypatch.setattr(json, "loads", loads)
    (gc.enable if enabled else gc.disable)()
    try:
        export = client_for(server).export_metadata()
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert export.resource_version >= 1
    assert seen and not any(seen)  # decoded with the collector paused
