"""Configuration and connection errors: one clear line on stderr and exit 1, for every command
that talks to Hasura, before any write."""

from __future__ import annotations

import pytest

from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import SECRET_VAR
from tests.plan_apply.conftest import Cli

COMMANDS = [["plan"], ["apply", "--yes"], ["drift"], ["schema", "pull"]]


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_bad_credentials(
    cli: Cli, server: StandinServer, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    wrong = "wrong-Secret-value-4711"
    monkeypatch.setenv(SECRET_VAR, wrong)
    result = cli(*command, "--env", "test")
    assert result.code == 1
    line = one_error_line(result.err)
    assert line.endswith(
        "(HTTP 401 access-denied): invalid x-hasura-admin-secret/x-hasura-access-key; "
        f"check the admin secret in ${SECRET_VAR}"
    )
    assert wrong not in result.out + result.err
    assert all(r.status == 401 for r in server.requests)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_wrong_endpoint(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--env", "refused")
    assert result.code == 1
    line = one_error_line(result.err)
    assert "cannot connect to http://127.0.0.1:" in line
    assert line.endswith(
        ": connection refused; check `endpoint` of environment 'refused' (tried 3 times)"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_unknown_environment(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--env", "nope")
    assert result.code == 1
    assert one_error_line(result.err) == (
        "error: unknown environment 'nope' (known: impatient, plain, refused, test, unset); "
        "add it under `environments:` in hasura-perm.yaml"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_plain_http_endpoint_is_refused(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--env", "plain")
    assert result.code == 1
    assert one_error_line(result.err) == (
        "error: refusing to send the admin secret over plain http to hasura.example.org: use an "
        "https:// endpoint, or pass --insecure (or set `insecure: true` on the environment) if "
        "the network is trusted"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_missing_secret_variable(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--env", "unset")
    assert result.code == 1
    assert one_error_line(result.err) == (
        "error: environment variable HP_TEST_VARIABLE_NOBODY_SETS is not set: it must hold the "
        "admin secret of environment 'unset' (or set HASURA_GRAPHQL_ADMIN_SECRET)"
    )


def test_hasura_cli_variables_override_the_environment(
    cli: Cli, server: StandinServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HASURA_GRAPHQL_ENDPOINT", server.url)
    monkeypatch.setenv("HASURA_GRAPHQL_ADMIN_SECRET", server.admin_secret)
    result = cli("plan", "--env", "unset")  # neither its endpoint nor its variable is used
    assert result.code == 2, result.err
    assert len(server.requests) == 1
