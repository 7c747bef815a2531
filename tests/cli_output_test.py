"""Output the user did not expect to fail: a closed pipe, and files that cannot be written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_project
from tests.helpers import run_cli
from tests.importer.helpers import block
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

REPO = Path(__file__).resolve().parents[1]


def many_tables_project(root: Path) -> Path:
    """A project whose `compile --check` diff is far larger than a pipe holds."""
    tables = {
        f"public.t{i:03d}": {"columns": {"id": "integer", "name": "text"}, "primary_key": ["id"]}
        for i in range(300)
    }
    rules = "roles:\n  viewer: {}\ndefaults:\n  - tables: 'public.*'\n    select:\n"
    rules += "      viewer: {columns: all, filter: {}}\n"
    return make_project(root, {"roles.yaml": rules}, schema=tables)


def test_a_reader_that_stops_early_gets_no_internal_error(tmp_path: Path) -> None:
    # `hasura-perm compile --check | head -3`: many writes, and the reader goes away.
    root = many_tables_project(tmp_path / "project")
    process = subprocess.Popen(
        [sys.executable, "-m", "hasura_perm", "--project", str(root), "compile", "--check"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert process.stdout is not None and process.stderr is not None
    assert os.read(process.stdout.fileno(), 10)
    process.stdout.close()
    err = process.stderr.read().decode()
    code = process.wait(timeout=120)
    assert err == ""
    assert code == 1  # the output was cut short: not a success, but nothing to report


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_stdout_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hasura_perm import cli

    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.chdir(REPO)
    assert (
        cli.main(
            ["explain", "--role", "editor", "--table", "public.projects", "--action", "select"]
        )
        == 1
    )
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    "args",
    [
        ("matrix", "--out", "/dev/null/x"),
        ("matrix", "--format", "html", "--out", "/dev/null/x.html"),
    ],
    ids=["matrix-markdown", "matrix-html"],
)
def test_an_unwritable_output_path_is_a_clear_error(args: tuple[str, ...]) -> None:
    result = run_cli(*args, cwd=REPO)
    assert result.code == 1
    assert "internal error" not in result.err
    assert result.err.startswith(f"error: cannot write {args[-1]}: ")


def test_an_unwritable_import_report_writes_nothing(tmp_path: Path) -> None:
    case = scenario(
        tmp_path,
        [
            table_entry(
                "public.tags", select_permissions=[block("viewer", columns=["id"], filter={})]
            )
        ],
        snapshot_of({"public.tags": {"id": "integer"}}),
    )
    result = case.run("--out", "/dev/null/r.json")
    assert result.code == 1
    assert result.err.startswith("error: cannot write /dev/null/r.json: ")
    assert "internal error" not in result.err
    assert not (tmp_path / "permissions").exists()


def test_another_os_error_names_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    result = run_cli("matrix", "--out", str(folder), cwd=REPO)
    assert result.code == 1
    assert result.err.startswith(f"error: cannot write {folder}: ")


def test_any_os_error_naming_a_file_is_an_error_not_a_bug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hasura_perm.commands import matrix

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "/srv/reports/m.txt")

    monkeypatch.setattr(matrix, "emit", refuse)
    result = run_cli("matrix", cwd=REPO)
    assert result.code == 1
    assert result.err == "error: cannot use /srv/reports/m.txt: permission denied\n"


def test_a_warning_quoting_metadata_cannot_drive_the_terminal(tmp_path: Path) -> None:
    # inherited_roles.yaml is metadata: its role sets are whatever the file holds.
    root = make_project(tmp_path / "project", {"roles.yaml": "roles:\n  viewer: {}\n"}, metadata={})
    inherited = root / "metadata" / "inherited_roles.yaml"
    inherited.write_text('- role_name: viewer\n  role_set:\n    - "a\\e[2Jb"\n', "utf-8")
    result = run_cli("--project", str(root), "compile")
    assert "warning: " in result.err and "without `combines`" in result.err, result.err
    assert "\x1b" not in result.err
    assert "a\\x1b[2Jb" in result.err


def test_warn_escapes_controls_but_keeps_line_breaks(capsys: pytest.CaptureFixture[str]) -> None:
    from hasura_perm.core.terminal import warn

    warn("first\nsecond \x1b]0;title\x07 \u202e", kind="note")
    err = capsys.readouterr().err
    assert err == "note: first\nsecond \\x1b]0;title\\x07 \\u202e\n"
