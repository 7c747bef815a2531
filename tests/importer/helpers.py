"""Build import scenarios on disk: metadata folders, schema snapshots, and runs of
`hasura-perm import` (in process, on real files)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from hasura_perm.importer.run import ImportResult
from hasura_perm.importer.run import expected_permissions
from hasura_perm.importer.run import import_permissions
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.metadata.read import read_metadata_dir
from hasura_perm.schema.files import sql_schema
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import snapshot_from_data
from tests.corpus import corpus_dir
from tests.helpers import CliResult
from tests.helpers import run_cli
from tests.helpers import write
from tests.helpers import write_metadata

MOPED = corpus_dir() / "moped"


def moped() -> Path:
    if not (MOPED / "metadata" / "databases" / "databases.yaml").is_file():
        pytest.skip("the Moped corpus is not in ../shared/corpus/moped")
    return MOPED


@functools.cache
def moped_snapshot_data() -> dict[str, Any]:
    """Moped's pg_dump replayed into PostgreSQL (with PostGIS), as `schema pull --sql` does."""
    return sql_schema(moped() / "schema.sql").document


def moped_snapshot() -> Snapshot:
    return snapshot_from_data(moped_snapshot_data())


def snapshot_of(tables: dict[str, dict[str, str]], **extra: dict[str, Any]) -> dict[str, Any]:
    """A snapshot document: table -> {column: type}; `extra` adds keys per table
    (e.g. primary_key)."""
    out: dict[str, Any] = {}
    for name, columns in tables.items():
        out[name] = {"kind": "table", "columns": dict(columns)}
        out[name].update(extra.get(name, {}))
    return {"version": 1, "tables": out}


def table_entry(name: str, **permissions: list[dict[str, Any]]) -> dict[str, Any]:
    """A metadata table entry; keyword arguments are `select_permissions=[...]` etc."""
    schema, _, table = name.rpartition(".")
    entry: dict[str, Any] = {"table": {"name": table, "schema": schema or "public"}}
    entry.update(permissions)
    return entry


def block(role: str, comment: str | None = None, **permission: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"role": role, "permission": permission}
    if comment is not None:
        out["comment"] = comment
    return out


@dataclass
class Scenario:
    """A metadata folder and a snapshot file in a temporary folder."""

    root: Path
    metadata: Path
    schema: Path

    def run(self, *extra: str, out: str = "permissions") -> CliResult:
        return run_cli(
            "import",
            "--metadata",
            str(self.metadata),
            "--schema",
            str(self.schema),
            "--into",
            str(self.root / out),
            *extra,
            cwd=self.root,
        )

    def imported(self) -> ImportResult:
        read = read_metadata_dir(self.metadata)
        return import_permissions(read, snapshot_from_data(load(self.schema)))

    def files(self, out: str = "permissions") -> dict[str, str]:
        folder = self.root / out
        return {
            str(p.relative_to(folder)): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*.yaml"))
        }


def scenario(
    root: Path, entries: list[dict[str, Any]], snapshot: dict[str, Any], *, layout: str = "v3"
) -> Scenario:
    metadata = root / "metadata"
    if layout == "v3":
        write_metadata(metadata, {_name(e): e for e in entries})
    else:
        write(metadata, "version.yaml", "version: 2\n")
        write(metadata, "tables.yaml", entries)
    schema = write(root, "schema.yaml", snapshot)
    return Scenario(root, metadata, schema)


def _name(entry: dict[str, Any]) -> str:
    table = entry["table"]
    return f"{table['schema']}.{table['name']}"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_of(metadata: Path, snapshot: Snapshot) -> PermissionSet:
    columns = {t: list(info.columns) for t, info in snapshot.tables.items()}
    return expected_permissions(read_metadata_dir(metadata), columns)


def yaml_lines(files: dict[str, str]) -> int:
    return sum(len(text.splitlines()) for text in files.values())
