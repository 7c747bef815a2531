"""plan, apply and drift read the server while the project compiles (commands/_remote.py
`compile_and_read`): the same results and messages as reading after compiling, a compile error
first and alone, a server error as before once the compile succeeded, and no wait for a server
that never answers (neither after a compile error nor after Ctrl-C)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import Generic
from typing import TypeVar

import pytest

from hasura_perm.commands import _remote
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from tests.hasura_standin import StandinServer
from tests.helpers import CliResult
from tests.plan_apply.conftest import SECRET
from tests.plan_apply.conftest import SECRET_VAR
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")

COMMANDS = [
    ["plan"],
    ["plan", "--format", "json"],
    ["plan", "--table", "public.projects"],
    ["drift"],
    ["drift", "--format", "json"],
    ["apply", "--dry-run"],
]


class AfterCompile(Generic[T]):
    """What plan, apply and drift did before the overlap: the read starts once the compile is
    done (compile_and_read calls `result()` after compiling)."""

    def __init__(self, call: Callable[[], T], *, name: str) -> None:
        self._call = call

    def result(self) -> T:
        return self._call()


def both_ways(
    cli: Cli, server: StandinServer, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[tuple[CliResult, list[Any]], tuple[CliResult, list[Any]]]:
    """`args` run overlapped, then as before; each with the requests the server received."""
    seen = len(server.requests)
    overlapped = cli(*args)
    finish_abandoned_reads()
    overlapped_requests = [(r.type, r.status) for r in server.requests[seen:]]
    seen = len(server.requests)
    with monkeypatch.context() as patched:
        patched.setattr(_remote, "Background", AfterCompile)
        sequential = cli(*args)
    sequential_requests = [(r.type, r.status) for r in server.requests[seen:]]
    return (overlapped, overlapped_requests), (sequential, sequential_requests)


def finish_abandoned_reads() -> None:
    """A command that failed to compile left its read running: let it end before counting."""
    for thread in threading.enumerate():
        if thread.name == "hasura-perm-export":
            thread.join(timeout=60)


def break_project(project: Path) -> str:
    """A permissions file that does not parse; the compile error names it."""
    roles = project / "permissions" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8") + "roles: [unclosed\n", encoding="utf-8")
    return "roles.yaml"


def make_metadata_stale(project: Path) -> None:
    """metadata/ differs from what permissions/ compiles to: compile warns (on stderr)."""
    table = project / "metadata" / "databases" / "default" / "tables" / "public_projects.yaml"
    table.write_text(table.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")


def seed_drift(server: StandinServer) -> None:
    """Some of the project's permissions live, one of them edited in the console, others
    missing: plan, apply and drift all have something to say."""
    metadata = example_metadata(with_permissions=True)
    tables = metadata["sources"][0]["tables"]
    for table in tables[1::2]:
        for key in PERMISSION_KEYS.values():
            table.pop(key, None)
    for table in tables[::2]:
        for key in PERMISSION_KEYS.values():
            for entry in table.get(key, []):
                entry["comment"] = "edited in the console"
                break
    assert server.seed(metadata) == []


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("stale", [False, True], ids=["in-sync", "stale-metadata"])
def test_the_same_results_as_reading_after_compiling(
    cli: Cli,
    server: StandinServer,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    stale: bool,
) -> None:
    seed_drift(server)
    if stale:
        make_metadata_stale(project)
    (overlapped, sent), (sequential, sent_before) = both_ways(
        cli, server, monkeypatch, *command, "--env", "test"
    )
    assert overlapped == sequential
    assert sent == sent_before == [("export_metadata", 200)]
    assert overlapped.code == (0 if command[0] == "apply" else 2), overlapped.err
    assert ("not up to date" in overlapped.err) is stale


def test_an_apply_is_the_same_too(
    cli: Cli, server: StandinServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_drift(server)
    before = server.export()
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.err
    after = server.export()
    assert after != before
    assert server.seed(before) == []
    with monkeypatch.context() as patched:
        patched.setattr(_remote, "Background", AfterCompile)
        again = cli("apply", "--env", "test", "--yes")
    assert (again.code, again.err) == (applied.code, applied.err)
    # the messages name resource versions, which moved on with the seeding
    assert server.export() == after


def test_the_export_is_requested_while_the_project_compiles(
    cli: Cli, server: StandinServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compile does not start until the server has received the export request: the
    command still completes, so the request does not wait for the compile."""
    compile_project = _remote.compile_project

    def compile_once_asked(project: Any) -> Any:
        for _ in range(2000):
            if any(r.type == "export_metadata" for r in server.requests):
                return compile_project(project)
            time.sleep(0.01)
        raise AssertionError("no export_metadata request while compiling")

    monkeypatch.setattr(_remote, "compile_project", compile_once_asked)
    for command in (["plan"], ["drift"], ["apply", "--dry-run"]):
        server.requests.clear()
        result = cli(*command, "--env", "test")
        assert result.code in (0, 2), result.err
        assert [r.type for r in server.requests] == ["export_metadata"]


