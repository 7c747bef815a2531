"""A command reads permissions/, the schema snapshot and metadata/ once: the Build carries
the spec, snapshot and catalog to lint, the permission tests, Cognito and review."""

from __future__ import annotations

import collections
import contextlib
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import hasura_perm.cognito.loader  # noqa: F401  (every module below is loaded before patching)
import hasura_perm.commands.compile  # noqa: F401
import hasura_perm.lint.sources  # noqa: F401
import hasura_perm.permission_tests.engine as engine
import hasura_perm.review.merged  # noqa: F401
from hasura_perm import cli
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.spec import load_spec
from hasura_perm.spec.project import load_project

REPO = Path(__file__).resolve().parents[1]  # the worked example
READERS: list[Callable[..., Any]] = [load_spec, load_snapshot, read_metadata]


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Count the calls of each reader, wherever a module imported it by name."""
    counter: collections.Counter[str] = collections.Counter()

    def counting(reader: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counter[reader.__name__] += 1
            return reader(*args, **kwargs)

        return call

    for name, module in list(sys.modules.items()):
        if not name.startswith("hasura_perm"):
            continue
        for reader in READERS:
            if getattr(module, reader.__name__, None) is reader:
                monkeypatch.setattr(module, reader.__name__, counting(reader))
    return counter


ONCE = {"load_spec": 1, "load_snapshot": 1, "read_metadata": 1}


@pytest.mark.parametrize(
    "argv",
    [
        ["compile", "--check"],
        ["lint"],
        ["matrix"],
        ["explain", "--role", "viewer", "--table", "public.projects", "--action", "select"],
        ["cognito", "mapping"],
    ],
    ids=" ".join,
)
def test_a_command_reads_each_input_once(counts: collections.Counter[str], argv: list) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["--project", str(REPO), *argv]) == 0
    assert dict(counts) == ONCE


def test_loading_the_permission_tests_reads_each_input_once(
    counts: collections.Counter[str],
) -> None:
    loaded = engine.load(load_project(REPO))
    assert dict(counts) == ONCE
    assert loaded.spec is loaded.build.spec and loaded.catalog is loaded.build.catalog
