"""The catalog later stages ask: columns and types from a snapshot on disk, relationships and
computed fields from a real metadata directory, and the hint for a relationship that is
missing from the metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.names import TableName
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.catalog import Relationship
from hasura_perm.schema.catalog import missing_relationship_note
from hasura_perm.schema.catalog import type_category
from hasura_perm.schema.catalog import yaml_flow
from hasura_perm.schema.snapshot import load_snapshot
from tests.helpers import NOTES_METADATA
from tests.helpers import USERS_METADATA
from tests.helpers import make_project

NOTES = TableName("public", "notes")
USERS = TableName("public", "users")
SOURCE = "relationships are read from the Hasura metadata table files"


def _catalog(root: Path, metadata: dict[str, str]) -> Catalog:
    """The catalog as build() makes it, from the project's files on disk."""
    make_project(root, metadata=metadata)
    snapshot = load_snapshot(root / "permissions/schema.yaml", "permissions/schema.yaml", root=root)
    catalog = Catalog(snapshot)
    for name, table_file in read_metadata(root / "metadata", "default").tables.items():
        catalog.add_table_metadata(name, table_file.entry)
    return catalog


@pytest.mark.parametrize(
    ("pg_type", "category"),
    [
        ("text", "text"),
        ("character varying", "text"),
        ("public.citext", "text"),  # an extension type in public is known by its name
        ("int8", "integer"),
        ("INTEGER", "integer"),
        ("numeric", "number"),
        ("double precision", "number"),
        ("bool", "boolean"),
        ("jsonb", "jsonb"),
        ("geography", "geography"),
        ("text[]", "array"),
        ("integer[]", "array"),
        ("uuid", "other"),
        ("timestamp with time zone", "other"),
    ],
)
def test_type_category(pg_type: str, category: str) -> None:
    assert type_category(pg_type) == category


def test_relationships_and_computed_fields_come_from_the_metadata(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, {"public.notes": NOTES_METADATA, "public.users": USERS_METADATA})
    assert catalog.relationships[NOTES] == {
        # foreign_key_constraint_on a column: the target is the snapshot's foreign key
        "author": Relationship("author", "object", USERS),
        "owner": Relationship("owner", "object", USERS),  # manual_configuration
    }
    assert catalog.relationships[USERS] == {
        "notes": Relationship("notes", "array", NOTES),
        # the target table need not be in the snapshot: the metadata names it
        "ghosts": Relationship("ghosts", "array", TableName("public", "ghosts")),
    }
    assert catalog.computed_fields == {NOTES: {"title_upper"}}
    assert catalog.entries[NOTES]["table"] == {"name": "notes", "schema": "public"}


def test_fields_are_columns_then_relationships_then_computed_fields(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, {"public.notes": NOTES_METADATA})
    table = catalog.table(NOTES)
    assert table is not None
    assert catalog.fields(NOTES) == [*table.columns, "author", "owner", "title_upper"]
    assert catalog.table(TableName("public", "ghosts")) is None
    assert catalog.fields(TableName("public", "ghosts")) == []


def test_a_column_without_a_foreign_key_gives_no_target(tmp_path: Path) -> None:
    entry = """\
        table: {name: notes, schema: public}
        object_relationships:
          - name: scorer
            using: {foreign_key_constraint_on: score}
          - name: string_table
            using:
              manual_configuration:
                remote_table: users
                column_mapping: {author_id: id}
        """
    catalog = _catalog(tmp_path, {"public.notes": entry})
    assert catalog.relationships[NOTES]["scorer"].target is None
    # A bare string remote_table is a table in `public`, as Hasura reads it.
    assert catalog.relationships[NOTES]["string_table"].target == USERS


def test_the_note_for_a_missing_relationship_gives_the_entry_to_add(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, {})
    note = missing_relationship_note(catalog, NOTES, "user", "")
    assert SOURCE in note
    assert "metadata/databases/default/tables/public_notes.yaml" in note
    assert "The foreign key between public.notes (author_id) and public.users (id)" in note
    assert "run `hasura-perm relationships add --table public.notes`" in note
    assert (
        "`object_relationships: [{name: user, using: {foreign_key_constraint_on: author_id}}]`"
        in (note)
    )


def test_the_note_for_a_near_miss_suggests_the_relationship(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, {})
    note = missing_relationship_note(catalog, NOTES, "usr", "")
    assert note.startswith("; did you mean `user`, a relationship its foreign keys give?")


def test_the_note_keeps_the_callers_hint_and_lists_what_foreign_keys_give(
    tmp_path: Path,
) -> None:
    catalog = _catalog(tmp_path, {"public.users": "table: {name: users, schema: public}\n"})
    note = missing_relationship_note(catalog, USERS, "zzz", "; did you mean `email`?")
    assert note.startswith("; did you mean `email`? (")
    assert "its foreign keys give `notes`" in note
    # The metadata has a file for the table: the note names it, as compile showed it.
    catalog.table_files[USERS] = "hasura/users.yaml"
    assert "(hasura/users.yaml)" in missing_relationship_note(catalog, USERS, "zzz", "")


def test_the_note_without_foreign_keys_or_table(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, {})
    log = TableName("audit", "log")
    assert missing_relationship_note(catalog, log, "x", "") == (
        f"; {SOURCE} (metadata/databases/default/tables/audit_log.yaml), not from the schema "
        "snapshot"
    )
    # A table the snapshot does not know: only the caller's hint.
    assert missing_relationship_note(catalog, TableName("nope", "x"), "x", "H") == "H"


def test_yaml_flow() -> None:
    value = {"name": "user", "using": {"columns": ["a", "b"], "order": None}}
    assert yaml_flow(value) == "{name: user, using: {columns: [a, b], order: null}}"
