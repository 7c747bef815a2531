"""Where hasura-perm keeps its cache: one SQLite file of key -> bytes entries.

The cache held one small file per entry at first. Creating a file (a temporary file and a
rename, so that a reader never sees half an entry) costs about 0.2 ms on the file systems
we measured, and a first compile of 1,000 tables stores some 5,000 entries: a second of
file creation. SQLite (in Python's standard library) stores the same entries in 0.2 s and
reads them faster than files; every write is its own small transaction, so a reader never
sees half an entry and two runs at once only wait for each other briefly (write-ahead log).

The cache is only ever a shortcut: every failure (a locked, corrupt, read-only or missing
file) reads as "not cached" and never stops a command. It stays under `LIMIT_BYTES`: past
that, the oldest-written third of the entries is dropped when the cache is opened.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
from pathlib import Path

FILE_NAME = "cache.sqlite3"
LIMIT_BYTES = 512 * 1024 * 1024
_BUSY_MS = 2000  # another run writing: wait this long, then go without the cache
BATCH_ENTRIES, BATCH_BYTES = 500, 16 * 1024 * 1024


class Store:
    """The entries of one cache folder, for this process (safe to use from threads).

    New entries wait in memory and are written a batch at a time, each batch one short
    transaction (a write per entry was a third of the cost of filling the cache); the rest
    is written when the process exits or `flush` is called. An entry lost to a crash only
    costs its recompute."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._pending: dict[str, bytes] = {}
        self._pending_bytes = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            if key in self._pending:
                return self._pending[key]
            try:
                row = self._connection.execute(
                    "SELECT value FROM entries WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error:
                return None
        return None if row is None else bytes(row[0])

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._pending[key] = value
            self._pending_bytes += len(value)
            if len(self._pending) >= BATCH_ENTRIES or self._pending_bytes >= BATCH_BYTES:
                self._write_pending()

    def flush(self) -> None:
        """Write every entry still in memory."""
        with self._lock:
            self._write_pending()

    def _write_pending(self) -> None:
        batch, self._pending, self._pending_bytes = self._pending, {}, 0
        if not batch:
            return
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")  # one transaction for the batch
            try:
                connection.executemany(
                    "INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", batch.items()
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            pass  # a cache that cannot be written only costs time later

    def close(self) -> None:
        with self._lock:
            self._write_pending()
            self._connection.close()


_open: dict[tuple[Path, int], Store | None] = {}
_open_lock = threading.Lock()


@atexit.register
def flush_all() -> None:
    """Write what this process's stores hold in memory (run at exit)."""
    with _open_lock:
        stores = [s for (_, pid), s in _open.items() if s is not None and pid == os.getpid()]
    for store in stores:
        store.flush()


def store_in(folder: Path) -> Store | None:
    """The store in `folder` (created when missing), or None when it cannot be used."""
    # Keyed by process too: a connection must not be shared with a forked child.
    place = (folder, os.getpid())
    with _open_lock:
        if place not in _open:
            _open[place] = _connect(folder)
        return _open[place]


def forget() -> None:
    """Write and close every store this process opened (the next use opens them again)."""
    with _open_lock:
        for (_, pid), store in _open.items():
            if store is not None and pid == os.getpid():
                store.close()
        _open.clear()


def _connect(folder: Path) -> Store | None:
    path = folder / FILE_NAME
    for attempt in (1, 2):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                path, timeout=_BUSY_MS / 1000, isolation_level=None, check_same_thread=False
            )
            _prepare(connection)
            _prune(connection)
            return Store(connection)
        except sqlite3.DatabaseError:
            if attempt == 2 or not _discard(path):
                return None  # not a database, and it cannot be replaced: no cache
        except (sqlite3.Error, OSError):
            return None
    return None


def _prepare(connection: sqlite3.Connection) -> None:
    connection.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
    # Losing the last entries in a power cut costs a recompute; waiting for the disk at
    # every entry would cost more than the cache saves.
    connection.execute("PRAGMA synchronous = OFF")
    try:
        connection.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass  # a file system without shared memory: the default journal still works
    connection.execute(
        "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)"
    )


def _prune(connection: sqlite3.Connection) -> None:
    (pages,) = connection.execute("PRAGMA page_count").fetchone()
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    if pages * page_size <= LIMIT_BYTES:
        return
    # Freed pages are reused by later entries: the file stops growing without a VACUUM.
    connection.execute(
        "DELETE FROM entries WHERE rowid <= "
        "(SELECT min(rowid) + (max(rowid) - min(rowid)) / 3 FROM entries)"
    )


def _discard(path: Path) -> bool:
    """Remove a file that is not a cache (a corrupt one) so that a new one can be made."""
    try:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    except OSError:
        return False
    return True
