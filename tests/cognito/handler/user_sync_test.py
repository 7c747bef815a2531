"""The user sync handler and the stand-in's `/v1/graphql` upserts, over real HTTP and Postgres."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from hasura_perm.cognito.handler import user_sync
from hasura_perm.cognito.handler.user_sync import SyncError
from tests.hasura_standin import StandinServer

SCHEMA = (Path(__file__).resolve().parents[3] / "db" / "schema.sql").read_text()
SUB = "0b0a57c5-f013-426a-81a1-f8ffbfba21f0"


@pytest.fixture
def hasura(pg_url: str) -> Iterator[StandinServer]:
    """The stand-in over the worked example's schema, with `users` tracked."""
    server = StandinServer(pg_url).start()
    try:
        server.run_sql(SCHEMA)
        server.track_tables("departments", "users")
        yield server
    finally:
        server.stop()


def confirm_event(trigger: str = "PostConfirmation_ConfirmSignUp", **attributes: str) -> dict:
    return {
        "version": "1",
        "triggerSource": trigger,
        "region": "us-east-1",
        "userPoolId": "us-east-1_example",
        "userName": "jane",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "abc"},
        "request": {
            "userAttributes": {
                "sub": SUB,
                "cognito:user_status": "CONFIRMED",
                "email_verified": "true",
                "email": "jane@example.org",
                "name": "Jane",
                **attributes,
            }
        },
        "response": {},
    }


def env_for(server: StandinServer) -> dict[str, str]:
    return {
        "HASURA_GRAPHQL_URL": server.url + "/v1/graphql",
        "HASURA_ADMIN_SECRET": server.admin_secret,
    }


def users(pg_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute(
            "SELECT cognito_sub::text, email, display_name FROM users ORDER BY id"
        ).fetchall()


def test_post_confirmation_upserts_once_and_repeats_change_nothing(
    hasura: StandinServer, pg_url: str, example_mapping: dict, capsys
) -> None:
    env = env_for(hasura)
    event = confirm_event()
    assert user_sync.handle(copy.deepcopy(event), example_mapping, env) == event
    user_sync.handle(copy.deepcopy(event), example_mapping, env)  # Cognito's retry
    assert users(pg_url) == [(SUB, "jane@example.org", "Jane")]
    logs = capsys.readouterr().out
    assert '"message": "user created"' in logs and '"message": "user unchanged"' in logs
    user_sync.handle(
        confirm_event("PostAuthentication_Authentication", name="Jane D."), example_mapping, env
    )
    assert users(pg_url) == [(SUB, "jane@example.org", "Jane D.")]
    assert '"message": "user updated"' in capsys.readouterr().out


def test_upsert_outcomes(hasura: StandinServer, pg_url: str, example_mapping: dict) -> None:
    sync = example_mapping["user_sync"]
    url, secret = hasura.url + "/v1/graphql", hasura.admin_secret
    row = user_sync.build_row({"sub": SUB, "email": "a@example.org"}, "jane", sync)
    assert row == {"cognito_sub": SUB, "email": "a@example.org", "display_name": ""}
    assert user_sync.upsert(url, secret, sync, row) == "created"
    assert user_sync.upsert(url, secret, sync, row) == "unchanged"
    assert user_sync.upsert(url, secret, sync, {**row, "display_name": "A"}) == "updated"
    assert users(pg_url) == [(SUB, "a@example.org", "A")]


def test_graphql_errors_and_http_failures_are_reported(
    hasura: StandinServer, example_mapping: dict
) -> None:
    sync = example_mapping["user_sync"]
    url, secret = hasura.url + "/v1/graphql", hasura.admin_secret
    row = {"cognito_sub": SUB, "email": "a@example.org", "display_name": "A"}
    with pytest.raises(SyncError, match='GraphQL error: unexpected value "users_sub_key"'):
        user_sync.upsert(url, secret, {**sync, "constraint": "users_sub_key"}, row)
    with pytest.raises(SyncError, match="GraphQL error: Not-NULL violation"):
        user_sync.upsert(url, secret, sync, {**row, "email": None})
    with pytest.raises(SyncError, match="HTTP 401 .*invalid x-hasura-admin-secret"):
        user_sync.upsert(url, "wrong", sync, row)
    with pytest.raises(SyncError, match="cannot reach Hasura"):
        user_sync.upsert("http://127.0.0.1:9/v1/graphql", secret, sync, row, timeout=0.5)


def test_a_slow_hasura_times_out_after_three_seconds(example_mapping: dict) -> None:
    import socket

    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1/graphql"
        row = {"cognito_sub": SUB, "email": "a@example.org", "display_name": "A"}
        started = time.monotonic()
        with pytest.raises(SyncError, match="cannot reach Hasura.*timed out"):
            user_sync.upsert(url, "s", example_mapping["user_sync"], row, timeout=0.3)
        assert time.monotonic() - started < 2
    assert user_sync.TIMEOUT_SECONDS == 3.0


def test_failures_are_logged_or_raised_as_configured(example_mapping: dict, capsys) -> None:
    env = {"HASURA_GRAPHQL_URL": "http://127.0.0.1:9/v1/graphql", "HASURA_ADMIN_SECRET": "s"}
    event = confirm_event()
    assert user_sync.handle(copy.deepcopy(event), example_mapping, env) == event
    assert '"level": "error"' in capsys.readouterr().out
    with pytest.raises(SyncError, match="user sync failed: cannot reach Hasura"):
        user_sync.handle(event, example_mapping, {**env, "HASURA_PERM_SYNC_ON_ERROR": "raise"})


def test_disabled_triggers_and_other_events_do_nothing(example_mapping: dict) -> None:
    mapping = copy.deepcopy(example_mapping)
    mapping["user_sync"]["triggers"] = ["post_confirmation"]
    event = confirm_event("PostAuthentication_Authentication")
    assert user_sync.handle(event, mapping, {}) == event  # no URL needed: nothing sent
    assert user_sync.handler({"warmup": True}) == {"warmed": True}


def test_standin_graphql_runs_fields_in_one_transaction(hasura: StandinServer, pg_url: str) -> None:
    query = """
    mutation Two($a: users_insert_input!) {
      first: insert_users_one(object: $a) { id cognito_sub }
      second: insert_users_one(object: $a) { id }
    }"""
    row = {"cognito_sub": SUB, "email": "x@example.org", "display_name": "X"}
    answer = requests.post(
        hasura.url + "/v1/graphql",
        json={"query": query, "variables": {"a": row}},
        headers=hasura.headers,
        timeout=10,
    ).json()
    assert answer["errors"][0]["extensions"]["code"] == "constraint-violation"
    assert users(pg_url) == []  # the first insert was rolled back too
    literal = (
        'mutation { insert_users_one(object: {cognito_sub: "SUB", email: "y@example.org", '
        'display_name: "Y"}, on_conflict: {constraint: users_cognito_sub_key, '
        "update_columns: [email]}) { cognito_sub email } }"
    ).replace("SUB", SUB)
    answer = requests.post(
        hasura.url + "/v1/graphql", json={"query": literal}, headers=hasura.headers, timeout=10
    ).json()
    assert answer == {"data": {"insert_users_one": {"cognito_sub": SUB, "email": "y@example.org"}}}
    unknown = requests.post(
        hasura.url + "/v1/graphql",
        json={"query": "mutation { insert_projects_one(object: {}) { id } }"},
        headers=hasura.headers,
        timeout=10,
    ).json()
    assert (
        unknown["errors"][0]["message"]
        == "field 'insert_projects_one' not found in type: 'mutation_root'"
    )
