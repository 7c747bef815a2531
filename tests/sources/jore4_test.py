"""Several sources on a real project: HSL's JORE4 (shared/corpus/HSLdevcom__jore4-hasura),
config v3 with the sources default, metadata, main and timetables; `route.direction` and
`route.type_of_line` are tables of both default and timetables. The corpus is read where
it lies and copied into tmp_path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.corpus import corpus_project
from tests.helpers import run_cli
from tests.helpers import write

CONFIG = """\
version: 1
sources:
  default:
    schema: permissions/schema.yaml
    extensions: [postgis, btree_gist]   # the migrations assume the database has them
  main: {extensions: [postgis, btree_gist]}
  timetables: {extensions: [btree_gist]}
"""
ROLES = "roles:\n  planner: {}\n  viewer: {}\n"
SELECT_ALL = {"viewer": {"columns": "all", "filter": {}}}


@pytest.fixture(scope="module")
def jore4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy with the three snapshots pulled from its migrations (one PostgreSQL, three
    databases); each test copies it again."""
    corpus = corpus_project("HSLdevcom__jore4-hasura", "migrations")
    root = tmp_path_factory.mktemp("jore4")
    shutil.copytree(corpus / "metadata", root / "metadata")
    shutil.copytree(corpus / "migrations", root / "migrations")
    write(root, "hasura-perm.yaml", CONFIG)
    write(root, "permissions/roles.yaml", ROLES)
    result = run_cli("--project", str(root), "schema", "pull", "--migrations")
    assert result.code == 0, result.err
    return root


@pytest.fixture
def project(jore4: Path, tmp_path: Path) -> Path:
    root = tmp_path / "jore4"
    shutil.copytree(jore4, root)
    return root


def test_each_source_has_its_snapshot(jore4):
    corpus = corpus_project("HSLdevcom__jore4-hasura", "migrations")
    for source, snapshot in (
        ("default", "schema.yaml"),
        ("main", "schema.main.yaml"),
        ("timetables", "schema.timetables.yaml"),
    ):
        pulled = (jore4 / "permissions" / snapshot).read_text()
        tables = yaml.safe_load(pulled)["tables"]
        # Every table the source's metadata tracks is in its snapshot.
        listing = corpus / "metadata" / "databases" / source / "tables" / "tables.yaml"
        for include in yaml.safe_load(listing.read_text()) or []:
            entry = yaml.safe_load((listing.parent / include.split()[1]).read_text())
            assert f"{entry['table']['schema']}.{entry['table']['name']}" in tables, source
    both = yaml.safe_load((jore4 / "permissions" / "schema.yaml").read_text())["tables"]
    assert (
        "route.direction" in both
        and "route.direction"
        in yaml.safe_load((jore4 / "permissions" / "schema.timetables.yaml").read_text())["tables"]
    )


def test_compile_writes_each_source_and_keeps_everything_else(project):
    before = {p: p.read_bytes() for p in (project / "metadata").rglob("*") if p.is_file()}
    write(
        project,
        "permissions/tables/directions.yaml",
        {"table": "timetables:route.direction", "select": SELECT_ALL},
    )
    write(
        project, "permissions/tables/lines.yaml", {"table": "route.line", "select": SELECT_ALL}
    )  # default only
    write(
        project,
        "permissions/defaults.yaml",
        {
            "defaults": [
                {
                    "tables": "timetables:vehicle_service.*",
                    "select": {"planner": {"columns": "all", "filter": {}}},
                }
            ]
        },
    )
    result = run_cli("--project", str(project), "compile")
    assert result.code == 0, result.err
    assert "5 tables, 2 roles, 5 permissions in 3 sources" in result.out
    tables = project / "metadata" / "databases"
    changed = {str(p.relative_to(tables)) for p, data in before.items() if p.read_bytes() != data}
    assert changed == {
        "timetables/tables/route_direction.yaml",
        "default/tables/route_line.yaml",
        "timetables/tables/vehicle_service_block.yaml",
        "timetables/tables/vehicle_service_journey_patterns_in_vehicle_service.yaml",
        "timetables/tables/vehicle_service_vehicle_service.yaml",
    }
    direction = yaml.safe_load((tables / "timetables/tables/route_direction.yaml").read_text())
    assert direction["is_enum"] is True  # the rest of the table file is kept
    assert direction["select_permissions"][0]["role"] == "viewer"
    assert "select_permissions" not in (tables / "default/tables/route_direction.yaml").read_text()
    check = run_cli("--project", str(project), "compile", "--check")
    assert check.code == 0, check.out


def test_a_table_of_two_sources_needs_its_source(project):
    write(
        project,
        "permissions/tables/directions.yaml",
        {"table": "route.direction", "select": SELECT_ALL},
    )
    result = run_cli("--project", str(project), "compile")
    assert result.code == 1
    assert "route.direction is in the sources default, timetables" in result.err
    assert "`default:route.direction` or `timetables:route.direction`" in result.err


def test_import_lint_and_matrix_cover_every_source(project):
    (project / "permissions" / "roles.yaml").unlink()
    imported = run_cli(
        "--project", str(project), "import", "--metadata", str(project / "metadata"), "--dry-run"
    )
    assert imported.code == 0, imported.out + imported.err
    assert "source default, main, timetables" in imported.out  # JORE4 has no permission blocks
    write(project, "permissions/roles.yaml", ROLES)
    write(
        project,
        "permissions/tables/d.yaml",
        {"table": "timetables:route.direction", "select": SELECT_ALL},
    )
    assert run_cli("--project", str(project), "compile").code == 0
    matrix = run_cli("--project", str(project), "matrix", "--format", "json")
    assert matrix.code == 0, matrix.err
    assert "timetables:route.direction" in matrix.out
    linted = run_cli("--project", str(project), "lint")
    assert linted.code == 0, linted.out + linted.err  # a lookup table everyone reads: fine


def test_diff_when_the_project_adds_its_other_sources(project):
    # The base manages only the default source; the head adds main and timetables. The
    # default source's tables are the same tables on both sides.

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=project,
            check=True,
            capture_output=True,
        )

    sources = project / "hasura-perm.yaml"
    head_config = sources.read_text()
    write(project, "hasura-perm.yaml", "version: 1\nschema: permissions/schema.yaml\n")
    others = {p: p.read_bytes() for p in project.glob("permissions/schema.*.yaml")}
    for path in others:
        path.unlink()
    write(project, "permissions/tables/lines.yaml", {"table": "route.line", "select": SELECT_ALL})
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "default only")
    sources.write_text(head_config)
    for path, data in others.items():
        path.write_bytes(data)
    write(
        project,
        "permissions/tables/directions.yaml",
        {"table": "timetables:route.direction", "select": SELECT_ALL},
    )
    result = run_cli("--project", str(project), "diff", "--base", "main")
    assert result.code == 2, result.err
    assert "route.line" not in result.out
    assert "timetables:route.direction" in result.out
    assert "1 widening across 1 table." in result.out, result.out


def test_an_unknown_table_is_matched_against_every_source(project):
    write(
        project,
        "permissions/tables/blocks.yaml",
        {"table": "vehicle_service.blocks", "select": SELECT_ALL},
    )
    result = run_cli("--project", str(project), "compile")
    assert result.code == 1
    # vehicle_service.block is a table of timetables only, not of the primary source.
    assert "did you mean `vehicle_service.block`?" in result.err, result.err
