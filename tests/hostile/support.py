"""Shared pieces of the hostile-input tests: a small project, and OS faults injected at
the system-call layer (the tests run as root, for whom mode 000 reads fine)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import make_project
from tests.helpers import tree_bytes

ROLES = """\
roles:
  viewer: {}
  editor: {inherits: viewer}
"""
DEFAULTS = """\
defaults:
  - tables: "public.*"
    select:
      viewer: {columns: [id], filter: {}}
    insert:
      editor: {columns: [id], check: {}}
"""
NOTES_DENY = """\
table: public.notes
insert:
  editor: deny
"""


def project(root: Path, files: dict[str, Any] | None = None, **kwargs: Any) -> Path:
    """A project whose table file takes away a permission the defaults would grant."""
    chosen = {"roles.yaml": ROLES, "defaults.yaml": DEFAULTS, "tables/notes.yaml": NOTES_DENY}
    chosen.update(files or {})
    return make_project(root / "project", chosen, **kwargs)


def denied(path: Path) -> OSError:
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))


@contextmanager
def unreadable(monkeypatch: pytest.MonkeyPatch, *targets: Path) -> Iterator[None]:
    """Opening or listing any of `targets` fails with EACCES, as for another user."""
    blocked = {str(t) for t in targets}
    real_open, real_scandir = os.open, os.scandir

    def fake_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path) in blocked:
            raise denied(path)
        return real_open(path, *args, **kwargs)

    def fake_scandir(path: Any = ".") -> Any:
        if str(path) in blocked:
            raise denied(path)
        return real_scandir(path)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", fake_open)
        patch.setattr(os, "scandir", fake_scandir)
        yield


def fail_on_call(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, number: int, error: BaseException
) -> list[int]:
    """`module.name` raises `error` on its `number`-th call (1-based); returns the counter."""
    real: Callable[..., Any] = getattr(module, name)
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == number:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def leftovers(folder: Path) -> list[str]:
    """Temporary or backup files a write left behind."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.name.endswith((".tmp", ".old")) or p.name.startswith(".")
    )


def snapshot_tree(folder: Path) -> dict[str, bytes]:
    return tree_bytes(folder) if folder.exists() else {}
