"""The relationships the foreign keys of the schema snapshot give, named as the Hasura console
names them, and how to add them to the metadata table files without touching existing ones.

The console (Data > table > Relationships, "suggested" and "track all") suggests, per table:
- an object relationship for each foreign key of the table, named after the referenced
  table in the singular (`notes.author_id -> users` gives `notes.user`);
- for each foreign key of another table pointing here: an object relationship when the
  referencing columns are that table's primary key or a unique key (one-to-one), else an
  array relationship, named after the referencing table in the plural (`users.notes`).
When the name is taken by a column or a relationship of the table (including one suggested
just before), it falls back to `<name>_by_<columns>` in lower camel case
(`userByReviewerId`), with `_1`, `_2`... until free. A foreign key already used by a
relationship of the same kind and columns is not suggested again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hasura_perm.core.inflect import pluralize
from hasura_perm.core.inflect import singularize
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_ref
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import Table


@dataclass(frozen=True)
class MetadataRelationship:
    """A relationship of a metadata table entry, its ends resolved against the snapshot."""

    name: str
    kind: str  # "object" | "array"
    target: TableName | None  # None when the metadata and the snapshot do not tell
    columns: tuple[str, ...]  # columns of this table that pick the related rows
    remote: tuple[str, ...]  # array relationship by foreign key: the other table's columns
    mapping: tuple[tuple[str, str], ...]  # (column here, column there); () when unknown


def metadata_relationships(
    table: TableName, entry: dict[str, Any], tables: dict[TableName, Table]
) -> list[MetadataRelationship]:
    """The object and array relationships of `table`'s metadata entry, in entry order.
    `tables`: the snapshot's tables, which resolve relationships by foreign key."""
    found = []
    for kind in ("object", "array"):
        for rel in entry.get(f"{kind}_relationships") or ():
            if isinstance(rel, dict) and isinstance(rel.get("name"), str):
                found.append(_resolved(table, kind, rel, tables))
    return found


def _resolved(
    table: TableName, kind: str, rel: dict[str, Any], tables: dict[TableName, Table]
) -> MetadataRelationship:
    name, using = rel["name"], rel.get("using") or {}
    manual = using.get("manual_configuration")
    if isinstance(manual, dict):
        mapping = manual.get("column_mapping") or {}
        target = table_ref(manual.get("remote_table"))
        return MetadataRelationship(name, kind, target, tuple(mapping), (), tuple(mapping.items()))
    fk = using.get("foreign_key_constraint_on")
    if isinstance(fk, dict):  # array relationship: the other table's key points at us
        target = table_ref(fk.get("table"))
        remote = fk.get("columns") or fk.get("column")
        remote = (remote,) if isinstance(remote, str) else tuple(remote or ())
        other = tables.get(target) if target else None
        for key in other.foreign_keys if other else ():
            if key.columns == remote and key.references == table:
                pairs = tuple(zip(key.ref_columns, key.columns, strict=True))
                return MetadataRelationship(name, kind, target, key.ref_columns, remote, pairs)
        this = tables.get(table)
        return MetadataRelationship(
            name, kind, target, this.primary_key if this else (), remote, ()
        )
    if fk is None:
        return MetadataRelationship(name, kind, None, (), (), ())
    columns = (fk,) if isinstance(fk, str) else tuple(fk)
    this = tables.get(table)
    for key in this.foreign_keys if this else ():
        if key.columns == columns:
            pairs = tuple(zip(key.columns, key.ref_columns, strict=True))
            return MetadataRelationship(name, kind, key.references, columns, (), pairs)
    return MetadataRelationship(name, kind, None, columns, (), ())


@dataclass(frozen=True)
class Suggestion:
    table: TableName  # the table the relationship belongs to
    kind: str  # "object" | "array"
    name: str
    target: TableName
    mapping: tuple[tuple[str, str], ...]  # (column here, column there)
    via: str  # "fk" (this table's key), "reverse" (the other table's key), "reverse_unique"

    def entry(self) -> dict[str, Any]:
        """The relationship as Hasura exports it."""
        return {"name": self.name, "using": self._using()}

    def _using(self) -> dict[str, Any]:
        here = [h for h, _ in self.mapping]
        there = [t for _, t in self.mapping]
        target = {"name": self.target.name, "schema": self.target.schema}
        if self.via == "fk":
            return {"foreign_key_constraint_on": here[0] if len(here) == 1 else here}
        if self.via == "reverse":
            key = {"column": there[0]} if len(there) == 1 else {"columns": there}
            return {"foreign_key_constraint_on": {**key, "table": target}}
        return {
            "manual_configuration": {
                "column_mapping": dict(self.mapping),
                "insertion_order": None,
                "remote_table": target,
            }
        }


