"""A call in a background thread: its value, its exception unchanged, and a process that does
not wait for it."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hasura_perm.core.background import Background
from hasura_perm.core.errors import HasuraPermError

REPO = Path(__file__).resolve().parents[2]


def test_the_value_of_the_call() -> None:
    assert Background(lambda: {"answer": 42}, name="t").result() == {"answer": 42}


def test_the_call_runs_in_another_thread_that_is_a_daemon() -> None:
    seen: list[threading.Thread] = []
    Background(lambda: seen.append(threading.current_thread()), name="the-reader").result()
    (thread,) = seen
    assert thread is not threading.current_thread()
    assert thread.daemon and thread.name == "the-reader"


def test_the_exception_of_the_call_is_raised_unchanged() -> None:
    raised = HasuraPermError("cannot connect to https://hasura.example.org")

    def fail() -> None:
        raise raised

    waiting = Background(fail, name="t")
    with pytest.raises(HasuraPermError) as caught:
        waiting.result()
    assert caught.value is raised
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_base_exceptions_too() -> None:
    def leave() -> None:
        raise SystemExit(3)

    with pytest.raises(SystemExit) as caught:
        Background(leave, name="t").result()
    assert caught.value.code == 3


def test_a_call_that_never_returns_does_not_keep_the_process_alive() -> None:
    """The caller gave up waiting (an error of its own): the interpreter exits at once."""
    code = (
        "import threading\n"
        "from hasura_perm.core.background import Background\n"
        "Background(threading.Event().wait, name='forever')\n"
        "raise SystemExit(7)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stderr) == (7, "")
