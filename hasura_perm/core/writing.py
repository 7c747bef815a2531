"""Write a set of files as one change: all of them, or none.

Every file is first written to a temporary file next to its target (same file system, so
the final rename is atomic). Only when all are written are they switched in; if anything
fails (disk full, a read-only folder, Ctrl-C) the files already switched are put back, the
folders we created are removed, and the temporary files are deleted. An OS error becomes
one message naming the path and the cause.

A rewritten file keeps its mode; a new file gets 0666 minus the umask, as `open()` would
give it (mkstemp's 0600 would hide metadata from the rest of a team's tooling).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.paths import ensure_inside


@dataclass
class _Staged:
    path: Path
    temp: Path
    backup: Path | None = None  # a hard link to the old file, while switching
    switched: bool = False


@dataclass
class _Transaction:
    staged: list[_Staged] = field(default_factory=list)
    created_dirs: list[Path] = field(default_factory=list)
    current: Path | None = None  # the file being written or switched, for messages


def write_tree(
    files: dict[Path, str],
    *,
    inside: Path | None = None,
    what: str = "",
    show: Callable[[Path], str] = str,
) -> None:
    """Write every file, or none; `inside`: the folder every path must stay in;
    `show(path)`: how a message names a path."""
    if inside is not None:
        for path in files:
            ensure_inside(path, inside, what or f"{inside.name}/")
    if not files:
        return
    tx = _Transaction()
    held: list[int] = []  # Ctrl-C pressed while switching or rolling back
    try:
        mask = _umask()
        for path, text in files.items():
            _stage(tx, path, text, mask)
        with _holding_interrupts(held):
            _switch(tx)
    except BaseException as error:
        with _holding_interrupts(held):
            _roll_back(tx)
        if isinstance(error, OSError):
            where = show(tx.current) if tx.current else str(error.filename)
            cause = error.strerror or type(error).__name__
            raise HasuraPermError(f"cannot write {where}: {cause}; nothing was changed") from None
        raise
    _discard_backups(tx)
    if held:  # the tree is complete and consistent; now honour the Ctrl-C
        raise KeyboardInterrupt


def _stage(tx: _Transaction, path: Path, text: str, mask: int) -> None:
    tx.current = path
    _make_dirs(tx, path.parent)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temp = Path(name)
    tx.staged.append(_Staged(path, temp))
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(temp, _mode_for(path, mask))


def _make_dirs(tx: _Transaction, folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir()
        tx.created_dirs.append(created)


def _mode_for(path: Path, mask: int) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~mask


def _umask() -> int:
    with contextlib.suppress(OSError, ValueError):  # Linux: read it without changing it
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    # Elsewhere the only way to read the umask is to set it; put it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _switch(tx: _Transaction) -> None:
    for item in tx.staged:
        tx.current = item.path
        if item.path.exists():
            item.backup = item.temp.with_suffix(".old")
            try:
                os.link(item.path, item.backup)
            except OSError:  # a file system without hard links
                shutil.copy2(item.path, item.backup)
        os.replace(item.temp, item.path)
        item.switched = True


def _roll_back(tx: _Transaction) -> None:
    """Put every switched file back, delete temporaries and the folders we created."""
    for item in reversed(tx.staged):
        with contextlib.suppress(OSError):
            if item.switched and item.backup is not None:
                os.replace(item.backup, item.path)
            elif item.switched:
                item.path.unlink()
        for leftover in (item.temp, item.backup):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
    for folder in reversed(tx.created_dirs):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _discard_backups(tx: _Transaction) -> None:
    for item in tx.staged:
        if item.backup is not None:
            with contextlib.suppress(OSError):
                item.backup.unlink()


@contextlib.contextmanager
def _holding_interrupts(held: list[int]) -> Iterator[None]:
    """Hold Ctrl-C back while files are switched in or rolled back (a few renames), so an
    interrupt cannot leave the tree half old, half new; the caller raises it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
