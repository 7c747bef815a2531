"""Parsed spec files, remembered by content so an unchanged file is not parsed again.

A spec file's Document (its values and the line and column of every node) depends only
on its text and the reader's code, so the key is the SHA-256 of the text and of the source
of yaml_source.py and this module: a changed file or reader cannot get a stale Document.
The file is read by the reader's `read_text` on every run (links, size, encoding), and
only texts that `load_text` accepted are stored, so every refusal (YAML errors, anchors,
tags, depth, ...) is still made by the reader itself.

Locations are stored as one flat list of (line, column) in the order of a walk over the
value, which visits every node the reader located; see `_walk`. The cache folder is the
metadata parse cache's (hasura_perm/core/parse_cache.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
from itertools import chain
from pathlib import Path
from typing import Any

from hasura_perm.core import parse_cache as shared
from hasura_perm.core import yaml_source
from hasura_perm.core.reading import read_text
from hasura_perm.core.yaml_source import Document

FORMAT = b"spec-document-2"


@functools.cache
def _salt() -> bytes:
    digest = hashlib.sha256(FORMAT + shared._salt())  # includes PyYAML's version
    for module_file in (yaml_source.__file__, __file__):
        digest.update(Path(module_file).read_bytes())
    return digest.digest()


def load_file(path: Path, display_name: str | None = None, *, root: Path | None = None) -> Document:
    """yaml_source.load_file(path, display_name, root=root), without parsing a known text.

    The file is always read by the reader's own `read_text` (links, size, encoding), so
    only the parse, a function of the text alone, is skipped."""
    name = display_name or str(path)
    entries = shared.store()
    if entries is None:
        return yaml_source.load_file(path, name, root=root)
    text = read_text(path, name, limit=yaml_source.MAX_FILE_BYTES, root=root)
    key = hashlib.sha256(_salt() + text.encode("utf-8")).hexdigest()
    raw = entries.get(key)
    if raw is not None:
        try:
            stored = json.loads(raw)
            return _StoredDocument(name, stored["data"], stored["marks"], stored["nodes"], raw, key)
        except (ValueError, KeyError, TypeError, IndexError):
            pass  # corrupt: parse
    doc = yaml_source.load_text(text, name)
    doc.digest = key
    if doc.data is not None:
        # The reader builds only JSON's types (dict, list, str, int, float, bool, None).
        marks = _marks(doc)
        shared.put(key, {"data": doc.data, "marks": marks, "nodes": len(marks) // 2})
    return doc


def _walk(value: Any, path: tuple[Any, ...], out: list[tuple[Any, ...]]) -> None:
    out.append(path)
    if type(value) is dict:
        for key, child in value.items():
            _walk(child, (*path, key), out)
    elif type(value) is list:
        for index, child in enumerate(value):
            _walk(child, (*path, index), out)


def _marks(doc: Document) -> list[int]:
    """The locations as a flat list in the order of `_walk`, which is the order the reader
    records them in: each node when it is read, a mapping's value under its key's location
    (tests/core/located_cache_test.py checks this on every spec file we have)."""
    return list(chain.from_iterable(doc.locations.values()))


class _StoredDocument(Document):
    """A Document from the cache. Its locations are rebuilt when first asked for: most runs
    never ask (a rule's location is needed only to report a problem in it, or to compile it
    when its compile is not remembered), and rebuilding them was a third of reading the
    entry. They are rebuilt from the entry as stored, not from `data`, which a caller may
    have changed since (permission tests' mutants do)."""

    def __init__(
        self, name: str, data: Any, marks: Any, nodes: Any, raw: bytes, digest: str
    ) -> None:
        if type(nodes) is not int or type(marks) is not list or len(marks) != 2 * nodes:
            raise ValueError("locations do not fit the value")
        self.file, self.data, self.digest = name, data, digest
        self._raw: bytes | None = raw
        self._locations: dict[tuple[Any, ...], tuple[int, int]] = {}

    @property
    def locations(self) -> dict[tuple[Any, ...], tuple[int, int]]:  # type: ignore[override]
        if self._raw is not None:
            stored = json.loads(self._raw)
            self._locations = _locations(stored["data"], stored["marks"])
            self._raw = None
        return self._locations

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.file, self.data, self.locations) == (other.file, other.data, other.locations)

    __hash__ = None  # type: ignore[assignment]  # as a dataclass Document's


def _locations(data: Any, marks: list[int]) -> dict[tuple[Any, ...], tuple[int, int]]:
    paths: list[tuple[Any, ...]] = []
    _walk(data, (), paths)
    if len(marks) != 2 * len(paths):
        return {}  # an entry edited by hand: locations unknown rather than wrong
    it = iter(marks)
    return {p: (line, column) for p, line, column in zip(paths, it, it, strict=True)}
