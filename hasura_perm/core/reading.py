"""Read input files so that nothing is skipped silently and nothing leaks.

Every file or folder that cannot be read (no permission, a dangling or looping link, a
FIFO or device, a link out of the project) is an error naming it: skipping an unreadable
permissions/tables/ would silently hand its tables to the defaults, which can widen
access. Errors never quote file contents.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError

YAML_SUFFIXES = (".yaml", ".yml")
Display = Callable[[Path], str]


def shown_path(path: Path, root: Path) -> str:
    """The path as found (a link keeps its own name), relative to `root` when inside it."""
    for candidate, base in _candidates(path, root):
        try:
            return str(candidate.relative_to(base))
        except ValueError:
            continue
    return str(path)


def _candidates(path: Path, root: Path) -> Iterator[tuple[Path, Path]]:
    yield path, root
    yield path.absolute(), root.resolve()  # only when the lexical try fails: it costs syscalls


def refuse(shown: str, message: str, line: int = 0, column: int = 0) -> SpecError:
    return SpecError([Diagnostic(Location(shown, line, column), message)])


def read_text(path: Path, shown: str, *, limit: int | None = None, root: Path | None = None) -> str:
    """The UTF-8 text of a regular file; SpecError naming `shown` on any problem.

    `root`: when given, a link whose target lies outside it is refused."""
    target, size = _regular_file(path, shown, root)
    if limit is not None and size > limit:
        raise refuse(shown, f"file is {size} bytes; the limit is {limit}")
    try:
        data = _read_bytes(target, limit)
    except OSError as e:
        raise refuse(shown, f"cannot read file: {_cause(e)}") from None
    if limit is not None and len(data) > limit:
        raise refuse(shown, f"file is larger than {limit} bytes; the limit is {limit}")
    return decode(data, shown)


def decode(data: bytes, shown: str) -> str:
    """UTF-8 text; an undecodable byte or a NUL is an error at its line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, column = _line_column(data, e.start)
        raise refuse(
            shown,
            f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8",
            line,
            column,
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_column(data, len(text[:nul].encode("utf-8")))
        raise refuse(shown, "NUL byte: a text file cannot contain one", line, column)
    return text


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _read_bytes(path: Path, limit: int | None) -> bytes:
    # O_NONBLOCK: if the file was swapped for a FIFO after our check, do not hang on it.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        return handle.read() if limit is None else handle.read(limit + 1)


def _regular_file(path: Path, shown: str, root: Path | None) -> tuple[Path, int]:
    """`path`, or its link's target, and its size: a regular file (not a FIFO, device or
    folder)."""
    info = _lstat(path, shown)
    if stat.S_ISLNK(info.st_mode):
        path = follow_link(path, shown, root)
        info = _lstat(path, shown)
    if not stat.S_ISREG(info.st_mode):
        raise refuse(shown, f"cannot read file: it is {describe_mode(info.st_mode)}, not a file")
    return path, info.st_size


def _lstat(path: Path, shown: str) -> os.stat_result:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        raise refuse(shown, "cannot read file: it does not exist") from None
    except OSError as e:
        raise refuse(shown, f"cannot read file: {_cause(e)}") from None


def follow_link(path: Path, shown: str, root: Path | None) -> Path:
    """The final target of a symbolic link; dangling, looping and escaping links are errors."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise refuse(shown, "symbolic link to a file that does not exist (dangling link)") from None
    except (RuntimeError, OSError) as e:
        cause = "it loops" if isinstance(e, RuntimeError) or _is_loop(e) else _cause(e)
        raise refuse(shown, f"cannot follow symbolic link: {cause}") from None
    if root is not None:
        try:
            target.relative_to(root.resolve())
        except ValueError:
            raise refuse(
                shown,
                "symbolic link pointing outside the project; refused (copy the file into "
                "the project instead)",
            ) from None
    return target


def _is_loop(error: OSError) -> bool:
    return error.errno == errno.ELOOP


def describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _cause(error: OSError) -> str:
    return error.strerror or type(error).__name__


def yaml_files(
    folder: Path, root: Path, display: Display, *, skip: set[Path], skip_dirs: set[Path]
) -> list[Path]:
    """Every YAML file under `folder`, sorted; SpecError naming everything that cannot be read.

    `display(path) -> str` names a path for the user; `skip` (resolved files) and
    `skip_dirs` (folders, as given) are left out. A FIFO, device, socket, or a link that is
    dangling, loops or leaves `root` is an error whatever its name: it is never read, and
    never silently ignored either."""
    walk = _Walk(root, display, skip, skip_dirs)
    walk.folder(folder)
    if walk.problems:
        raise SpecError(walk.problems)
    return sorted(walk.found)


@dataclass
class _Walk:
    """One walk of a folder tree: what it was asked to leave out, and what it found."""

    root: Path
    display: Display
    skip: set[Path]
    skip_dirs: set[Path]
    found: list[Path] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)  # folders, by device and inode

    def folder(self, folder: Path) -> None:
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in self.seen:
                where = Location(self.display(folder))
                self.problems.append(
                    Diagnostic(where, "folder reached twice through links; refused")
                )
                return
            self.seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda e: e.name)
        except OSError as e:
            self.problems.append(
                Diagnostic(Location(self.display(folder)), f"cannot read folder: {_cause(e)}")
            )
            return
        for entry in children:
            path = Path(entry.path)
            if path in self.skip_dirs:
                continue
            try:
                self.entry(path)
            except SpecError as e:
                self.problems.extend(e.problems)

    def entry(self, path: Path) -> None:
        shown = self.display(path)
        mode = _lstat(path, shown).st_mode
        if stat.S_ISLNK(mode):
            mode = _lstat(follow_link(path, shown, self.root), shown).st_mode
        if stat.S_ISDIR(mode):
            self.folder(path)
        elif not stat.S_ISREG(mode):
            raise refuse(shown, f"cannot read: it is {describe_mode(mode)}; remove it from here")
        elif path.suffix in YAML_SUFFIXES and path.resolve() not in self.skip:
            self.found.append(path)
