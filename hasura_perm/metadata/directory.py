"""Read and write a Hasura CLI v3 metadata directory (the config v2 layout, one
tables.yaml, is read and written by metadata/v2_layout.py behind the same functions).

Layout (shared/reference/hasura-v2-permissions-and-metadata-api.md section 5):

    metadata/version.yaml                        version: 3
    metadata/databases/databases.yaml            sources; `tables: "!include <src>/tables/tables.yaml"`
    metadata/databases/<src>/tables/tables.yaml  - "!include <schema>_<table>.yaml"
    metadata/databases/<src>/tables/<schema>_<table>.yaml

We replace only the permission entries we own (declared roles on managed tables) and keep
everything else in a table file, and every other file, exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hasura_perm.core import parse_cache
from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_name_of
from hasura_perm.core.paths import is_inside
from hasura_perm.core.reading import read_text
from hasura_perm.core.writing import write_tree
from hasura_perm.core.yaml_source import MAX_FILE_BYTES
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import TABLE_KEYS
from hasura_perm.metadata.export_format import permission_entry
from hasura_perm.metadata.export_format import same_but_order
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.shape import raise_located
from hasura_perm.metadata.shape import table_entry_problems
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.metadata.table_files import TableFile
from hasura_perm.metadata.v2_layout import layout_of
from hasura_perm.metadata.v2_layout import planned_v2_files
from hasura_perm.metadata.v2_layout import read_v2

INCLUDE = "!include "


def read_metadata(root: Path, source: str) -> MetadataDir:
    """The table files of `source`; an absent directory reads as empty.

    Every file must be readable, well formed and inside `root`: an `!include` or a link
    that leaves metadata/ is refused, since compile rewrites the files it reads."""
    result = MetadataDir(root, source)
    if layout_of(root) == "v2":
        read_v2(result)
        return result
    databases = root / "databases" / "databases.yaml"
    if not databases.exists() and not databases.is_symlink():
        return result
    text, sources = _load(databases, root)
    if sources is None:
        return result
    if not isinstance(sources, list):
        raise_located([((), "expected a list of sources")], text, str(databases))
    index = next(
        (i for i, s in enumerate(sources) if isinstance(s, dict) and s.get("name") == source),
        None,
    )
    if index is None:
        return result
    tables = sources[index].get("tables")
    base: tuple[Any, ...]  # where the table list sits in its file
    if isinstance(tables, str) and tables.startswith(INCLUDE):
        result.tables_list = _included(databases, tables, root, text, (index, "tables"))
        list_text, tables = _load(result.tables_list, root)
        where, base = str(result.tables_list), ()
    else:
        list_text, where, base = text, str(databases), (index, "tables")
    if tables is not None and not isinstance(tables, list):
        raise_located([((), "`tables` must be a list or an `!include`")], list_text, where, base)
    for position, item in enumerate(tables or []):
        _read_table(result, item, list_text, where, (*base, position))
    return result


def _included(
    parent: Path, reference: str, root: Path, text: str | None, at: tuple[Any, ...]
) -> Path:
    """The file an `!include` names, relative to the including file; inside `root`."""
    relative = reference[len(INCLUDE) :].strip()
    path = parent.parent / relative
    if not relative or not is_inside(path, root):
        raise_located(
            [((), f"`!include {relative}` points outside {root.name}/; refused")],
            text,
            str(parent),
            at,
        )
    if not path.exists() and not path.is_symlink():
        raise_located(
            [((), f"includes {relative}, which does not exist (a dangling `!include`)")],
            text,
            str(parent),
            at,
        )
    return path


def _read_table(
    result: MetadataDir, item: Any, list_text: str | None, where: str, at: tuple[Any, ...]
) -> None:
    if isinstance(item, str) and item.startswith(INCLUDE):
        list_file = result.tables_list or Path(where)
        path = _included(list_file, item, result.root, list_text, at)
        text = read_text(path, str(path), limit=MAX_FILE_BYTES, root=result.root)
        entry: Any = parse_cache.load(text, filename=str(path))  # unchanged: not re-parsed
        raise_located(table_entry_problems(entry), text, str(path))
    else:  # inline table entry (not what the CLI writes, but valid)
        path, text, entry = Path(), None, item
        raise_located(table_entry_problems(entry), list_text, where, at)
    name = table_name_of(entry["table"])
    result.tables[name] = TableFile(path, entry, text)


def _load(path: Path, root: Path) -> tuple[str, Any]:
    shown = str(path)
    text = read_text(path, shown, limit=MAX_FILE_BYTES, root=root)
    return text, yamlfmt.load(text, filename=shown)


def file_of(meta: MetadataDir, table: TableName) -> Path:
    """The file that holds (or will hold) `table`'s entry."""
    if table in meta.tables and meta.tables[table].text is not None:
        return meta.tables[table].path
    if meta.layout == "v2":
        return meta.root / "tables.yaml"
    return meta.tables_dir / table_file_name(table)


