"""The Hasura CLI config v2 metadata layout: one `metadata/tables.yaml` holding every table
entry of the project's single database (no `databases/` folder).

Which layout a metadata folder uses is decided by `layout_of`: the files present first
(`databases/databases.yaml` is v3, `tables.yaml` is v2), then `version.yaml` (`version: 2` or
`3`), then the Hasura project's `config.yaml` beside the folder, else v3 (a new project).

Writing is a splice: every table entry compile did not change keeps its bytes in
`tables.yaml` as they are; a changed entry is rewritten in the style the file uses (the
current CLI's indented sequences, or gopkg.in/yaml.v2's sequences at their key's column
that older CLIs wrote); a new entry goes where Hasura's export puts it (tables sorted by
schema and name). Nothing else is ever created, so a v2 project never grows a v3 tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Literal

import yaml

from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_name_of
from hasura_perm.core.reading import read_text
from hasura_perm.core.yaml_source import MAX_FILE_BYTES
from hasura_perm.metadata.shape import raise_located
from hasura_perm.metadata.shape import table_entry_problems
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.metadata.table_files import TableFile

Layout = Literal["v2", "v3"]
TABLES_FILE = "tables.yaml"
_INDENTLESS = re.compile(r"^  [^\s#][^\n]*:\n  - ", re.MULTILINE)
_INDENTED = re.compile(r"^  [^\s#][^\n]*:\n    - ", re.MULTILINE)

try:
    _COMPOSER: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _COMPOSER = yaml.SafeLoader


def layout_of(root: Path) -> Layout:
    """ "v2" or "v3" for the metadata folder `root` (which need not exist yet)."""
    v3 = (root / "databases" / "databases.yaml").is_file()
    v2 = (root / TABLES_FILE).is_file()
    declared = _declared_version(root)
    if v3 and v2:
        if declared in ("v2", "v3"):
            return declared
        raise HasuraPermError(
            f"{root} holds both databases/databases.yaml (config v3) and tables.yaml "
            "(config v2), and no version.yaml says which one is in use; delete the stale one"
        )
    if v3 or v2:
        return "v3" if v3 else "v2"
    return declared or "v3"


def _declared_version(root: Path) -> Layout | None:
    for path in (root / "version.yaml", root.parent / "config.yaml"):
        version = _version_in(path)
        if version in (2, 3):
            return "v2" if version == 2 else "v3"
    return None


def _version_in(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_COMPOSER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # not ours to judge; the files present decide
    return data.get("version") if isinstance(data, dict) else None


@dataclass
class TablesFile:
    """tables.yaml as read: its text cut into one piece per table entry."""

    path: Path
    head: str = ""  # text before the first entry (comments), kept as it is
    names: list[TableName | None] = field(default_factory=list)  # per entry, file order
    pieces: list[str] = field(default_factory=list)  # per entry, its exact text
    indentless: bool = False  # sequences at their key's column (gopkg.in/yaml.v2)


def read_v2(meta: MetadataDir) -> None:
    """Fill `meta` (an empty MetadataDir) from `meta.root`/tables.yaml, if it exists."""
    path = meta.root / TABLES_FILE
    meta.layout = "v2"
    meta.tables_list = path
    tables_file = TablesFile(path)
    meta.v2 = tables_file
    if not path.exists() and not path.is_symlink():
        return
    text = read_text(path, str(path), limit=MAX_FILE_BYTES, root=meta.root)
    entries = yamlfmt.load(text, filename=str(path))
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise HasuraPermError(f"{path}: expected a list of table entries")
    for index, entry in enumerate(entries):
        raise_located(table_entry_problems(entry), text, str(path), (index,))
    tables_file.indentless = _is_indentless(text, entries)
    starts = _item_starts(text, str(path), len(entries))
    lines = text.splitlines(keepends=True)
    tables_file.head = "".join(lines[: starts[0]]) if starts else text
    for index, entry in enumerate(entries):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        tables_file.pieces.append("".join(lines[starts[index] : end]))
        if not isinstance(entry, dict) or "table" not in entry:
            raise HasuraPermError(
                f"{path}:{starts[index] + 1}: expected a table entry with a `table:` key"
            )
        name = table_name_of(entry["table"])
        tables_file.names.append(name)
        meta.tables[name] = TableFile(path, entry, None)


def _item_starts(text: str, shown: str, count: int) -> list[int]:
    """The 0-based line where each top-level entry starts."""
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError as e:  # yamlfmt.load accepted it, so this is unexpected
        raise HasuraPermError(f"{shown}: cannot find the table entries: {e}") from None
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    block = isinstance(node, yaml.SequenceNode) and not node.flow_style
    if len(items) != count or (items and not block):
        raise HasuraPermError(f"{shown}: expected a block list of table entries")
    return [item.start_mark.line for item in items]


def _is_indentless(text: str, entries: list[Any]) -> bool:
    if entries and yamlfmt.dump(entries, kind="other") == text:
        return False
    if entries and yamlfmt.dump(entries, kind="other", indentless=True) == text:
        return True
    return bool(_INDENTLESS.search(text)) and not _INDENTED.search(text)


def planned_v2_files(
    meta: MetadataDir, entries: dict[TableName, dict[str, Any]]
) -> dict[Path, str]:
    """tables.yaml with the given entries changed or added; every other entry as it was."""
    tables_file = meta.v2
    assert isinstance(tables_file, TablesFile)
    names = list(tables_file.names)
    pieces = list(tables_file.pieces)
    for table, entry in entries.items():
        text = yamlfmt.dump([entry], kind="other", indentless=tables_file.indentless)
        if table in names:
            index = names.index(table)
            before = yamlfmt.dump(
                [meta.tables[table].entry], kind="other", indentless=tables_file.indentless
            )
            if text != before:  # unchanged entries keep their exact bytes
                pieces[index] = text
            continue
        index = _sorted_position(names, table)
        names.insert(index, table)
        pieces.insert(index, text)
    if not pieces:
        return {tables_file.path: tables_file.head or "[]\n"}
    head = "" if tables_file.head.strip() in ("", "[]") else tables_file.head
    return {tables_file.path: head + "".join(_ended(p) for p in pieces)}


def _sorted_position(names: list[TableName | None], table: TableName) -> int:
    """Where Hasura's export puts a new table (sorted by schema and name); at the end when
    the file is not sorted."""
    known = [n for n in names if n is not None]
    if known != sorted(known):
        return len(names)
    for index, name in enumerate(names):
        if name is not None and name > table:
            return index
    return len(names)


def _ended(piece: str) -> str:
    return piece if piece.endswith("\n") else piece + "\n"
