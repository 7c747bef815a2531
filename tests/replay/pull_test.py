"""`schema pull --sql FILE` and `schema pull --migrations [DIR]`: the snapshot without a
live database, replayed into a real throwaway PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers import make_project
from tests.helpers import run_cli
from tests.helpers import write

ROOT = Path(__file__).resolve().parents[2]

USERS = "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n"
NOTES = (
    "CREATE TABLE notes (\n  id bigserial PRIMARY KEY,\n"
    "  author_id int REFERENCES users (id),\n  body text\n);\n"
)


def snapshot_at(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_pull_from_the_example_sql_is_the_committed_snapshot(tmp_path):
    """Byte for byte what `schema pull --database-url` wrote from the same SQL."""
    out = tmp_path / "schema.yaml"
    result = run_cli("schema", "pull", "--sql", str(ROOT / "db" / "schema.sql"), "--into", str(out))
    assert result.code == 0, result.err
    assert "Wrote 10 tables" in result.out
    assert "Starting a throwaway PostgreSQL" in result.err  # progress goes to stderr
    assert out.read_text() == (ROOT / "permissions" / "schema.yaml").read_text()


def test_pull_from_v3_migrations_replays_in_version_order(tmp_path):
    root = make_project(tmp_path)
    # Version 9 sorts before 10 as a number, after it as text: notes needs users first.
    write(root, "migrations/default/10_notes/up.sql", NOTES)
    write(root, "migrations/default/9_users/up.sql", USERS)
    write(root, "migrations/default/9_users/down.sql", "DROP TABLE users;")
    write(root, "migrations/other/1_x/up.sql", "CREATE TABLE other_db (id int);")
    result = run_cli("--project", str(root), "schema", "pull", "--migrations")
    assert result.code == 0, result.err
    tables = snapshot_at(root / "permissions" / "schema.yaml")["tables"]
    assert sorted(tables) == ["public.notes", "public.users"]  # only the project's source
    assert tables["public.notes"]["foreign_keys"][0]["references"] == "public.users"
    assert tables["public.users"]["columns"] == {"id": "integer", "email": "text"}


def test_pull_from_v2_folders_with_up_yaml_and_flat_v1_files(tmp_path):
    root = make_project(tmp_path)
    steps = [
        {"type": "run_sql", "args": {"sql": USERS}},
        {"type": "add_existing_table_or_view", "args": {"name": "users"}},
    ]
    write(root, "migrations/100_users/up.yaml", steps)
    bulk = [{"type": "bulk", "args": [{"type": "run_sql", "args": {"sql": NOTES}}]}]
    write(root, "migrations/200_notes.up.yaml", bulk)
    write(root, "migrations/300_tags.up.sql", "ALTER TABLE notes ADD COLUMN tags text[];")
    result = run_cli("schema", "pull", "--migrations", "migrations", cwd=root)
    assert result.code == 0, result.err
    tables = snapshot_at(root / "permissions" / "schema.yaml")["tables"]
    assert list(tables["public.notes"]["columns"]) == ["id", "author_id", "body", "tags"]


def test_a_failing_migration_names_file_and_line_and_writes_nothing(tmp_path):
    root = make_project(tmp_path)
    before = (root / "permissions" / "schema.yaml").read_text()
    write(root, "migrations/default/1_users/up.sql", USERS)
    write(
        root,
        "migrations/default/2_broken/up.sql",
        "-- adds notes\nCREATE TABLE notes (id int);\n\nALTER TABLE notes\n  ADD COLUMN x nosuchtype;\n",
    )
    result = run_cli("--project", str(root), "schema", "pull", "--migrations")
    assert result.code == 1
    assert 'migrations/default/2_broken/up.sql:5: type "nosuchtype" does not exist' in result.err
    assert "in the statement: ALTER TABLE notes" in result.err
    assert "--extensions" in result.err  # the advice for types an extension would bring
    assert "Traceback" not in result.err
    assert (root / "permissions" / "schema.yaml").read_text() == before


def test_a_missing_extension_says_to_install_it(tmp_path):
    sql = write(tmp_path, "dump.sql", "CREATE EXTENSION IF NOT EXISTS no_such_ext;\n" + USERS)
    result = run_cli("schema", "pull", "--sql", str(sql), "--into", str(tmp_path / "s.yaml"))
    assert result.code == 1
    assert f"{sql}:1:" in result.err
    assert "the extension `no_such_ext` is not installed in this machine's PostgreSQL" in result.err
    assert not (tmp_path / "s.yaml").exists()


def test_extensions_the_database_already_had_are_created_first(tmp_path):
    root = make_project(tmp_path)
    write(root, "migrations/default/1_x/up.sql", "CREATE TABLE t (id int, tags hstore);")
    failed = run_cli("--project", str(root), "schema", "pull", "--migrations")
    assert failed.code == 1 and 'type "hstore" does not exist' in failed.err
    result = run_cli(
        "--project", str(root), "schema", "pull", "--migrations", "--extensions", "hstore"
    )
    assert result.code == 0, result.err
    tables = snapshot_at(root / "permissions" / "schema.yaml")["tables"]
    assert tables == {"public.t": {"kind": "table", "columns": {"id": "integer", "tags": "hstore"},
                                   "nullable": ["id", "tags"]}}  # fmt: skip


def test_roles_a_dump_grants_to_are_created_with_a_note(tmp_path):
    sql = write(tmp_path, "dump.sql", USERS + "GRANT SELECT ON users TO app_reader;\n")
    result = run_cli("schema", "pull", "--sql", str(sql), "--into", str(tmp_path / "s.yaml"))
    assert result.code == 0, result.err
    assert "role 'app_reader' does not exist here; created it (NOLOGIN)" in result.err


def test_postgis_types_come_from_the_real_extension(tmp_path):
    sql = write(
        tmp_path,
        "dump.sql",
        "CREATE EXTENSION postgis;\nCREATE TABLE places (id int PRIMARY KEY, "
        "spot geography(Point, 4326), area geometry);\n",
    )
    result = run_cli("schema", "pull", "--sql", str(sql), "--into", str(tmp_path / "s.yaml"))
    assert result.code == 0, result.err
    tables = snapshot_at(tmp_path / "s.yaml")["tables"]
    assert list(tables) == ["public.places"]  # the extension's own tables are not the user's
    assert tables["public.places"]["columns"] == {
        "id": "integer", "spot": "geography", "area": "geometry",
    }  # fmt: skip


def test_one_origin_at_a_time(tmp_path):
    result = run_cli("schema", "pull", "--sql", "a.sql", "--migrations", "m", "--into", "x")
    assert result.code == 1
    assert "pass only one of --sql, --migrations" in result.err
    result = run_cli("schema", "pull", "--database-url", "postgresql://x", "--extensions", "a")
    assert result.code == 1 and "--extensions goes with --sql or --migrations" in result.err


def test_no_migrations_for_the_source(tmp_path):
    root = make_project(tmp_path)
    write(root, "migrations/main/1_x/up.sql", USERS)
    result = run_cli("--project", str(root), "schema", "pull", "--migrations")
    assert result.code == 1
    assert "no migrations for source 'default'" in result.err and "found: main" in result.err


def test_a_statement_failing_with_a_system_error_is_named_too(tmp_path):
    """58P01 (a file the server cannot open) is an OperationalError for the driver, but the
    connection is fine: it is the statement's failure, reported by file and line."""
    sql = write(tmp_path, "dump.sql", USERS + "COPY users FROM '/nonexistent/users.csv';\n")
    result = run_cli("schema", "pull", "--sql", str(sql), "--into", str(tmp_path / "s.yaml"))
    assert result.code == 1
    assert f"{sql}:2: could not open file" in result.err


def test_the_failing_line_counts_characters_not_bytes(tmp_path):
    """PostgreSQL's error position is a character offset; accents before it are one each."""
    text = "CREATE TABLE notes ( -- " + "é" * 40 + "\n  id int,\n  x nosuchtype\n);\n"
    sql = write(tmp_path, "dump.sql", text)
    result = run_cli("schema", "pull", "--sql", str(sql), "--into", str(tmp_path / "s.yaml"))
    assert result.code == 1
    assert f'{sql}:3: type "nosuchtype" does not exist' in result.err


def test_migrations_of_another_projects_source_without_a_project(tmp_path):
    """Before adopting: any folder of migrations, any source, to a file of one's choice."""
    write(tmp_path, "theirs/migrations/main/1_users/up.sql", USERS)
    out = tmp_path / "main.yaml"
    result = run_cli(
        "schema", "pull", "--migrations", str(tmp_path / "theirs" / "migrations"),
        "--source", "main", "--into", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "public.users:" in out.read_text()
