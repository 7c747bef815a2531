"""Compile, import and schema pull never write outside the folder they write into.

Table, schema and source names become file names; Hasura takes them from Postgres (any
text up to 63 bytes) and the CLI pastes them into paths unchecked, so a `/`, `..` or an
absolute name used to make compile write wherever it pointed. Every written path is now
checked by one helper (hasura_perm/core/paths.py) as well."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.paths import file_name_problem
from hasura_perm.metadata.directory import write_files
from tests.helpers import DEFAULT_SCHEMA
from tests.helpers import NOTES_METADATA
from tests.helpers import run_cli
from tests.helpers import write
from tests.hostile.support import ROLES
from tests.hostile.support import project
from tests.hostile.support import snapshot_tree


def _files_outside(tmp_path: Path, root: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file() and root not in p.parents and p != root]


@pytest.mark.parametrize(
    "table",
    [
        "{outside}/pwn.x",  # absolute: `schema_name.yaml` becomes an absolute path
        "public.sub/dir",
        "public.a\\b",
        "public.ok\x07bell",
    ],
)
def test_table_names_that_would_leave_metadata_are_refused(tmp_path: Path, table: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    table = table.format(outside=outside)
    schema = {**DEFAULT_SCHEMA, table: {"columns": {"id": "integer"}}}
    rules = f"table: {table!r}\nselect:\n  viewer: {{columns: [id], filter: {{}}}}\n"
    root = project(tmp_path, {"tables/evil.yaml": rules}, schema=schema)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1, result.out
    assert "permissions/schema.yaml:" in result.err
    assert "cannot be part of a file name" in result.err or "cannot be a file name" in result.err
    assert not (root / "metadata").exists()
    assert _files_outside(tmp_path, root) == []


def test_source_name_that_climbs_out_is_refused_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path, config="version: 1\nsource: ../../../../elsewhere\n")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "hasura-perm.yaml:2:" in result.err
    assert "source name" in result.err and "`/`" in result.err
    assert _files_outside(tmp_path, root) == []


@pytest.mark.parametrize("key", ["permissions", "metadata", "schema"])
def test_project_paths_must_stay_in_the_project(tmp_path: Path, key: str) -> None:
    root = project(tmp_path, config=f"version: 1\n{key}: ../..\n")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert f"hasura-perm.yaml:2:1: `{key}: ../..` points outside the project folder" in result.err


def test_include_climbing_out_of_metadata_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    victim = write(tmp_path, "victim.yaml", "table: {name: notes, schema: public}\n")
    listing = root / "metadata" / "databases" / "default" / "tables" / "tables.yaml"
    listing.write_text('- "!include ../../../../victim.yaml"\n')
    before = victim.read_bytes()
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert f"{listing}:1:3: `!include ../../../../victim.yaml` points outside metadata/" in (
        result.err
    )
    assert victim.read_bytes() == before


def test_tables_include_climbing_out_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    databases = root / "metadata" / "databases" / "databases.yaml"
    databases.write_text(
        databases.read_text().replace("default/tables/tables.yaml", "../../../x/tables.yaml")
    )
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert f"{databases}:9:" in result.err and "points outside metadata/" in result.err
    assert _files_outside(tmp_path, root) == []


def test_a_linked_tables_folder_leading_out_is_never_written(tmp_path: Path) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    tables = root / "metadata" / "databases" / "default" / "tables"
    outside = tmp_path / "outside"
    tables.rename(outside)
    tables.symlink_to(outside)
    before = snapshot_tree(outside)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "outside the project" in result.err or "outside metadata" in result.err
    assert snapshot_tree(outside) == before


def test_import_refuses_table_names_that_are_not_file_names(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata"
    entry = (
        "table:\n  name: ../../../../pwn\n  schema: public\n"
        "select_permissions:\n  - role: viewer\n    permission:\n      columns: [id]\n"
        "      filter: {}\n"
    )
    from tests.helpers import write_metadata

    write_metadata(metadata, {"public.safe_name": entry})
    schema = write(
        tmp_path, "schema.yaml", {"tables": {"public.x": {"columns": {"id": "integer"}}}}
    )
    out = tmp_path / "out"
    result = run_cli(
        "import", "--metadata", str(metadata), "--schema", str(schema), "--out", str(out)
    )
    assert result.code == 1
    assert "table name" in result.err and "`/`" in result.err
    assert not out.exists()
    assert not (tmp_path.parent / "pwn").exists()


def test_write_files_refuses_paths_outside_the_folder(tmp_path: Path) -> None:
    inside = tmp_path / "metadata"
    inside.mkdir()
    with pytest.raises(HasuraPermError, match="outside"):
        write_files({inside / ".." / "escaped.yaml": "x\n"}, inside=inside)
    link = inside / "link"
    link.symlink_to(tmp_path)
    with pytest.raises(HasuraPermError, match="outside"):
        write_files({link / "escaped.yaml": "x\n"}, inside=inside)
    assert not (tmp_path / "escaped.yaml").exists()


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("notes", True),
        ("Ünïcode tåble", True),
        ("with.dot", True),
        ("x" * 63, True),
        ("x" * 64, False),
        ("é" * 32, False),  # 64 bytes
        ("a/b", False),
        ("a\\b", False),
        ("..", False),
        (".", False),
        ("", False),
        ("tab\there", False),
        ("nul\x00", False),
    ],
)
def test_file_name_rule_follows_postgres_identifiers(name: str, ok: bool) -> None:
    assert (file_name_problem(name, "table") is None) is ok


def test_roles_file_unchanged_by_path_checks(tmp_path: Path) -> None:
    # A valid project still compiles (the checks add no false refusals).
    root = project(tmp_path, {"roles.yaml": ROLES})
    assert run_cli("--project", str(root), "compile").code == 0
