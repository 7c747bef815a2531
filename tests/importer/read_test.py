"""Reading Hasura metadata: CLI v3 directory, the older v2 single file, a server export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.importer import EXPORT_FILE
from hasura_perm.importer import read_export
from hasura_perm.importer import read_metadata_dir
from tests.helpers import line_of
from tests.helpers import write
from tests.importer.helpers import block
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

TABLES = {"public.authors": {"id": "integer", "name": "text", "bio": "text"}}
AUTHORS = TableName("public", "authors")


def entries() -> list[dict]:
    return [
        table_entry(
            "public.authors",
            select_permissions=[
                block("viewer", columns=["name", "id"], filter={"id": {"$eq": "X-Hasura-User-Id"}}),
                block("editor", "", columns="*", filter={}),
            ],
            update_permissions=[block("editor", columns=["bio"], filter={}, check=None)],
        )
    ]


def test_v3_blocks_keep_file_line_raw_form_and_canonical_body(tmp_path: Path) -> None:
    case = scenario(tmp_path, entries(), snapshot_of(TABLES))
    read = read_metadata_dir(case.metadata)
    assert (read.layout, read.source, read.blocks, read.roles) == (
        "config v3",
        "default",
        3,
        ["editor", "viewer"],
    )
    viewer = read.block(AUTHORS, "select", "viewer")
    path = case.metadata / "databases" / "default" / "tables" / "public_authors.yaml"
    assert viewer.line == line_of(path, "- role: viewer")
    assert Path(viewer.file).name == "public_authors.yaml"
    assert viewer.raw["columns"] == ["name", "id"]  # as written
    assert viewer.body == {"columns": ["id", "name"], "filter": {"id": {"$eq": "X-Hasura-User-Id"}}}
    editor = read.block(AUTHORS, "select", "editor")
    assert editor.comment == ""  # kept as written; the importer normalises it
    update = read.block(AUTHORS, "update", "editor")
    assert update.body == {"columns": ["bio"], "filter": {}, "check": None}
    assert read.tables[AUTHORS].entry["table"] == {"name": "authors", "schema": "public"}
    text = path.read_text().splitlines()
    first_key = next(i for i, line in enumerate(text) if line.startswith("select_permissions"))
    assert read.permission_lines == len(text) - first_key
    assert viewer.lines + editor.lines + update.lines + 2 == read.permission_lines


def test_v2_single_file_layout_reads_and_imports(tmp_path: Path) -> None:
    case = scenario(tmp_path, entries(), snapshot_of(TABLES), layout="v2")
    read = read_metadata_dir(case.metadata)
    assert (read.layout, read.blocks) == ("config v2", 3)
    viewer = read.block(AUTHORS, "select", "viewer")
    assert viewer.line == line_of(case.metadata / "tables.yaml", "- role: viewer")
    result = case.run()
    assert result.code == 0, result.err
    assert "(config v2, source default): 1 tables, 3 permission blocks" in result.out
    assert (tmp_path / "permissions" / "tables" / "public.authors.yaml").is_file()


def test_an_export_is_read_whatever_its_wrapping(tmp_path: Path) -> None:
    source = {"name": "default", "kind": "postgres", "tables": entries()}
    metadata = {"version": 3, "sources": [source], "inherited_roles": []}
    for document in (metadata, {"resource_version": 7, "metadata": metadata}):
        read = read_export(document)
        assert (read.layout, read.blocks, read.metadata) == (
            "export_metadata",
            3,
            {"version": 3, "inherited_roles": []},
        )
        viewer = read.block(AUTHORS, "select", "viewer")
        assert (viewer.file, viewer.line) == (EXPORT_FILE, 0)
        assert viewer.lines > 0
    old = read_export({"version": 2, "tables": entries()})
    assert (old.layout, old.blocks) == ("export_metadata (version 2)", 3)
    saved = write(tmp_path, "export.json", json.dumps(metadata))
    from_file = read_metadata_dir(saved)
    assert (from_file.origin, from_file.blocks) == (str(saved), 3)


def test_sources_are_chosen_by_name_or_when_there_is_only_one(tmp_path: Path) -> None:
    source = {"name": "main", "kind": "postgres", "tables": entries()}
    other = {"name": "archive", "kind": "postgres", "tables": []}
    assert read_export({"version": 3, "sources": [source]}).source == "main"
    read = read_export({"version": 3, "sources": [source, other]}, "main")
    assert read.other_sources == ["archive"]
    with pytest.raises(HasuraPermError, match="several sources \\(main, archive\\)"):
        read_export({"version": 3, "sources": [source, other]})
    with pytest.raises(HasuraPermError, match="has no source \\(database\\) named 'nope'"):
        read_export({"version": 3, "sources": [source]}, "nope")


def test_a_folder_that_is_not_metadata_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HasuraPermError, match="is not a Hasura metadata directory"):
        read_metadata_dir(tmp_path)
