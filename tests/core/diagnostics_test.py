"""One diagnostic type for input problems, compile's warnings and lint's findings."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from hasura_perm import cli
from hasura_perm.compiler.build import build
from hasura_perm.core.diagnostics import SEVERITIES
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.diagnostics import Location
from hasura_perm.core.diagnostics import severity_rank
from hasura_perm.spec.project import load_project

REPO = Path(__file__).resolve().parents[2]


def test_a_diagnostic_reads_as_place_then_message() -> None:
    assert str(Diagnostic(Location("a.yaml", 3, 5), "bad")) == "a.yaml:3:5: bad"
    assert str(Diagnostic(Location("a.yaml"), "bad")) == "a.yaml: bad"
    assert Diagnostic(Location("a.yaml"), "bad").severity == "error"


def test_diagnostics_sort_by_place_then_message() -> None:
    found = [
        Diagnostic(Location("b.yaml", 1), "x"),
        Diagnostic(Location("a.yaml", 9), "y"),
        Diagnostic(Location("a.yaml", 2), "z"),
        Diagnostic(Location("a.yaml", 2), "a"),
    ]
    assert [str(d) for d in sorted(found)] == [
        "a.yaml:2:1: a",
        "a.yaml:2:1: z",
        "a.yaml:9:1: y",
        "b.yaml:1:1: x",
    ]


def test_severity_and_code_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Diagnostic(Location("a.yaml"), "bad", "warning")  # type: ignore[misc]
    assert Diagnostic(Location("a"), "m", severity="info", code="r").code == "r"
    assert [severity_rank(s) for s in SEVERITIES] == [0, 1, 2]


def test_compile_warnings_are_diagnostics(tmp_path: Path) -> None:
    """A declared role's permissions on a table no rule manages: a warning at the file."""
    for name in ("permissions", "metadata", "hasura-perm.yaml"):
        source = REPO / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    (tmp_path / "permissions" / "tables" / "public.user_preferences.yaml").unlink()
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["--project", str(tmp_path), "compile", "--check"])
    assert code in (0, 2)
    warnings = build(load_project(tmp_path)).warnings
    assert warnings and {(w.severity, w.location.line) for w in warnings} == {("warning", 0)}
    assert {w.location.file for w in warnings} == {
        "metadata/databases/default/tables/public_user_preferences.yaml"
    }
    assert (
        "warning: metadata/databases/default/tables/public_user_preferences.yaml: "
        in err.getvalue()
    )
