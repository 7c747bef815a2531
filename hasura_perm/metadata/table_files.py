"""The metadata directory as read: a source's table files by table name. Reading and
writing them is metadata/directory.py's (CLI v3 layout) and metadata/v2_layout.py's."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.core.names import TableName


@dataclass
class TableFile:
    path: Path
    entry: dict[str, Any]
    text: str | None  # None for a file that does not exist yet


@dataclass
class MetadataDir:
    root: Path
    source: str
    tables: dict[TableName, TableFile] = field(default_factory=dict)
    tables_list: Path | None = None  # tables.yaml, when the source includes one
    layout: str = "v3"  # "v2": the config v2 layout, one tables.yaml (metadata/v2_layout.py)
    v2: Any = None  # the config v2 tables.yaml as read (v2_layout.TablesFile)

    @property
    def tables_dir(self) -> Path:
        return (
            self.tables_list.parent
            if self.tables_list
            else self.root / "databases" / self.source / "tables"
        )
