"""Read and overwrite hasura-perm's cache entries behind its back (tests only): the
SQLite file is opened directly, so tests see what is really on disk."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from hasura_perm.core.cache_store import FILE_NAME
from hasura_perm.core.cache_store import flush_all


def stored(folder: Path) -> dict[str, bytes]:
    """Every entry in the cache folder, by key (none when there is no cache file)."""
    flush_all()  # what this process still holds in memory
    path = folder / FILE_NAME
    if not path.exists():
        return {}
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT key, value FROM entries").fetchall()
    return {key: bytes(value) for key, value in rows}


def overwrite(folder: Path, change: Callable[[bytes], bytes | None]) -> int:
    """Replace each entry's value by change(value) (None: leave it); returns how many."""
    flush_all()
    changed = 0
    with sqlite3.connect(folder / FILE_NAME) as connection:
        for key, value in connection.execute("SELECT key, value FROM entries").fetchall():
            new = change(bytes(value))
            if new is not None:
                connection.execute("UPDATE entries SET value = ? WHERE key = ?", (new, key))
                changed += 1
    return changed
