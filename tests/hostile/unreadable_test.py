"""Anything under permissions/ (or metadata/) that cannot be read is an error naming it.

Before, an unreadable permissions/tables/ was skipped: its table files vanished, the
defaults took over, and `editor: deny` on notes became an insert permission (wider access)
with exit 0. The tests run as root, for whom mode 000 reads fine, so the fault is injected
at the system-call layer; one test also runs the CLI as another user for real."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers import NOTES_METADATA
from tests.helpers import run_cli
from tests.helpers import table_file
from tests.hostile.support import project
from tests.hostile.support import snapshot_tree
from tests.hostile.support import unreadable

WORKTREE = Path(__file__).resolve().parents[2]


def test_the_project_compiles_and_denies_insert_when_readable(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err
    assert "insert_permissions" not in table_file(root, "public.notes").read_text()


def test_unreadable_tables_folder_is_an_error_not_wider_access(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    with unreadable(monkeypatch, root / "permissions" / "tables"):
        result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/tables: cannot read folder: Permission denied" in result.err
    assert not (root / "metadata").exists()  # nothing written


def test_unreadable_table_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path)
    with unreadable(monkeypatch, root / "permissions" / "tables" / "notes.yaml"):
        result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/tables/notes.yaml: cannot read file: Permission denied" in result.err
    assert not (root / "metadata").exists()


def test_unreadable_metadata_table_file_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    target = table_file(root, "public.notes")
    before = snapshot_tree(root / "metadata")
    with unreadable(monkeypatch, target):
        result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert f"{target}: cannot read file: Permission denied" in result.err
    assert "internal error" not in result.err
    assert snapshot_tree(root / "metadata") == before


def _dangling(path: Path) -> None:
    path.symlink_to(path.parent / "missing.yaml")


def _looping(path: Path) -> None:
    path.symlink_to(path)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (_dangling, "dangling link"),
        (_looping, "cannot follow symbolic link: it loops"),
        (_fifo, "a FIFO"),
        (_socket, "a socket"),
    ],
)
@pytest.mark.parametrize("name", ["tables/extra.yaml", "tables/extra"])
def test_special_entries_are_errors_naming_them(
    tmp_path: Path, make: object, fragment: str, name: str
) -> None:
    root = project(tmp_path)
    make(root / "permissions" / name)  # type: ignore[operator]
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1, result.out
    assert f"permissions/{name}: " in result.err
    assert fragment in result.err
    assert not (root / "metadata").exists()


def test_a_device_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    device = root / "permissions" / "tables" / "null.yaml"
    try:
        os.mknod(device, 0o600 | 0o020000, os.makedev(1, 3))  # S_IFCHR: /dev/null's numbers
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot create a device here: {error}")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/tables/null.yaml: cannot read: it is a device" in result.err


def test_a_fifo_as_metadata_table_file_is_an_error_not_a_hang(tmp_path: Path) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    target = table_file(root, "public.notes")
    target.unlink()
    os.mkfifo(target)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert f"{target}: cannot read file: it is a FIFO" in result.err


def test_a_folder_reached_twice_through_links_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "permissions" / "tables" / "again").symlink_to(root / "permissions")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/tables/again: folder reached twice through links" in result.err


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to run the CLI as another user",
)
def test_mode_000_folder_as_another_user_for_real() -> None:
    # tmp_path lies under a 0700 folder of root's; this user must be able to get in.
    base = Path(tempfile.mkdtemp(prefix="hasura-perm-other-user-"))
    try:
        base.chmod(0o755)
        root = project(base)
        for path in (root, *root.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        (root / "permissions" / "tables").chmod(0o000)
        result = subprocess.run(
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                sys.executable,
                "-m",
                "hasura_perm",
                "--project",
                str(root),
                "compile",
            ],
            cwd=WORKTREE,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        if "No module named" in result.stderr:
            pytest.skip("the other user cannot import hasura_perm from this worktree")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "permissions/tables: cannot read folder: Permission denied" in result.stderr
        assert not (root / "metadata").exists()
    finally:
        (base / "project" / "permissions" / "tables").chmod(0o755)
        shutil.rmtree(base)


def test_unreadable_permission_tests_are_an_error_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hasura_perm.core.errors import SpecError
    from hasura_perm.permission_tests.cases import test_files

    root = project(tmp_path)
    tests = root / "permissions" / "tests"
    (tests / "more").mkdir(parents=True)
    (tests / "viewer.yaml").write_text("cases: []\n")
    with unreadable(monkeypatch, tests / "more"), pytest.raises(SpecError) as caught:
        test_files(tests, root)
    assert "permissions/tests/more: cannot read folder: Permission denied" in str(caught.value)
