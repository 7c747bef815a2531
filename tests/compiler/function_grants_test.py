"""compiler/function_grants.py: a role may be granted a function only when it can select the
function's return table, by this compile's rules or, for a table no rule manages, its file."""

from __future__ import annotations

from pathlib import Path

from hasura_perm.compiler.function_grants import can_select
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.names import TableName
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.metadata.table_files import TableFile
from tests.helpers import build_project
from tests.helpers import make_project

NOTES = TableName("public", "notes")
EXTERNAL = TableName("reporting", "digest")


def test_managed_tables_answer_by_the_compile_and_others_by_their_file(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "roles.yaml": "roles:\n  viewer: {}\n  guest: {}\n",
            "tables/notes.yaml": "table: public.notes\nselect:\n  viewer: {columns: all, filter: {}}\n",
        },
        schema="tables:\n  public.notes:\n    columns: {id: integer}\n",
        metadata={"public.notes": "table:\n  name: notes\n  schema: public\n"},
    )
    compiled = build_project(root).compiled
    meta = MetadataDir(root / "metadata", "default")
    meta.tables[EXTERNAL] = TableFile(
        Path("x.yaml"),
        {
            "table": {"name": "digest", "schema": "reporting"},
            "select_permissions": [{"role": "guest"}],
        },
        None,
    )
    # a managed table's file is what this compile writes: only the compiled rules count
    meta.tables[NOTES] = TableFile(
        Path("y.yaml"), {"table": "notes", "select_permissions": [{"role": "guest"}]}, None
    )
    assert can_select(compiled, meta, NOTES, "viewer")
    assert not can_select(compiled, meta, NOTES, "guest")
    assert can_select(compiled, meta, EXTERNAL, "guest")
    assert not can_select(compiled, meta, EXTERNAL, "viewer")
    assert not can_select(Compiled(tables=[], roles=[]), meta, TableName("x", "y"), "viewer")
