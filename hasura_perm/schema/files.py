"""The ways to get a schema: a snapshot YAML, a SQL file (a `pg_dump` or a hand-written
schema), or a project's Hasura migrations. SQL is replayed into a throwaway PostgreSQL
(replay.py), so every command reads a schema the same way, with PostgreSQL as the parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.schema.migrations import Script
from hasura_perm.schema.migrations import find_migrations
from hasura_perm.schema.replay import Progress
from hasura_perm.schema.replay import Replayed
from hasura_perm.schema.replay import Replayer
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.schema.snapshot import snapshot_from_data

# What Hasura itself creates in every Postgres source before any migration runs
# (its catalog schema, and pgcrypto in public: see enablePgcryptoExtension in the engine).
HASURA_SOURCE_PRELUDE = (
    "CREATE SCHEMA IF NOT EXISTS hdb_catalog",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public",
)


def is_sql(path: Path) -> bool:
    return path.suffix.lower() == ".sql"


def load_schema_file(
    path: Path, *, progress: Progress | None = None
) -> tuple[Snapshot, Replayed | None]:
    """A snapshot YAML, or SQL replayed into PostgreSQL (which also tells which tables
    views read and which columns triggers fill)."""
    if not path.is_file():
        raise HasuraPermError(f"schema file {path} does not exist")
    if not is_sql(path):
        return load_snapshot(path, str(path)), None
    replayed = sql_schema(path, progress=progress)
    return snapshot_from_data(replayed.document), replayed


def sql_schema(
    path: Path,
    *,
    extensions: tuple[str, ...] = (),
    schemas: list[str] | None = None,
    progress: Progress | None = None,
) -> Replayed:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HasuraPermError(f"cannot read {path}: {exc}") from None
    with Replayer(progress) as replayer:
        replayed = replayer.load(
            [Script(str(path), text)], label=path.name, extensions=extensions, schemas=schemas
        )
    if not replayed.document["tables"]:
        raise HasuraPermError(f"{path}: the SQL creates no table or view")
    return replayed


def migrations_schemas(
    folder: Path,
    default_source: str,
    root: Path,
    *,
    only: set[str] | None = None,
    extensions: Mapping[str, tuple[str, ...]] | None = None,
    schemas: list[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, Replayed]:
    """source -> the schema its migrations build, each source in a database of its own.
    `only` limits it to those sources (each must have a migrations folder); `extensions`
    are per source."""
    found = find_migrations(folder, default_source, root)
    wanted = sorted(found) if only is None else sorted(only)
    for name in wanted:
        if name not in found:
            known = ", ".join(sorted(found)) or "none"
            raise HasuraPermError(f"no migrations for source {name!r} in {folder} (found: {known})")
    out: dict[str, Replayed] = {}
    with Replayer(progress) as replayer:
        for name in wanted:
            out[name] = replayer.load(
                found[name],
                label=f"the migrations of source {name!r}",
                prelude=HASURA_SOURCE_PRELUDE,
                extensions=(extensions or {}).get(name, ()),
                schemas=schemas,
            )
    return out
