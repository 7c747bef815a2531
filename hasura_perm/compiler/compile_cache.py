"""Compiled permissions of one table, remembered by everything their compile reads.

Compiling a thousand tables' rules (expanding conditions, checking every column and
operator against the catalog) was most of `plan` and `drift`, which compile the project
before comparing it with the server. A table's compiled permissions are a function of:

- the tool's code: every source and schema file of the `hasura_perm` package, PyYAML's
  and Python's versions (`code_salt`);
- the definitions every table shares: every field of the Spec (each role, session
  variable, condition, column set, preset, default, action and remote schema entry, the
  `cognito:` section, and any section added later), each with its value, file, path and
  the SHA-256 of its file's text (which fixes every location in it);
- the catalog: the snapshot file's digest (the Snapshot is read from nothing else),
  every metadata table entry without its permission lists, the relationships and
  computed fields learnt from them, and where each table file is (the managed tables
  follow from the table files' names, the defaults and the snapshot);
- the table's own file: its name, digest and path.

The key of a table is the SHA-256 of all of these, so a change to any of them gives
another key and no stale entry can be returned. The permission lists of metadata entries
are left out on purpose: compile reads them only to word the hint of an error
(schema/catalog.py `missing_relationship_note`), and a table whose compile reported any
problem is never stored. What is stored is the table's permissions (bodies, comments,
locations, origins) and the session variables and conditions its compile used, as JSON;
the bodies are JSON's types already (tests/compiler/compile_cache_test.py checks it, and
that a hit gives exactly what compiling gives). Entries live in the cache
(core/cache_store.py; HASURA_PERM_CACHE_DIR=off turns this off too).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from hasura_perm.core import parse_cache
from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.permission import Permission
from hasura_perm.schema.catalog import Catalog
from hasura_perm.spec import Node
from hasura_perm.spec import Spec

FORMAT = b"compiled-table-1"


class Unkeyable(Exception):
    """Some input cannot be fingerprinted exactly: compile without the cache."""


def code_salt() -> bytes:
    return FORMAT + parse_cache.package_salt()


class TableCache:
    """Looks up and stores one table's compiled permissions; see the module docstring."""

    def __init__(self, shared: bytes, spec: Spec) -> None:
        self.shared, self.spec = shared, spec
        self.keys: dict[TableName, str] = {}  # the tables keyed so far

    @classmethod
    def open(cls, spec: Spec, catalog: Catalog) -> TableCache | None:
        """The cache for this spec and catalog, or None (cache off, or an input that cannot
        be fingerprinted)."""
        if parse_cache.store() is None:
            return None
        try:
            shared = _shared_digest(spec, catalog)
        except Unkeyable:
            return None
        return cls(shared, spec)

    def key(self, table: TableName) -> str | None:
        node = self.spec.tables.get(table)
        if node is None:
            own: Any = None
        elif node.path == () and node.value is node.doc.data and node.doc.digest:
            own = [node.doc.file, node.doc.digest]
        else:
            return None  # a table node that is not its file's root: not fingerprinted
        text = json.dumps([str(table), table.schema, table.name, own], ensure_ascii=False)
        key = self.keys[table] = hashlib.sha256(self.shared + text.encode("utf-8")).hexdigest()
        return key

    def get(self, key: str, table: TableName) -> Hit | None:
        try:
            stored = json.loads(parse_cache.get(key) or b"")
            return _compiled(stored, table)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None  # absent, unreadable or corrupt: compile

    def text_key(self, key: str, metadata_file: str | None) -> str:
        """The key of a table file's planned text: a function of the table's compile (key)
        and of the metadata file's text it is merged into (None: a new file)."""
        # Hashed as it is, not through JSON: the texts of a thousand table files are ~10 MB.
        digest = hashlib.sha256(self.shared + b"planned text\0" + key.encode())
        if metadata_file is None:
            digest.update(b"\0a new file")
        else:
            digest.update(b"\0the file\0" + metadata_file.encode("utf-8"))
        return digest.hexdigest()

    def get_text(self, key: str, current: str | None) -> str | None:
        """The planned text remembered under `key` (`current`: the file's text now, which
        is the answer when the entry says the file is already what compile plans)."""
        try:
            text = json.loads(parse_cache.get(key) or b"")
        except ValueError:
            return None
        if text is True:
            return current
        return text if type(text) is str else None

    def put_text(self, key: str, text: str) -> None:
        parse_cache.put(key, text)

    def remember_written(self, key: str, text: str, entry: dict[str, Any]) -> None:
        """After planning `text` for a table's file: remember what that text parses to, and
        that compiling the same table into it gives it back (merging is idempotent), so a
        run after `compile` neither parses nor merges nor dumps that file again. Only for
        an entry that parsing the text gives back unchanged, which `remember_parse` decides
        from the JSON alone: parsing gives JSON's types (lists for tuples, str, int), so an
        entry needs no `is_plain` here, only text that dump writes faithfully."""
        as_json = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        if parse_cache.remember_parse(text, as_json):
            parse_cache.put(self.text_key(key, text), True)  # "the file is what compile plans"

    def put(self, key: str, compiled: Hit) -> None:
        permissions, session_used, conditions_used = compiled
        # No `is_plain` walk over the bodies: compile builds them from the spec reader's
        # JSON types with dicts and lists (canonical_permission), as plan needs to compare
        # them with the server's JSON; tests/compiler/compile_cache_test.py checks it.
        value = {
            "permissions": _permissions_json(permissions),
            "session_used": sorted(session_used),
            "conditions_used": sorted(conditions_used),
        }
        parse_cache.put(key, value)


