"""Names in text reports never act on the terminal (issue 19): a role named with an escape
sequence, a carriage return, a newline or a bidirectional override is shown escaped
(`\\x1b`), in plan, drift, apply, matrix and lint text. Plan, drift and apply read the names
from a real server (the stand-in); matrix and lint from the project's files."""

from __future__ import annotations

from pathlib import Path

from tests.hasura_standin import StandinServer
from tests.helpers import run_cli
from tests.plan_apply.conftest import Cli

CLEAR = "\x1b[2J\x1b[31mevil"  # clears the screen, then red
RETURN = "ok\rNo changes"  # a carriage return overwrites the line
NEWLINE = "x\nNo drift"  # a newline would start a line of its own
BIDI = "admin\u202euser"  # right-to-left override
HIDDEN = ("\x1b", "\r", "\u202e", "\nNo drift")


def raw_controls(text: str) -> list[str]:
    return [char for char in HIDDEN if char in text]


def server_roles(server: StandinServer) -> None:
    for role in (CLEAR, RETURN, NEWLINE, BIDI):
        status, answer = server.execute(
            {
                "type": "pg_create_select_permission",
                "args": {
                    "table": "departments",
                    "role": role,
                    "permission": {"columns": ["id"], "filter": {}},
                },
            }
        )
        assert status == 200, answer


def test_plan_drift_and_apply_text_escape_server_names(cli: Cli, server: StandinServer) -> None:
    server_roles(server)
    for args, code in ((("plan", "--prune"), 2), (("drift",), 2)):
        result = cli(*args, "--env", "test")
        assert result.code == code, result.err
        assert raw_controls(result.out + result.err) == []
        assert "\\x1b[2J\\x1b[31mevil" in result.out
        assert "ok\\x0dNo changes" in result.out and "admin\\u202euser" in result.out
    dry = cli("apply", "--env", "test", "--prune", "--dry-run")
    assert dry.code == 0, dry.err
    assert raw_controls(dry.out + dry.err) == []
    applied = cli("apply", "--env", "test", "--prune", "--yes")
    assert applied.code == 0, applied.err
    assert raw_controls(applied.out + applied.err) == []
    assert "x\\x0aNo drift" in applied.out


def test_matrix_and_lint_text_escape_project_names(cli: Cli, project: Path) -> None:
    roles = "".join(f"  {name!r}: {{inherits: viewer}}\n" for name in (CLEAR, BIDI))
    roles = roles.replace("\x1b", "\\e").replace("\u202e", "\\u202E").replace("'", '"')
    (project / "permissions" / "hostile.yaml").write_text(f"roles:\n{roles}", encoding="utf-8")
    matrix = cli("matrix")
    assert matrix.code == 0, matrix.err
    assert raw_controls(matrix.out) == [] and "\\x1b[2J" in matrix.out
    lint = run_cli("lint", cwd=project)
    assert lint.code in (0, 3), lint.err
    assert raw_controls(lint.out + lint.err) == []
    assert "role \\x1b[2J\\x1b[31mevil has" in lint.out and "admin\\u202euser" in lint.out


def test_error_messages_escape_the_names_they_quote(cli: Cli) -> None:
    result = cli("explain", "--table", "public.projects", "--role", CLEAR, "--action", "select")
    assert result.code == 1
    assert raw_controls(result.err) == [] and "\\x1b[2J" in result.err
