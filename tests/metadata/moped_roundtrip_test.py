"""The metadata reader and writer round-trip a real production metadata directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core import yamlfmt
from hasura_perm.metadata.directory import merge_permissions
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.permission import Permission

MOPED = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "moped" / "metadata"

pytestmark = pytest.mark.skipif(not MOPED.is_dir(), reason="shared/corpus/moped is not present")


def test_every_moped_table_file_is_read():
    meta = read_metadata(MOPED, "default")
    assert len(meta.tables) == 70
    blocks = sum(
        len(entry.entry.get(key) or [])
        for entry in meta.tables.values()
        for key in (
            "insert_permissions",
            "select_permissions",
            "update_permissions",
            "delete_permissions",
        )
    )
    assert blocks == 306


def test_rewriting_every_table_file_reproduces_its_bytes():
    """Merge with no owned roles (as compile does for tables it does not change) and write."""
    meta = read_metadata(MOPED, "default")
    for table_file in meta.tables.values():
        merged = merge_permissions(table_file.entry, (), owned_roles=set())
        assert yamlfmt.dump(merged) == table_file.text, table_file.path.name


def test_replacing_a_role_with_its_own_permissions_reproduces_the_bytes():
    """Owning a role and writing back what the file held for it changes nothing."""
    meta = read_metadata(MOPED, "default")
    for name, table_file in meta.tables.items():
        ours = [
            Permission(name, action, "moped-editor", entry["permission"], entry.get("comment"))
            for action in ("insert", "select", "update", "delete")
            for entry in table_file.entry.get(f"{action}_permissions") or []
            if entry["role"] == "moped-editor"
        ]
        merged = merge_permissions(table_file.entry, ours, owned_roles={"moped-editor"})
        assert yamlfmt.dump(merged) == table_file.text, table_file.path.name


def test_canonical_form_matches_real_exports_except_column_order():
    """Our export conventions (key order, omitted defaults) agree with all 306 real blocks.

    The one documented normalisation: Hasura exports `columns` in the order they were
    given, and 129 Moped blocks list them unsorted; we write (and compare) them sorted.
    """
    meta = read_metadata(MOPED, "default")
    unsorted = 0
    for table_file in meta.tables.values():
        for action in ("insert", "select", "update", "delete"):
            for entry in table_file.entry.get(f"{action}_permissions") or []:
                body = dict(entry["permission"])
                if isinstance(body.get("columns"), list) and body["columns"] != sorted(
                    body["columns"]
                ):
                    unsorted += 1
                    body["columns"] = sorted(body["columns"])
                canonical = canonical_permission(action, entry["permission"])
                assert yamlfmt.dump(canonical) == yamlfmt.dump(body), (
                    table_file.path.name,
                    entry["role"],
                )
    assert unsorted == 129