# A table's permissions, and the session variables and conditions its compile used.
Hit = tuple[list[Permission], set[str], set[str]]


def _permissions_json(permissions: list[Permission]) -> list[list[Any]]:
    """Each permission as a list; a body that is the same object as an earlier one's (an
    inherited permission shares its parent's) is stored as that one's index, which made
    entries about half as large."""
    out: list[list[Any]] = []
    first_with: dict[int, int] = {}  # id of a body -> index of the first permission with it
    for index, p in enumerate(permissions):
        where = (
            None if p.location is None else [p.location.file, p.location.line, p.location.column]
        )
        body: Any = first_with.setdefault(id(p.body), index)
        if body == index:
            body = p.body
        out.append([p.action, p.role, body, p.comment, where, p.origin, p.expands_all])
    return out


def _compiled(stored: dict[str, Any], table: TableName) -> Hit:
    permissions: list[Permission] = []
    for action, role, body, comment, where, origin, expands in stored["permissions"]:
        location = None if where is None else Location(*where)
        if type(body) is int:  # the body of an earlier permission, shared as compiled
            if not 0 <= body < len(permissions):
                raise IndexError(body)  # a corrupt entry: compile instead
            body = permissions[body].body
        permissions.append(
            Permission(table, action, role, body, comment, location, origin, expands)
        )
    return permissions, set(stored["session_used"]), set(stored["conditions_used"])


def _shared_digest(spec: Spec, catalog: Catalog) -> bytes:
    digest = hashlib.sha256(code_salt())
    for part in _shared_parts(spec, catalog):
        if not parse_cache.is_plain(part):
            raise Unkeyable
        try:
            text = json.dumps(part, ensure_ascii=False, separators=(",", ":"))
        except ValueError:
            raise Unkeyable from None
        digest.update(text.encode("utf-8") + b"\n")
    return digest.digest()


def _shared_parts(spec: Spec, catalog: Catalog) -> Iterator[Any]:
    """Every input a table's compile may read, other than the table's own file, as JSON."""
    for part in dataclasses.fields(spec):
        value = getattr(spec, part.name)
        if part.name == "tables":
            # which file holds which table (each table's own file is in its own key)
            yield ["tables", [[str(name), node.doc.file] for name, node in value.items()]]
        elif part.name == "files":
            yield ["files", value]
        elif isinstance(value, dict):
            yield [part.name, [[name, *_node(node)] for name, node in value.items()]]
        elif isinstance(value, list):
            yield [part.name, [_node(node) for node in value]]
        elif isinstance(value, set | frozenset) and all(type(v) is str for v in value):
            yield [part.name, sorted(value)]
        elif value is None or isinstance(value, Node):
            yield [part.name, None if value is None else _node(value)]
        else:
            raise Unkeyable  # a kind of definition this module does not know how to key
    snapshot = catalog.snapshot.document
    if snapshot is None or not snapshot.digest:
        raise Unkeyable
    yield ["snapshot", snapshot.file, snapshot.digest, len(catalog.snapshot.tables)]
    yield ["where", catalog.metadata_dir, catalog.source]
    yield ["table files", [[str(t), f] for t, f in catalog.table_files.items()]]
    permission_lists = set(PERMISSION_KEYS.values())
    for name, entry in catalog.entries.items():
        rest = {k: v for k, v in entry.items() if k not in permission_lists}
        yield ["entry", str(name), list(rest), rest]
    yield [
        "relationships",
        [
            [str(t), [[r.name, r.kind, str(r.target) if r.target else None] for r in rels.values()]]
            for t, rels in catalog.relationships.items()
        ],
    ]
    yield ["computed", [[str(t), sorted(f)] for t, f in catalog.computed_fields.items()]]


def _place(node: Node) -> list[Any]:
    if not node.doc.digest:
        raise Unkeyable
    return [node.doc.file, node.doc.digest, list(node.path)]


def _node(node: Node) -> list[Any]:
    """Where a definition is (its file's digest fixes every location in it) and its value
    (a default's value can differ from its file's: by_source.py drops other sources)."""
    return [*_place(node), node.value]
