"""The whole adoption path on every real project in ../shared/corpus/:

its schema dump -> `schema pull --sql` (replayed into a throwaway PostgreSQL) ->
`import` of a copy of its metadata -> `compile` -> `compile --check` exits 0, and the
compiled metadata grants exactly what the original grants (after the documented
normalisation), in the project's own layout. The corpus is read-only: everything happens in
a copy under tmp_path.
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import pytest

from hasura_perm.metadata.v2_layout import layout_of
from hasura_perm.schema.snapshot import load_snapshot
from tests.helpers import run_cli
from tests.helpers import write
from tests.importer.helpers import expected_of

# ../shared/corpus from the repository root; HASURA_PERM_CORPUS points elsewhere (a git
# worktree whose parent folder has no shared/).
CORPUS = Path(
    os.environ.get("HASURA_PERM_CORPUS")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
)


def projects() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(p.name for p in CORPUS.iterdir() if (p / "metadata").is_dir())


def schema_dump(project: Path) -> Path | None:
    """The dump of the source import reads: `default` (schema.sql or schema.default.sql)."""
    for name in ("schema.sql", "schema.default.sql"):
        if (project / name).is_file():
            return project / name
    return None


def require_extensions(dump: Path) -> None:
    text = dump.read_text(encoding="utf-8")
    if "CREATE EXTENSION IF NOT EXISTS postgis" in text and not glob.glob(
        "/usr/share/postgresql/*/extension/postgis.control"
    ):
        pytest.skip(f"{dump} needs PostGIS (Debian: postgresql-15-postgis-3), not installed")


@pytest.mark.parametrize("name", projects() or ["(none)"])
def test_a_real_project_adopts_and_round_trips(name: str, tmp_path: Path) -> None:
    if name == "(none)":
        pytest.skip(f"no real projects in {CORPUS} (the shared corpus is not there)")
    project = CORPUS / name
    dump = schema_dump(project)
    if dump is None:
        pytest.skip(f"{project} has no schema.sql dump")
    require_extensions(dump)
    root = tmp_path / "app"
    shutil.copytree(project / "metadata", root / "metadata")
    write(root, "hasura-perm.yaml", "version: 1\n")
    # The dump replayed into a throwaway PostgreSQL, as a user without a database does.
    pulled = run_cli("schema", "pull", "--sql", str(dump), cwd=root)
    assert pulled.code == 0, pulled.err
    layout = layout_of(root / "metadata")

    imported = run_cli("import", "--metadata", "metadata", cwd=root)
    assert imported.code == 0, imported.err
    assert "Round trip: the imported permissions compile to the same" in imported.out
    compiled = run_cli("compile", cwd=root)
    assert compiled.code == 0, compiled.err
    assert run_cli("compile", "--check", cwd=root).code == 0

    snapshot = load_snapshot(root / "permissions" / "schema.yaml")
    assert expected_of(root / "metadata", snapshot) == expected_of(project / "metadata", snapshot)
    assert layout_of(root / "metadata") == layout
    if layout == "v2":
        assert not (root / "metadata" / "databases").exists()
    for other in (project / "metadata").rglob("*"):
        if other.is_file() and other.name not in ("tables.yaml",) and other.suffix == ".yaml":
            relative = other.relative_to(project / "metadata")
            if "tables" in relative.parts:
                continue  # table files: compile owns their permissions
            assert (root / "metadata" / relative).read_bytes() == other.read_bytes(), relative