@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"], ["drift"]], ids=" ".join)
@pytest.mark.parametrize("server_state", ["answers", "refuses-the-secret", "unreachable"])
def test_a_compile_error_comes_first_and_alone(
    cli: Cli,
    server: StandinServer,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    server_state: str,
) -> None:
    name = break_project(project)
    environment = "refused" if server_state == "unreachable" else "test"
    if server_state == "refuses-the-secret":
        monkeypatch.setenv(SECRET_VAR, "wrong-Secret-value-4711")
    (overlapped, _), (sequential, sent_before) = both_ways(
        cli, server, monkeypatch, *command, "--env", environment
    )
    assert overlapped == sequential
    assert sent_before == [], "reading after compiling sends nothing when the compile fails"
    assert overlapped.code == 1 and overlapped.out == ""
    assert overlapped.err.startswith("error:") and name in overlapped.err
    for said_by_the_server in ("401", "connect", "admin secret", "export"):
        assert said_by_the_server not in overlapped.err


@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"], ["drift"]], ids=" ".join)
@pytest.mark.parametrize(
    "failure", ["refuses-the-secret", "unreachable", "answers-not-json", "times-out"]
)
def test_a_server_error_once_the_compile_succeeded(
    cli: Cli,
    server: StandinServer,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    failure: str,
) -> None:
    """Reported as before, after the compile's warnings."""
    make_metadata_stale(project)
    environment = {"unreachable": "refused", "times-out": "impatient"}.get(failure, "test")
    if failure == "refuses-the-secret":
        monkeypatch.setenv(SECRET_VAR, "wrong-Secret-value-4711")

    def arm() -> None:
        if failure == "answers-not-json":
            server.faults.proxy_answer_next(
                "export_metadata", status=200, body=b"<html>ok</html>", when="before", times=3
            )
        if failure == "times-out":
            server.faults.hang_next(1.5, "export_metadata", times=3)

    arm()
    overlapped = cli(*command, "--env", environment)
    server.faults.clear()
    with monkeypatch.context() as patched:
        patched.setattr(_remote, "Background", AfterCompile)
        arm()
        sequential = cli(*command, "--env", environment)
    assert overlapped == sequential
    assert overlapped.code == 1 and overlapped.out == ""
    warning, error = overlapped.err.splitlines()
    assert warning.startswith("warning: metadata/ is not up to date")
    assert error.startswith("error: ")
    assert "wrong-Secret" not in overlapped.err


# -- a server that never answers, in a process of its own


@pytest.fixture
def silent_server() -> Iterator[tuple[str, threading.Event]]:
    """Accepts connections and never answers; the event is set at the first connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)
            connected.set()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", connected
    finally:
        listener.close()
        for connection in held:
            connection.close()


# The command in a new process, whose compile waits until the request is in flight (so it is
# in flight when the compile fails or when Ctrl-C comes) and then writes a marker.
CHILD = """\
import sys, time
from pathlib import Path
from hasura_perm import cli
from hasura_perm.commands import _remote

compile_project = _remote.compile_project
asked, compiled = Path(sys.argv[1]), Path(sys.argv[2])

def compile_once_asked(project):
    while not asked.exists():
        time.sleep(0.01)
    try:
        return compile_project(project)
    finally:
        compiled.touch()

_remote.compile_project = compile_once_asked
raise SystemExit(cli.main(sys.argv[3:]))
"""


def start_child(
    project: Path, endpoint: str, tmp_path: Path, *command: str
) -> tuple[subprocess.Popen[str], Path, Path]:
    (project / "hasura-perm.yaml").write_text(
        "version: 1\nenvironments:\n  silent:\n"
        f"    endpoint: {endpoint}\n    admin_secret_env: {SECRET_VAR}\n    timeout: 600\n",
        encoding="utf-8",
    )
    asked, compiled = tmp_path / "asked", tmp_path / "compiled"
    env = {**os.environ, SECRET_VAR: SECRET, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(asked), str(compiled), *command, "--env", "silent"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return child, asked, compiled


def wait_for(what: Callable[[], bool], child: subprocess.Popen[str]) -> None:
    for _ in range(6000):
        if what():
            return
        if child.poll() is not None:
            raise AssertionError(f"the command ended early: {child.communicate()}")
        time.sleep(0.01)
    child.kill()
    raise AssertionError("waited 60 s")


def finish(child: subprocess.Popen[str]) -> tuple[str, str]:
    """The child's output once it ended; killed if it still runs after 120 s."""
    try:
        return child.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise AssertionError("the command was still running after 120 s") from None


@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"], ["drift"]], ids=" ".join)
def test_a_compile_error_does_not_wait_for_a_server_that_never_answers(
    project: Path,
    tmp_path: Path,
    silent_server: tuple[str, threading.Event],
    command: list[str],
) -> None:
    """The client's timeout is 600 s: the command ends with the compile error long before."""
    endpoint, connected = silent_server
    name = break_project(project)
    child, asked, _ = start_child(project, endpoint, tmp_path, *command)
    wait_for(connected.is_set, child)
    asked.touch()
    out, err = finish(child)
    assert child.returncode == 1, err
    assert out == "" and err.startswith("error:") and name in err
    assert len(err.splitlines()) == 1, err
    assert SECRET not in out + err


@pytest.mark.parametrize("command", [["plan"], ["drift"]], ids=" ".join)
def test_ctrl_c_while_waiting_for_the_server(
    project: Path,
    tmp_path: Path,
    silent_server: tuple[str, threading.Event],
    command: list[str],
) -> None:
    endpoint, connected = silent_server
    child, asked, compiled = start_child(project, endpoint, tmp_path, *command)
    wait_for(connected.is_set, child)
    asked.touch()
    wait_for(compiled.exists, child)
    child.send_signal(signal.SIGINT)
    out, err = finish(child)
    assert (child.returncode, out, err) == (130, "", "interrupted\n")
