"""Parsed metadata table files, remembered by content so an unchanged file is not parsed again.

Reading metadata/ back was most of a no-op `compile --check` on large projects: PyYAML
builds every value in Python. A table file's parsed entry depends on nothing but its
text and the loader's code, so the cache key is the SHA-256 of both (the loader's code is
the source of yamlfmt.py and of this module, plus PyYAML's version). A changed file, or a changed loader, has
another key: a stale entry cannot be returned. Entries are stored as JSON (parsed in C)
in the cache's SQLite file (core/cache_store.py); an unreadable or corrupt entry is
treated as absent. Only plain JSON values are cached (an `!include` string is a `str`
subclass and is parsed each time instead).

The cache lives in $HASURA_PERM_CACHE_DIR, else $XDG_CACHE_HOME/hasura-perm, else
~/.cache/hasura-perm; HASURA_PERM_CACHE_DIR=off turns it off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from hasura_perm.core import yamlfmt
from hasura_perm.core.cache_store import Store
from hasura_perm.core.cache_store import store_in

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


def store() -> Store | None:
    """The cache's entries, or None when the cache is off or cannot be used."""
    folder = cache_dir()
    return None if folder is None else store_in(folder)


def get(key: str) -> bytes | None:
    """The entry stored under `key`, if any."""
    entries = store()
    return None if entries is None else entries.get(key)


def put(key: str, value: Any) -> None:
    """Store `value` as JSON under `key`. Callers store only values that JSON gives back
    exactly: checked with `is_plain`, or JSON's types by construction."""
    # json.dumps, not json.dump: dump into a file takes the pure-Python encoder.
    try:
        as_json = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return  # a value JSON cannot hold (a cycle): not cached
    put_json(key, as_json)


def put_json(key: str, as_json: str) -> None:
    entries = store()
    if entries is not None:
        entries.put(key, as_json.encode("utf-8"))


def load(text: str, *, filename: str) -> object:
    """yamlfmt.load(text), from the cache when this exact text was parsed before."""
    entries = store()
    if entries is None:
        return yamlfmt.load(text, filename=filename)
    key = _key(text)
    stored = entries.get(key)
    if stored is not None:
        try:
            return json.loads(stored)
        except ValueError:
            pass  # corrupt: parse
    value = yamlfmt.load(text, filename=filename)
    if is_plain(value):
        put(key, value)
    return value


def dump(entry: dict[str, Any]) -> str:
    """yamlfmt.dump(entry) (a table file), from the cache when this exact entry was dumped.

    The key is the entry as JSON, which tells apart everything dump can see in plain
    values (types, key order); an entry holding anything else is dumped each time.
    """
    entries = store()
    if entries is None or not is_plain(entry):
        return yamlfmt.dump(entry)
    try:
        as_json = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return yamlfmt.dump(entry)
    key = hashlib.sha256(_salt() + b"dump table\0" + as_json.encode("utf-8")).hexdigest()
    stored = entries.get(key)
    if stored is not None:
        try:
            text = json.loads(stored)
            if type(text) is str:
                return text
        except ValueError:
            pass
    text = yamlfmt.dump(entry)
    put(key, text)
    remember_parse(text, as_json)
    return text


def remember_parse(text: str, as_json: str) -> bool:
    """Store `as_json` as what parsing `text` gives, when dump wrote `text` for that value
    and it is a value that parsing gives back unchanged; returns whether it did.

    The next run reads back the files compile writes (a no-op `compile --check` reads
    every table file), so what they parse to is known before they are first read."""
    if _read_back_may_differ(as_json) or store() is None:
        return False
    put_json(_key(text), as_json)
    return True


# What dump writes in a way that load may not give back as the same JSON value: escapes
# (line breaks, which blocks may alter; tabs; control characters), characters YAML
# treats specially (C1 controls, line and paragraph separators, BOM), integers beyond
# 64 bits (read back as floats, as go-yaml does), the float specials, `!include` strings
# (read back as references) and merge keys. Literal texts are looked for with `in`,
# which is several times faster than one regular expression for all of them.
_SPECIAL_CHARACTER = re.compile(r"[\\\x7f-\x9f\u2028\u2029\ufeff]")
_LONG_NUMBER = re.compile(r"[0-9]{19}")
_SPECIAL_TEXTS = ("NaN", "Infinity", '"!include ', '"<<"')


def _read_back_may_differ(as_json: str) -> bool:
    return (
        any(text in as_json for text in _SPECIAL_TEXTS)
        or _SPECIAL_CHARACTER.search(as_json) is not None
        or _LONG_NUMBER.search(as_json) is not None
    )


def is_plain(value: Any) -> bool:
    """True when JSON gives back exactly this value (types included)."""
    kind = type(value)
    if kind is dict:
        return set(map(type, value)) <= _STR and _all_plain(value.values())
    if kind is list:
        return _all_plain(value)
    return kind in _PLAIN


_STR = {str}


def _all_plain(values: Iterable[Any]) -> bool:
    # The leaves are tested inline rather than by a call each: this runs over every entry
    # the cache stores, and a call per value was most of its cost.
    for item in values:
        kind = type(item)
        if kind is dict or kind is list:
            if not is_plain(item):
                return False
        elif kind not in _PLAIN:
            return False
    return True
