"""The secret canary against a hostile server: it has the admin secret (every request carries
it) and echoes it wherever an answer can hold text. Nothing may show it; the autouse fixture in
conftest.py also scans all output and every file under tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import SECRET
from tests.plan_apply.conftest import Cli

JSON = {"Content-Type": "application/json"}
Arm = Callable[[StandinServer], None]


def echoed_error(status: int) -> bytes:
    return json.dumps({"path": "$", "error": f"bad secret {SECRET}", "code": "x"}).encode()


def malformed_export(server: StandinServer) -> None:
    status, answer = server.execute({"type": "export_metadata", "version": 2, "args": {}})
    answer["metadata"]["sources"][0]["tables"][0]["select_permissions"] = [
        {"role": "viewer", "permission": {"columns": SECRET, "filter": {}}}
    ]
    server.faults.proxy_answer_next(
        "export_metadata", status=200, body=json.dumps(answer).encode(), headers=JSON, when="before"
    )


# where the server echoes it -> (arm, the command's arguments)
ECHOES: dict[str, tuple[Arm, list[str]]] = {
    "redirect location": (
        lambda s: s.faults.proxy_answer_next(
            "export_metadata",
            status=307,
            headers={"Location": f"http://{SECRET}@elsewhere.invalid/?s={SECRET}"},
            when="before",
        ),
        ["plan"],
    ),
    "refusal of a read": (
        lambda s: s.faults.proxy_answer_next(
            "export_metadata", status=400, body=echoed_error(400), headers=JSON, when="before"
        ),
        ["drift"],
    ),
    "refusal of the write": (
        lambda s: s.faults.proxy_answer_next(
            "bulk", status=400, body=echoed_error(400), headers=JSON, when="before"
        ),
        ["apply", "--yes"],
    ),
    "500 on the write": (
        lambda s: s.faults.proxy_answer_next(
            "bulk", status=500, body=echoed_error(500), headers=JSON, when="after"
        ),
        ["apply", "--yes"],
    ),
    "proxy page on the write": (
        lambda s: s.faults.proxy_answer_next(
            "bulk", status=524, body=f"<html>{SECRET}</html>".encode(), when="after"
        ),
        ["apply", "--yes"],
    ),
    "malformed export": (malformed_export, ["plan"]),
}


@pytest.mark.parametrize("echo", ECHOES)
def test_a_hostile_server_cannot_make_us_print_the_secret(
    cli: Cli, server: StandinServer, echo: str, tmp_path: Path
) -> None:
    arm, command = ECHOES[echo]
    arm(server)
    result = cli(*command, "--env", "test")
    assert result.code in (0, 1)
    assert SECRET not in result.out + result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
