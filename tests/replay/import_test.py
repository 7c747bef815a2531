"""`import --schema FILE.sql`: import reads a SQL schema the way schema pull and lint do."""

from __future__ import annotations

from tests.helpers import run_cli
from tests.helpers import write
from tests.helpers import write_metadata

SQL = "CREATE TABLE notes (id serial PRIMARY KEY, owner_id int NOT NULL, body text);\n"
NOTES = """\
table: {name: notes, schema: public}
select_permissions:
  - role: viewer
    permission:
      columns: [body, id, owner_id]
      filter: {owner_id: {_eq: X-Hasura-User-Id}}
"""


def test_import_checks_against_a_replayed_sql_schema(tmp_path):
    write_metadata(tmp_path / "metadata", {"public.notes": NOTES})
    sql = write(tmp_path, "db.sql", SQL)
    result = run_cli(
        "import", "--metadata", "metadata", "--schema", str(sql), "--into", "perms", cwd=tmp_path
    )
    assert result.code == 0, result.err
    assert "columns: all" in (tmp_path / "perms" / "tables" / "public.notes.yaml").read_text()
    assert f"hasura-perm schema pull --sql {sql} --into perms/schema.yaml" in result.out


def test_import_with_a_broken_sql_schema_names_the_line(tmp_path):
    write_metadata(tmp_path / "metadata", {"public.notes": NOTES})
    sql = write(tmp_path, "db.sql", SQL + "CREATE TABLE broken (id int,);\n")
    result = run_cli(
        "import", "--metadata", "metadata", "--schema", str(sql), "--into", "perms", cwd=tmp_path
    )
    assert result.code == 1
    assert f"{sql}:2: syntax error at or near" in result.err
    assert not (tmp_path / "perms").exists()
