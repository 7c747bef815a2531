"""The Moped corpus: 70 tables, 306 permission blocks, three roles (the main real case)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hasura_perm.metadata.read import read_metadata_dir
from tests.helpers import load_yaml
from tests.helpers import run_cli
from tests.helpers import write
from tests.importer.helpers import expected_of
from tests.importer.helpers import moped
from tests.importer.helpers import moped_snapshot
from tests.importer.helpers import moped_snapshot_data

PERMISSION_KEYS = (
    "insert_permissions",
    "select_permissions",
    "update_permissions",
    "delete_permissions",
)


def permission_block_lines(tables_dir: Path) -> int:
    """Lines under the top-level `*_permissions:` keys of every table file, keys included,
    counted from the text alone (each line belongs to the last top-level key above it)."""
    total = 0
    for path in sorted(tables_dir.glob("*.yaml")):
        if path.name == "tables.yaml":
            continue
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line[0].isspace() and not line.startswith("- "):
                current = line.split(":", 1)[0]
            if current in PERMISSION_KEYS:
                total += 1
    return total


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made from a copy of the Moped metadata, imported with `hasura-perm import`."""
    root = tmp_path_factory.mktemp("moped")
    shutil.copytree(moped() / "metadata", root / "metadata")
    write(root, "permissions/schema.yaml", moped_snapshot_data())
    write(root, "hasura-perm.yaml", "version: 1\n")
    result = run_cli("import", "--metadata", "metadata", "--out", "report.json", cwd=root)
    assert result.code == 0, result.err
    (root / "stdout.txt").write_text(result.out, encoding="utf-8")
    return root


def imported_files(root: Path) -> dict[str, str]:
    folder = root / "permissions"
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.yaml"))
        if p.name != "schema.yaml"
    }


def test_the_reader_counts_every_block_and_its_lines() -> None:
    read = read_metadata_dir(moped() / "metadata")
    tables_dir = moped() / "metadata" / "databases" / "default" / "tables"
    assert (len(read.tables), read.blocks) == (70, 306)
    assert read.blocks_per_action() == {"insert": 61, "select": 180, "update": 62, "delete": 3}
    assert read.roles == ["moped-admin", "moped-editor", "moped-viewer"]
    assert read.permission_lines == permission_block_lines(tables_dir)
    notes = next(t for t in read.tables if t.name == "moped_proj_notes")
    first = read.block(notes, "insert", "moped-admin")
    assert first is not None
    path = tables_dir / "public_moped_proj_notes.yaml"
    assert first.file.endswith("public_moped_proj_notes.yaml")
    assert path.read_text().splitlines()[first.line - 1] == "  - role: moped-admin"
    assert first.comment == "No insert permissions on audit fields"


def test_import_is_at_most_a_fifth_of_the_lines_it_replaces(adopted: Path) -> None:
    tables_dir = adopted / "metadata" / "databases" / "default" / "tables"
    lines_in = permission_block_lines(tables_dir)
    lines_out = sum(len(text.splitlines()) for text in imported_files(adopted).values())
    assert lines_in == 4405
    assert lines_out * 5 <= lines_in, f"{lines_out} lines out for {lines_in} in"
    report = json.loads((adopted / "report.json").read_text())
    assert (report["lines_in"], report["lines_out"], report["blocks"]) == (lines_in, lines_out, 306)


def test_compile_gives_back_exactly_the_moped_permissions(adopted: Path) -> None:
    snapshot = moped_snapshot()
    before = expected_of(moped() / "metadata", snapshot)
    compiled = run_cli("compile", cwd=adopted)
    assert compiled.code == 0, compiled.err
    assert "306 permissions" in compiled.out
    after = expected_of(adopted / "metadata", snapshot)
    assert after == before
    assert run_cli("compile", "--check", cwd=adopted).code == 0


def test_roles_inherit_viewer_editor_admin(adopted: Path) -> None:
    roles = load_yaml(adopted / "permissions" / "roles.yaml")
    assert roles["roles"] == {
        "moped-admin": {"inherits": "moped-editor"},
        "moped-editor": {"inherits": "moped-viewer"},
        "moped-viewer": {},
    }
    assert roles["session"] == {"x-hasura-user-db-id": {"type": "integer"}}


def test_shared_parts_get_names_from_their_content(adopted: Path) -> None:
    parts = load_yaml(adopted / "permissions" / "conditions.yaml")
    assert parts["column_sets"]["audit"] == [
        "created_at",
        "created_by_user_id",
        "updated_at",
        "updated_by_user_id",
    ]
    assert parts["presets"]["stamp_updated_by"] == {"updated_by_user_id": "x-hasura-user-db-id"}
    defaults = (adopted / "permissions" / "defaults.yaml").read_text()
    assert "columns: {all_except: [primary_keys, audit]}" in defaults
    assert "public.moped_proj_*" in defaults


def test_comments_are_kept(adopted: Path) -> None:
    text = "\n".join(imported_files(adopted).values())
    assert text.count("No insert permissions on audit fields") >= 1
    assert text.count("No update permissions on audit fields") >= 1


def test_the_report_names_what_it_saw(adopted: Path) -> None:
    out = (adopted / "stdout.txt").read_text()
    assert "70 tables, 306 permission blocks (insert 61, select 180, update 62, delete 3)" in out
    assert "moped-editor inherits moped-viewer" in out
    assert "Round trip: the imported permissions compile to the same 306 permissions." in out
    report = json.loads((adopted / "report.json").read_text())
    kinds = {o["kind"]: o for o in report["oddities"]}
    assert len(kinds["empty-comment"]["locations"]) == 50
    assert len(kinds["duplicate-column"]["locations"]) == 5
    assert "`check: null` 27 times" in kinds["update-check-spellings"]["message"]
    assert "`check: {}` 35 times" in kinds["update-check-spellings"]["message"]
    unread = [o["message"] for o in report["oddities"] if o["kind"] == "write-without-read"]
    assert "role moped-viewer can insert public.moped_user_events but has no select" in " ".join(
        unread
    )
    assert report["rewritten"]["empty comment dropped"] == 50