def suggest(
    snapshot: Snapshot,
    tables_metadata: dict[TableName, dict[str, Any]],
    only: set[TableName] | None = None,
) -> list[Suggestion]:
    """Every relationship the console would suggest that the metadata does not have yet."""
    out: list[Suggestion] = []
    for name in sorted(snapshot.tables):
        if only is not None and name not in only:
            continue
        out += _for_table(snapshot, name, tables_metadata.get(name) or {})
    return out


def _for_table(snapshot: Snapshot, name: TableName, entry: dict[str, Any]) -> list[Suggestion]:
    table = snapshot.tables[name]
    taken = set(table.columns) | _relationship_names(entry)
    candidates: list[tuple[str, TableName, tuple[tuple[str, str], ...], str]] = []
    for fk in table.foreign_keys:
        candidates.append(
            ("object", fk.references, tuple(zip(fk.columns, fk.ref_columns, strict=True)), "fk")
        )
    arrays = []
    for other in sorted(snapshot.tables.values(), key=lambda t: t.name):
        for fk in other.foreign_keys:
            if fk.references != name:
                continue
            mapping = tuple(zip(fk.ref_columns, fk.columns, strict=True))
            if _is_unique(other, fk.columns):
                candidates.append(("object", other.name, mapping, "reverse_unique"))
            else:
                arrays.append(("array", other.name, mapping, "reverse"))
    out = []
    for kind, target, mapping, via in candidates + arrays:
        if _exists(entry, kind, target, mapping, via):
            continue
        relationship_name = _name(kind, target, mapping, taken)
        taken.add(relationship_name)
        out.append(Suggestion(name, kind, relationship_name, target, mapping, via))
    return out


def _is_unique(table: Any, columns: tuple[str, ...]) -> bool:
    return set(columns) == set(table.primary_key) or any(
        set(columns) == set(u) for u in table.unique
    )


def _relationship_names(entry: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("object_relationships", "array_relationships", "remote_relationships"):
        names |= {r["name"] for r in entry.get(key) or () if isinstance(r, dict) and "name" in r}
    fields = entry.get("computed_fields") or ()
    names |= {c["name"] for c in fields if isinstance(c, dict) and "name" in c}
    return names


def _name(
    kind: str, target: TableName, mapping: tuple[tuple[str, str], ...], taken: set[str]
) -> str:
    base = singularize(target.name) if kind == "object" else pluralize(target.name)
    if base not in taken:
        return base
    columns = (
        "_".join(h for h, _ in mapping) if kind == "object" else "_".join(t for _, t in mapping)
    )
    iteration = 0
    while True:
        suffix = f"_{iteration}" if iteration else ""
        candidate = _lower_camel(f"{base}_by_{columns}{suffix}")
        if candidate not in taken:
            return candidate
        iteration += 1


def _lower_camel(text: str) -> str:
    """`user_by_author_id` -> `userByAuthorId` (the console's camelize(name, true))."""
    first, *rest = text.split("_")
    return first[:1].lower() + first[1:] + "".join(p[:1].upper() + p[1:] for p in rest)


def _exists(
    entry: dict[str, Any],
    kind: str,
    target: TableName,
    mapping: tuple[tuple[str, str], ...],
    via: str,
) -> bool:
    """Does the table already have a relationship of this kind over these columns?"""
    for rel in entry.get(f"{kind}_relationships") or ():
        using = rel.get("using") or {} if isinstance(rel, dict) else {}
        fk = using.get("foreign_key_constraint_on")
        manual = using.get("manual_configuration")
        if via == "fk" and fk is not None and not isinstance(fk, dict):
            if _as_list(fk) == [h for h, _ in mapping]:
                return True
        if via == "reverse" and isinstance(fk, dict):
            columns = _as_list(fk.get("columns") or fk.get("column"))
            if table_ref(fk.get("table")) == target and columns == [t for _, t in mapping]:
                return True
        if isinstance(manual, dict) and table_ref(manual.get("remote_table")) == target:
            if dict(manual.get("column_mapping") or {}) == dict(mapping):
                return True
    return False


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def add_to_entry(entry: dict[str, Any], suggestions: list[Suggestion]) -> dict[str, Any]:
    """`entry` with the suggestions added; existing relationships are kept as they are and
    each list is sorted by name, as Hasura exports it."""
    out = dict(entry)
    for kind in ("object", "array"):
        new = [s.entry() for s in suggestions if s.kind == kind]
        if not new:
            continue
        key = f"{kind}_relationships"
        out[key] = sorted([*(entry.get(key) or []), *new], key=lambda r: str(r.get("name")))
    return out
