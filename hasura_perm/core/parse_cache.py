"""Parsed metadata table files, remembered by content so an unchanged file is not parsed again.

Reading metadata/ back was most of a no-op `compile --check` on large projects: PyYAML
builds every value in Python. A table file's parsed entry depends on nothing but its
text and the loader's code, so the cache key is the SHA-256 of both (the loader's code is
the source of yamlfmt.py and of this module, plus PyYAML's version). A changed file, or a changed loader, has
another key: a stale entry cannot be returned. Entries are stored as JSON (parsed in C),
one file per key, written via a temporary file and a rename; an unreadable or corrupt
entry is treated as absent. Only plain JSON values are cached (an `!include` string is a
`str` subclass and is parsed each time instead).

The cache lives in $HASURA_PERM_CACHE_DIR, else $XDG_CACHE_HOME/hasura-perm, else
~/.cache/hasura-perm; HASURA_PERM_CACHE_DIR=off turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from hasura_perm.core import yamlfmt

ENV = "HASURA_PERM_CACHE_DIR"
_PLAIN = (str, int, float, bool, type(None))


def cache_dir() -> Path | None:
    return _cache_dir(os.environ.get(ENV), os.environ.get("XDG_CACHE_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=8)
def _cache_dir(configured: str | None, xdg: str | None, home: str | None) -> Path | None:
    # Asked once per file read; the answer changes only with these variables.
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = xdg or str(Path.home() / ".cache")
    return Path(base) / "hasura-perm"


@functools.cache
def _salt() -> bytes:
    """What else the parsed value depends on: the loader's code and PyYAML's version."""
    digest = hashlib.sha256(f"PyYAML {yaml.__version__}\0".encode())
    for module_file in (yamlfmt.__file__, __file__):
        digest.update(Path(module_file).read_bytes())
    return digest.digest()


@functools.cache
def package_salt() -> bytes:
    """Every source and schema file of the hasura_perm package, PyYAML's and Python's
    versions: what a result computed by the package (a compile, a validation) depends on
    besides its inputs. (Reading the files' content takes a few milliseconds; a memo keyed
    by their sizes and times was no faster.)"""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"PyYAML {yaml.__version__}\0Python {sys.version}\0".encode())
    for relative in _package_files(package):
        digest.update(relative.encode() + b"\0")
        digest.update((package / relative).read_bytes() + b"\0")
    return digest.digest()


def _package_files(package: Path) -> list[str]:
    found = []
    for folder, dirs, names in os.walk(package):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        base = os.path.relpath(folder, package)
        found += [
            os.path.normpath(os.path.join(base, n)) for n in names if n.endswith((".py", ".json"))
        ]
    return sorted(found)


def _key(text: str) -> str:
    return hashlib.sha256(_salt() + text.encode("utf-8")).hexdigest()


def entry_path(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.json"


def load(text: str, *, filename: str) -> object:
    """yamlfmt.load(text), from the cache when this exact text was parsed before."""
    folder = cache_dir()
    if folder is None:
        return yamlfmt.load(text, filename=filename)
    key = _key(text)
    path = entry_path(folder, key)
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        pass  # absent, unreadable or corrupt: parse
    value = yamlfmt.load(text, filename=filename)
    if is_plain(value):
        store(path, value)
    return value


def dump(entry: dict[str, Any]) -> str:
    """yamlfmt.dump(entry) (a table file), from the cache when this exact entry was dumped.

    The key is the entry as JSON, which tells apart everything dump can see in plain
    values (types, key order); an entry holding anything else is dumped each time.
    """
    folder = cache_dir()
    if folder is None or not is_plain(entry):
        return yamlfmt.dump(entry)
    try:
        as_json = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return yamlfmt.dump(entry)
    key = hashlib.sha256(_salt() + b"dump table\0" + as_json.encode("utf-8")).hexdigest()
    path = entry_path(folder, key)
    try:
        text = json.loads(path.read_bytes())
        if type(text) is str:
            return text
    except (OSError, ValueError):
        pass
    text = yamlfmt.dump(entry)
    store(path, text)
    return text


def is_plain(value: Any) -> bool:
    """True when JSON gives back exactly this value (types included)."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and is_plain(v) for k, v in value.items())
    if kind is list:
        return all(is_plain(v) for v in value)
    return kind in _PLAIN


def store(path: Path, value: Any) -> None:
    """Write `value` as JSON at `path` atomically; a failure only costs time later."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(value, handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a cache that cannot be written only costs time
