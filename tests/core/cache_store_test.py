"""The cache's SQLite store: entries survive, failures read as "not cached", it stays bounded."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hasura_perm.core import cache_store
from hasura_perm.core import parse_cache
from hasura_perm.core.cache_store import FILE_NAME
from hasura_perm.core.cache_store import store_in
from tests.cache_entries import stored

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_connections() -> Iterator[None]:
    cache_store.forget()
    yield
    cache_store.forget()


def test_an_entry_is_given_back_and_survives_reopening(tmp_path: Path) -> None:
    store = store_in(tmp_path / "cache")
    assert store is not None
    assert store.get("k") is None
    store.put("k", b'{"a": 1}')
    store.put("k", b'{"a": 2}')  # a later value replaces the first
    cache_store.forget()
    again = store_in(tmp_path / "cache")
    assert again is not None and again.get("k") == b'{"a": 2}'
    assert stored(tmp_path / "cache") == {"k": b'{"a": 2}'}


def test_a_file_that_is_no_database_is_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / FILE_NAME).write_bytes(b"this is not SQLite" * 100)
    store = store_in(folder)
    assert store is not None
    store.put("k", b"1")
    assert store.get("k") == b"1"


def test_a_cache_that_cannot_be_made_is_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert store_in(blocker / "cache") is None
    monkeypatch.setenv(parse_cache.ENV, str(blocker / "cache"))
    parsed = parse_cache.load("table: {name: t, schema: public}\n", filename="t.yaml")
    assert parsed == {"table": {"name": "t", "schema": "public"}}


def test_past_the_limit_the_oldest_entries_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    store = store_in(folder)
    assert store is not None
    for number in range(300):
        store.put(f"k{number}", b"x" * 4000)
    monkeypatch.setattr(cache_store, "LIMIT_BYTES", 100 * 4000)  # a third of the entries
    cache_store.forget()
    assert store_in(folder) is not None  # opening prunes
    keys = set(stored(folder))
    assert "k0" not in keys and "k299" in keys
    assert 150 <= len(keys) <= 250


def _write_many(folder: str, prefix: str) -> None:
    store = store_in(Path(folder))
    assert store is not None
    for number in range(200):
        store.put(f"{prefix}{number}", prefix.encode() * 100)
    cache_store.flush_all()  # a forked child leaves with os._exit: no exit handlers run


def test_entries_wait_in_memory_and_are_written_in_batches(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    store = store_in(folder)
    assert store is not None
    for number in range(cache_store.BATCH_ENTRIES - 1):
        store.put(f"k{number}", b"1")
    assert store.get("k0") == b"1"  # seen by this process before it is written
    assert len(_on_disk(folder)) == 0
    store.put("last", b"2")
    assert len(_on_disk(folder)) == cache_store.BATCH_ENTRIES
    store.put("after", b"3")
    cache_store.flush_all()
    assert _on_disk(folder)["after"] == b"3"


def _on_disk(folder: Path) -> dict[str, bytes]:
    with sqlite3.connect(folder / FILE_NAME) as connection:
        rows = connection.execute("SELECT key, value FROM entries").fetchall()
    return {key: bytes(value) for key, value in rows}


def test_what_a_process_holds_is_written_when_it_exits(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    code = (
        "import sys; from pathlib import Path; from hasura_perm.core.cache_store import store_in;"
        f"store_in(Path({str(folder)!r})).put('k', b'v')"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    assert _on_disk(folder) == {"k": b"v"}


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(folder), name)) for name in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    entries = stored(folder)
    assert len(entries) == 400
    assert entries["a7"] == b"a" * 100 and entries["b199"] == b"b" * 100


def test_a_forked_child_uses_its_own_connection(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    parent = store_in(folder)
    assert parent is not None
    parent.put("before", b"1")
    child = multiprocessing.get_context("fork").Process(target=_write_many, args=(str(folder), "c"))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert parent.get("c5") == b"c" * 100 and parent.get("before") == b"1"
