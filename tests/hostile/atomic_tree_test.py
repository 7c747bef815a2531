"""compile writes metadata/ as one change: all files or none, whatever goes wrong.

Before, a full disk left 99 of 400 files rewritten and "internal error: OSError", a
read-only metadata/ gave "internal error: PermissionError" naming no file, and Ctrl-C left
a mix of old and new files and stray `.tmp` files. Also (issue 17): a rewritten file keeps
its mode and a new one follows the umask (every file used to become -rw-------)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import tempfile as tempfile_module
from pathlib import Path

import pytest

from hasura_perm.metadata.directory import write_files
from tests.helpers import run_cli
from tests.helpers import table_file
from tests.hostile.support import DEFAULTS
from tests.hostile.support import fail_on_call
from tests.hostile.support import leftovers
from tests.hostile.support import project
from tests.hostile.support import snapshot_tree

WORKTREE = Path(__file__).resolve().parents[2]
FILES = 4  # the four table files the defaults manage


def compiled_then_changed(tmp_path: Path) -> Path:
    """A project compiled once, then changed so that every table file is stale."""
    root = project(tmp_path)
    assert run_cli("--project", str(root), "compile").code == 0
    (root / "permissions" / "defaults.yaml").write_text(
        DEFAULTS.replace("filter: {}", "filter: {id: {_gt: 0}}")
    )
    return root


def _switch_count(root: Path) -> int:
    result = run_cli("--project", str(root), "compile", "--check")
    assert result.code == 2
    return int(result.out.split(":")[1].split()[0])


@pytest.mark.parametrize("number", range(1, FILES + 1))
@pytest.mark.parametrize(
    ("where", "error", "message"),
    [
        ("mkstemp", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        ("mkstemp", PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
        ("mkstemp", OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
        ("replace", OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        ("replace", KeyboardInterrupt(), "interrupted"),
        ("mkstemp", KeyboardInterrupt(), "interrupted"),
    ],
)
def test_a_failure_anywhere_leaves_metadata_entirely_old(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    number: int,
    where: str,
    error: BaseException,
    message: str,
) -> None:
    root = compiled_then_changed(tmp_path)
    assert _switch_count(root) == FILES
    before = snapshot_tree(root / "metadata")
    module, name = (tempfile_module, "mkstemp") if where == "mkstemp" else (os, "replace")
    fail_on_call(monkeypatch, module, name, number, error)
    result = run_cli("--project", str(root), "compile")
    monkeypatch.undo()
    assert result.code == (130 if isinstance(error, KeyboardInterrupt) else 1)
    assert message in result.err
    assert "internal error" not in result.err
    if not isinstance(error, KeyboardInterrupt):
        assert "metadata/" in result.err and "nothing was changed" in result.err
    assert snapshot_tree(root / "metadata") == before
    assert leftovers(root / "metadata") == []


def test_a_failed_first_compile_leaves_no_folders_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    fail_on_call(monkeypatch, os, "replace", 5, OSError(errno.ENOSPC, "No space left on device"))
    result = run_cli("--project", str(root), "compile")
    monkeypatch.undo()
    assert result.code == 1
    assert not (root / "metadata").exists()


def test_ctrl_c_while_switching_is_held_back_until_all_files_are_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = compiled_then_changed(tmp_path)
    real_replace, calls = os.replace, [0]

    def replace_then_interrupt(*args: object) -> None:
        calls[0] += 1
        if calls[0] == 2:
            os.kill(os.getpid(), signal.SIGINT)  # a real Ctrl-C, mid-switch
        real_replace(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    result = run_cli("--project", str(root), "compile")
    monkeypatch.undo()
    assert result.code == 130
    assert run_cli("--project", str(root), "compile", "--check").code == 0  # all new
    assert leftovers(root / "metadata") == []


def test_rewritten_files_keep_their_mode(tmp_path: Path) -> None:
    root = compiled_then_changed(tmp_path)
    notes = table_file(root, "public.notes")
    notes.chmod(0o640)
    assert run_cli("--project", str(root), "compile").code == 0
    assert stat.S_IMODE(notes.stat().st_mode) == 0o640


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_new_files_follow_the_umask(tmp_path: Path, mask: int) -> None:
    root = project(tmp_path)
    old = os.umask(mask)
    try:
        assert run_cli("--project", str(root), "compile").code == 0
    finally:
        os.umask(old)
    for path in (root / "metadata").rglob("*.yaml"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path


def test_write_files_interrupted_while_staging_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    files = {target / f"f{i}.yaml": f"{i}\n" for i in range(5)}
    fail_on_call(monkeypatch, tempfile_module, "mkstemp", 4, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_files(files, inside=tmp_path)
    monkeypatch.undo()
    assert not target.exists()


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to run the CLI as another user",
)
def test_read_only_metadata_for_real_names_the_path() -> None:
    base = Path(tempfile.mkdtemp(prefix="hasura-perm-read-only-"))
    try:
        base.chmod(0o755)
        root = compiled_then_changed(base)
        for path in (root, *root.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)  # others may read, not write
        before = snapshot_tree(root / "metadata")
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            + [sys.executable, "-m", "hasura_perm", "--project", str(root), "compile"],
            cwd=WORKTREE,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        if "No module named" in result.stderr:
            pytest.skip("the other user cannot import hasura_perm from this worktree")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "error: cannot write metadata/" in result.stderr
        assert "Permission denied; nothing was changed" in result.stderr
        assert snapshot_tree(root / "metadata") == before
        assert leftovers(root / "metadata") == []
    finally:
        shutil.rmtree(base)
