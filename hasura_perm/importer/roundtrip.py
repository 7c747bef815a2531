"""Prove an import: compile the files it would write with the real compiler and compare the
result with the metadata's permissions, under the documented normalisation (normalise.py).

The files are written to a temporary folder and read back exactly as `hasura-perm compile`
reads permissions/ (hasura_perm.spec.load_spec, then hasura_perm.compiler.permissions.compile_spec with
the relationships and computed fields of the imported table entries).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hasura_perm.compiler.permissions import Compiled
from hasura_perm.compiler.permissions import compile_spec
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.importer.normalise import first_difference
from hasura_perm.importer.normalise import normal_set
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec import load_spec


@dataclass(frozen=True)
class RoundTrip:
    compiled: Compiled | None
    difference: str | None  # the first difference, or why the files do not compile

    @property
    def holds(self) -> bool:
        return self.difference is None


def round_trip(
    files: dict[str, str],
    expected: PermissionSet,
    snapshot: Snapshot,
    entries: dict[TableName, dict[str, Any]],
) -> RoundTrip:
    """Compile `files` (paths relative to permissions/) and compare with `expected`."""
    try:
        compiled = compile_files(files, snapshot, entries)
    except SpecError as error:
        return RoundTrip(None, f"the imported permissions do not compile:\n{error.render()}")
    untracked = sorted(set(compiled.tables) - set(entries))
    if untracked:
        names = ", ".join(str(t) for t in untracked[:5])
        return RoundTrip(
            compiled, f"the imported defaults would manage tables Hasura does not track: {names}"
        )
    columns = {t: list(table.columns) for t, table in snapshot.tables.items()}
    actual = normal_set(compiled.permissions, columns)
    return RoundTrip(compiled, first_difference(expected, actual))


def compile_files(
    files: dict[str, str], snapshot: Snapshot, entries: dict[TableName, dict[str, Any]]
) -> Compiled:
    catalog = Catalog(snapshot)
    for name, entry in entries.items():
        catalog.add_table_metadata(name, entry)
    with tempfile.TemporaryDirectory(prefix="hasura-perm-import-") as tmp:
        root = Path(tmp)
        for relative, text in files.items():
            path = root / "permissions" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        spec = load_spec(root / "permissions", root)
        return compile_spec(spec, catalog)
