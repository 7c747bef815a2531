"""Real projects from the shared corpus: replaying each one's migrations gives the same
snapshot as its pg_dump (taken by the corpus's maintainers after the same replay)."""

from __future__ import annotations

import pytest
import yaml

from tests.corpus import corpus_project
from tests.helpers import run_cli
from tests.helpers import write

# project -> (source, its dump, extensions the real database has without migrations)
CASES = {
    "Zenika__links.zenika.com": [("default", "schema.sql", "")],
    "rcos__Telescope": [("default", "schema.sql", "")],
    "acapela__monorepo": [("default", "schema.sql", "")],
    "HSLdevcom__jore4-hasura": [
        ("default", "schema.default.sql", "postgis,btree_gist"),
        ("main", "schema.main.sql", "postgis,btree_gist"),
        ("timetables", "schema.timetables.sql", "btree_gist"),
    ],
}


@pytest.mark.parametrize(
    ("name", "source", "dump", "extensions"),
    [(name, *case) for name, cases in CASES.items() for case in cases],
)
def test_migrations_and_dump_give_the_same_snapshot(tmp_path, name, source, dump, extensions):
    project = corpus_project(name, "migrations")
    root = tmp_path / "p"
    write(root, "hasura-perm.yaml", f"version: 1\nsource: {source}\n")
    extra = ("--extensions", extensions) if extensions else ()
    migrations = str(project / "migrations")  # read where it lies
    replay = run_cli("--project", str(root), "schema", "pull", "--migrations", migrations, *extra)
    assert replay.code == 0, replay.err
    from_dump = run_cli(
        "schema", "pull", "--sql", str(project / dump), "--into", str(tmp_path / "d")
    )
    assert from_dump.code == 0, from_dump.err
    replayed = (root / "permissions" / "schema.yaml").read_text()
    assert replayed == (tmp_path / "d").read_text()
    assert yaml.safe_load(replayed)["tables"]


def test_jore4_without_its_extensions_says_which_statement_needs_them(tmp_path):
    project = corpus_project("HSLdevcom__jore4-hasura", "migrations")
    root = tmp_path / "p"
    write(root, "hasura-perm.yaml", "version: 1\n")
    migrations = str(project / "migrations")
    result = run_cli("--project", str(root), "schema", "pull", "--migrations", migrations)
    assert result.code == 1
    assert "1590000000000_create_immutable_internal_utils/up.sql:41: type public.geography" in (
        result.err
    )
    assert "--extensions postgis" in result.err