def table_file_name(table: TableName) -> str:
    return f"{table.schema}_{table.name}.yaml"


def merge_permissions(
    entry: dict[str, Any], permissions: Iterable[Permission], owned_roles: set[str]
) -> dict[str, Any]:
    """`entry` with the owned roles' permissions replaced by `permissions` (this table's);
    other roles' entries and other keys are kept."""
    merged = dict(entry)
    permissions = list(permissions)
    for action, key in PERMISSION_KEYS.items():
        kept = [p for p in entry.get(key) or [] if p.get("role") not in owned_roles]
        present = {p.get("role"): p for p in entry.get(key) or []}
        ours = [
            _unless_only_order(present.get(p.role), permission_entry(p.role, p.body, p.comment))
            for p in permissions
            if p.action == action
        ]
        combined = sorted(kept + ours, key=lambda p: p["role"])
        if combined:
            merged[key] = combined
        else:
            merged.pop(key, None)
    return _ordered(merged)


def _unless_only_order(present: dict[str, Any] | None, ours: dict[str, Any]) -> dict[str, Any]:
    """The entry already in the file when it differs from ours only in order (a metadata/
    written by `hasura metadata export` lists root fields in HashSet order and columns in the
    order they were sent), so neither compile nor `compile --check` reports an order change."""
    if present is None:
        return ours
    if _identical(present, ours) or same_but_order(present, ours):
        return present
    return ours


def _identical(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # The usual case on a recompile, decided in C (same values, types and order), where
    # same_but_order's normalising would say the same after far more work.
    try:
        return json.dumps(a) == json.dumps(b)
    except (TypeError, ValueError):
        return False


def _ordered(entry: dict[str, Any]) -> dict[str, Any]:
    # Known keys in export order; anything we do not know keeps its place after them.
    out = {k: entry[k] for k in TABLE_KEYS if k in entry}
    out.update((k, v) for k, v in entry.items() if k not in out)
    return out


def new_table_entry(table: TableName) -> dict[str, Any]:
    return {"table": {"name": table.name, "schema": table.schema}}


def planned_files(
    meta: MetadataDir, entries: Mapping[TableName, dict[str, Any] | str]
) -> dict[Path, str]:
    """Every file whose content should be as given, for the table entries we changed or added
    (an entry may be given as its file's text already: compiler/build.py remembers them)."""
    if meta.layout == "v2":
        return planned_v2_files(meta, entries)  # type: ignore[arg-type]  # build gives v2 dicts
    files: dict[Path, str] = {}
    for table, entry in entries.items():
        existing = meta.tables.get(table)
        path = existing.path if existing else meta.tables_dir / table_file_name(table)
        files[path] = entry if isinstance(entry, str) else parse_cache.dump(entry)
    new_tables = [t for t in entries if t not in meta.tables]
    if new_tables or meta.tables_list is None:
        files.update(_layout_files(meta, new_tables))
    return files


def _layout_files(meta: MetadataDir, new_tables: list[TableName]) -> dict[Path, str]:
    """version.yaml, databases.yaml and tables.yaml, created or extended for new tables."""
    files: dict[Path, str] = {}
    version = meta.root / "version.yaml"
    if not version.is_file():
        files[version] = yamlfmt.dump({"version": 3}, kind="other")
    databases = meta.root / "databases" / "databases.yaml"
    if meta.tables_list is None:
        if databases.is_file():
            raise HasuraPermError(
                f'{databases} has no source `{meta.source}` with `tables: "!include ..."`; '
                "add the source there (or set `source:` in hasura-perm.yaml)"
            )
        files[databases] = yamlfmt.dump([_source_entry(meta.source)], kind="databases")
        meta.tables_list = meta.root / "databases" / meta.source / "tables" / "tables.yaml"
    includes: dict[TableName, str] = {t: f.path.name for t, f in meta.tables.items()}
    includes.update({t: table_file_name(t) for t in new_tables})
    # The CLI lists tables in export order: sorted by schema, then name.
    names = [includes[t] for t in sorted(includes)]
    files[meta.tables_list] = yamlfmt.dump_include_list(names)
    return files


def _source_entry(source: str) -> dict[str, Any]:
    return {
        "name": source,
        "kind": "postgres",
        "configuration": {
            "connection_info": {
                "database_url": {"from_env": "HASURA_GRAPHQL_DATABASE_URL"},
                "isolation_level": "read-committed",
                "use_prepared_statements": False,
            }
        },
        "tables": yamlfmt.include(f"{source}/tables/tables.yaml"),
    }


def stale_files(files: dict[Path, str]) -> dict[Path, str]:
    """The subset of `files` whose content on disk differs."""
    out = {}
    for path, text in files.items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            out[path] = text
    return out


def write_files(
    files: dict[Path, str], *, inside: Path | None = None, show: Callable[[Path], str] = str
) -> None:
    """Write all files or none (see hasura_perm/core/writing.py); with `inside`, refuse any path
    that would leave that folder."""
    write_tree(files, inside=inside, show=show)
