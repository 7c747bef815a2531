"""The metadata directory as read: where a source's table files live."""

from __future__ import annotations

from pathlib import Path

from hasura_perm.core.names import TableName
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.metadata.table_files import TableFile


def test_table_files_live_beside_tables_yaml_else_under_the_source(tmp_path: Path) -> None:
    meta = MetadataDir(tmp_path, "timetables")
    assert meta.tables_dir == tmp_path / "databases" / "timetables" / "tables"
    meta.tables_list = tmp_path / "elsewhere" / "tables.yaml"
    assert meta.tables_dir == tmp_path / "elsewhere"


def test_read_metadata_fills_one_table_file_per_table(tmp_path: Path) -> None:
    tables = tmp_path / "databases" / "default" / "tables"
    tables.mkdir(parents=True)
    (tmp_path / "databases" / "databases.yaml").write_text(
        '- name: default\n  kind: postgres\n  tables: "!include default/tables/tables.yaml"\n'
    )
    (tables / "tables.yaml").write_text('- "!include public_notes.yaml"\n')
    (tables / "public_notes.yaml").write_text("table:\n  name: notes\n  schema: public\n")
    meta = read_metadata(tmp_path, "default")
    assert list(meta.tables) == [TableName("public", "notes")]
    found = meta.tables[TableName("public", "notes")]
    assert isinstance(found, TableFile) and found.path == tables / "public_notes.yaml"
    assert found.entry == {"table": {"name": "notes", "schema": "public"}}
