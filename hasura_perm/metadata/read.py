"""Read existing Hasura metadata into a plain permission set, remembering where each block is.

Three inputs, one result (`ReadMetadata`):

- a Hasura CLI config v3 directory (`databases/databases.yaml` -> `tables.yaml` -> one file
  per table), read with hasura_perm.metadata.directory;
- the older config v2 layout: `tables.yaml` holding every table entry of the one source;
- a live server's `export_metadata` (version 1 or 2 answer, or the bare metadata object).

Values are read as the Hasura CLI reads them (hasura_perm.core.yamlfmt, go-yaml rules);
line numbers come from a second, cheap pass over the same text (PyYAML's composer), so every
permission block keeps the file and line where it starts and how many lines it spans.

The linter builds on this module: keep its names and fields stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import cast

import yaml

from hasura_perm.core import yamlfmt
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_ref
from hasura_perm.core.reading import read_text
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.function_files import FunctionFiles
from hasura_perm.metadata.function_files import function_name_of
from hasura_perm.metadata.function_files import read_function_files
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.metadata.v2_layout import layout_of

EXPORT_FILE = "export_metadata"  # the `file` of blocks read from a server's export

try:
    _COMPOSER: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _COMPOSER = yaml.SafeLoader


@dataclass(frozen=True)
class ReadPermission(Permission):
    """One permission block (`- role: ...` under `<action>_permissions`): the model's
    Permission (body in Hasura's export form, canonical_permission of `raw`; comment as
    written, "" stays "", an oddity worth reporting; location: the file as shown to the
    user, EXPORT_FILE for a server export, and the block's first line, 0 when unknown),
    plus what import and lint need of the text as written."""

    raw: dict[str, Any] = field(default_factory=dict)  # the `permission:` mapping as written
    entry: dict[str, Any] = field(default_factory=dict)  # the whole block: role, permission, ...
    lines: int = 0  # YAML lines the block spans (for an export: as the CLI would write it)

    @property
    def file(self) -> str:
        return self.location.file if self.location else EXPORT_FILE

    @property
    def line(self) -> int:
        return self.location.line if self.location else 0


@dataclass(frozen=True)
class ReadTable:
    """One table entry: everything Hasura keeps about the table (relationships, triggers, ...)."""

    name: TableName
    entry: dict[str, Any]
    file: str
    line: int

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)


@dataclass
class ReadMetadata:
    """Everything read from one Hasura source."""

    layout: str  # "config v3", "config v2" or "export_metadata"
    source: str
    origin: str = ""  # the directory or file read, as shown to the user
    tables: dict[TableName, ReadTable] = field(default_factory=dict)
    permissions: PermissionSet = field(default_factory=PermissionSet)  # of ReadPermission
    metadata: dict[str, Any] = field(default_factory=dict)  # top-level parts besides sources
    other_sources: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # e.g. a role twice
    permission_lines: int = 0  # YAML lines of every `<action>_permissions` list, keys included
    unsorted_lists: int = 0  # permission lists whose blocks are not in role order
    functions: dict[str, list[str]] = field(default_factory=dict)  # `schema.name` -> roles

    @property
    def blocks(self) -> int:
        return len(self.permissions)

    @property
    def roles(self) -> list[str]:
        return self.permissions.roles()

    def blocks_per_action(self) -> dict[str, int]:
        counts = dict.fromkeys(PERMISSION_KEYS, 0)
        for permission in self.permissions:
            counts[permission.action] += 1
        return counts

    def block(self, table: TableName, action: str, role: str) -> ReadPermission | None:
        return cast(ReadPermission | None, self.permissions.get(table, action, role))

    def each(self) -> list[tuple[TableName, str, str, ReadPermission]]:
        """Every block as (table, action, role, block), sorted by table, action, role."""
        return [(p.table, p.action, p.role, cast(ReadPermission, p)) for p in self.permissions]


def read_metadata_dir(path: Path, source: str | None = None) -> ReadMetadata:
    """A CLI config v3 or v2 metadata directory (or a JSON export file).

    `source`: the Hasura database to read; None means `default`, or the only one there is."""
    path = Path(path)
    if path.is_file() and path.suffix == ".json":
        return read_export(_load_json(path), source, file=_display(path))
    if (path / "databases" / "databases.yaml").is_file() or (path / "tables.yaml").is_file():
        return _read_v2(path, source) if layout_of(path) == "v2" else _read_v3(path, source)
    if (path / "metadata").is_dir() and path.name != "metadata":
        return read_metadata_dir(path / "metadata", source)
    raise HasuraPermError(
        f"{path} is not a Hasura metadata directory: expected databases/databases.yaml "
        "(Hasura CLI config v3) or tables.yaml (config v2); pass the folder that "
        "`hasura metadata export` writes"
    )


def source_names(path: Path) -> list[str]:
    """The sources (databases) a metadata directory or export JSON lists, `default` first;
    [] for a config v2 folder or metadata version 2 (one source, named by the caller)."""
    path = Path(path)
    if path.is_file() and path.suffix == ".json":
        metadata = _load_json(path)
        if isinstance(metadata.get("metadata"), dict):
            metadata = metadata["metadata"]
        sources, where = metadata.get("sources"), Location(_display(path))
    elif (path / "databases" / "databases.yaml").is_file() and layout_of(path) == "v3":
        databases = path / "databases" / "databases.yaml"
        sources = yamlfmt.load(
            read_text(databases, _display(databases), root=path), filename=_display(databases)
        )
        where = Location(_display(databases), 1, 1)
    elif (path / "metadata").is_dir() and path.name != "metadata":
        return source_names(path / "metadata")
    else:
        return []
    if sources is not None and not isinstance(sources, list):
        message = "expected a list of sources (`- name: default` ...); fix the file and retry"
        raise SpecError([Diagnostic(where, message)])
    names = [str(s.get("name")) for s in sources or () if isinstance(s, dict)]
    return sorted(names, key=lambda name: name != "default")  # stable: file order otherwise


def read_export(
    metadata: dict[str, Any], source: str | None = None, *, file: str = EXPORT_FILE
) -> ReadMetadata:
    """A server's export_metadata: the version 2 answer `{resource_version, metadata}`, or
    the metadata object itself (`{version: 3, sources: [...]}`, or version 2 `{tables}`)."""
    if isinstance(metadata.get("metadata"), dict):
        metadata = metadata["metadata"]
    if "sources" not in metadata and "tables" in metadata:  # metadata version 2: one source
        name = source or "default"
        sources = [{"name": name, "tables": metadata.get("tables") or []}]
        layout = "export_metadata (version 2)"
    else:
        sources = metadata.get("sources") or []
        layout = "export_metadata"
    names = [str(s.get("name")) for s in sources if isinstance(s, dict)]
    chosen = _choose_source(names, source, file)
    entry = sources[names.index(chosen)]
    result = ReadMetadata(
        layout, chosen, origin=file, metadata=_without(metadata, ("sources", "tables"))
    )
    result.other_sources = [n for n in names if n != chosen]
    for table in entry.get("tables") or []:
        _add_table(result, table, file, 0, None)
    functions = entry.get("functions") if "sources" in metadata else metadata.get("functions")
    for function in functions or []:
        if isinstance(function, dict) and isinstance(function.get("function"), str | dict):
            name = str(function_name_of(function["function"]))
            perms = function.get("permissions") or []
            result.functions[name] = [
                p["role"] for p in perms if isinstance(p, dict) and "role" in p
            ]
    return result


# ---------------------------------------------------------------------------- layouts


def _read_v3(root: Path, source: str | None) -> ReadMetadata:
    databases = root / "databases" / "databases.yaml"
    shown = _display(databases)
    sources = yamlfmt.load(read_text(databases, shown, root=root), filename=shown)
    if not isinstance(sources, list) or not sources:
        found = "nothing" if sources is None else "no list of sources"
        raise HasuraPermError(
            f"{shown}: found {found}; a Hasura CLI v3 export lists its sources (databases) "
            "there. Export the metadata again with `hasura metadata export`"
        )
    names = [str(s.get("name")) for s in sources if isinstance(s, dict)]
    chosen = _choose_source(names, source, _display(databases))
    meta = read_metadata(root, chosen)
    result = ReadMetadata(
        "config v3", chosen, origin=_display(root), metadata=_top_level_files(root)
    )
    result.other_sources = [n for n in names if n != chosen]
    result.functions = _functions(read_function_files(root, chosen, "v3"))
    for table_file in meta.tables.values():
        if table_file.text is None:  # an inline entry in databases.yaml
            _add_table(result, table_file.entry, _display(databases), 0, None)
            continue
        spans = _spans(table_file.text, _display(table_file.path))
        _add_table(result, table_file.entry, _display(table_file.path), 1, spans)
    return result


def _read_v2(root: Path, source: str | None) -> ReadMetadata:
    path = root / "tables.yaml"
    shown = _display(path)
    text = read_text(path, shown, root=root)
    tables = yamlfmt.load(text, filename=shown) or []
    if not isinstance(tables, list):
        raise HasuraPermError(f"{shown}: expected a list of table entries")
    result = ReadMetadata(
        "config v2", source or "default", origin=_display(root), metadata=_top_level_files(root)
    )
    result.functions = _functions(read_function_files(root, result.source, "v2"))
    node = _compose(text, shown)
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    for index, table in enumerate(tables):
        item = items[index] if index < len(items) else None
        spans = _mapping_spans(item, text) if isinstance(item, yaml.MappingNode) else None
        line = item.start_mark.line + 1 if item is not None else 0
        _add_table(result, table, shown, line, spans)
    return result


def _functions(files: FunctionFiles) -> dict[str, list[str]]:
    return {name: files.roles_of(name) for name in files.names()}


def _choose_source(names: list[str], wanted: str | None, where: str) -> str:
    if wanted is not None:
        if wanted not in names:
            known = ", ".join(names) or "none"
            raise HasuraPermError(
                f"{where} has no source (database) named {wanted!r}; it has: {known}. "
                "Pass --source NAME (or set `source:` in hasura-perm.yaml)"
            )
        return wanted
    if "default" in names or not names:
        return "default"
    if len(names) == 1:
        return names[0]
    raise HasuraPermError(
        f"{where} has several sources ({', '.join(names)}) and none is named `default`; "
        "pass --source NAME to say which one to import"
    )


def _top_level_files(root: Path) -> dict[str, Any]:
    """The other top-level metadata files that matter to an import (inherited roles, action
    permissions, introspection options, remote schemas)."""
    out: dict[str, Any] = {}
    for key, name in (
        ("inherited_roles", "inherited_roles.yaml"),
        ("actions", "actions.yaml"),
        ("graphql_schema_introspection", "graphql_schema_introspection.yaml"),
        ("remote_schemas", "remote_schemas.yaml"),
    ):
        path = root / name
        if path.is_file():
            out[key] = yamlfmt.load(
                read_text(path, _display(path), root=root), filename=_display(path)
            )
    return out


def _without(metadata: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in keys}


# ---------------------------------------------------------------------------- entries

Spans = dict[tuple[str, int | None], tuple[int, int]]  # (key, item or None) -> (line, lines)


def _add_table(result: ReadMetadata, entry: Any, file: str, line: int, spans: Spans | None) -> None:
    if not isinstance(entry, dict) or "table" not in entry:
        result.problems.append(
            Diagnostic(Location(file, line), "expected a table entry with `table:`")
        )
        return
    name = table_ref(entry["table"])
    if name is None:
        result.problems.append(
            Diagnostic(Location(file, line), "unreadable `table:` (schema and name)")
        )
        return
    if name in result.tables:
        first = result.tables[name].location
        result.problems.append(
            Diagnostic(Location(file, line), f"{name} is listed twice (also at {first})")
        )
        return
    result.tables[name] = ReadTable(name, entry, file, line)
    for action, key in PERMISSION_KEYS.items():
        blocks = entry.get(key)
        if not blocks:
            continue
        result.permission_lines += _list_lines(spans, key, {key: blocks})
        if not isinstance(blocks, list):
            result.problems.append(
                Diagnostic(Location(file, line), f"{name}: `{key}` is not a list")
            )
            continue
        roles = [
            _add_block(result, name, action, key, i, b, file, spans) for i, b in enumerate(blocks)
        ]
        added = [role for role in roles if role is not None]
        if added != sorted(added):
            result.unsorted_lists += 1


def _add_block(
    result: ReadMetadata,
    table: TableName,
    action: str,
    key: str,
    index: int,
    block: Any,
    file: str,
    spans: Spans | None,
) -> str | None:
    """Add one block; its role, or None when it is refused (a problem is recorded)."""
    line, lines = spans.get((key, index), (0, 0)) if spans else (0, 0)
    if not spans:
        lines = len(yamlfmt.dump([block]).splitlines()) if isinstance(block, dict) else 1
    where = Location(file, line)
    if not isinstance(block, dict) or not isinstance(block.get("role"), str):
        result.problems.append(Diagnostic(where, f"{table}: a {action} permission without a role"))
        return None
    raw = block.get("permission")
    raw = raw if isinstance(raw, dict) else {}
    role = block["role"]
    first = result.permissions.get(table, action, role)
    if first is not None:
        result.problems.append(
            Diagnostic(
                where,
                f"{table}: a second {action} permission for role {role} (first at {first.location})",
            )
        )
        return None
    comment = block.get("comment")
    result.permissions.add(
        ReadPermission(
            table,
            action,
            role,
            body=canonical_permission(action, raw),
            comment=comment if isinstance(comment, str) or comment is None else str(comment),
            location=where,
            raw=raw,
            entry=block,
            lines=lines,
        )
    )
    return role


def _list_lines(spans: Spans | None, key: str, as_data: dict[str, Any]) -> int:
    if spans and (key, None) in spans:
        return spans[(key, None)][1]
    return len(yamlfmt.dump(as_data).splitlines())  # an export: as the CLI would write it


# ---------------------------------------------------------------------------- line numbers


def _compose(text: str, shown: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError:  # yamlfmt.load already accepted it; lines are a nicety
        return None


def _spans(text: str, shown: str) -> Spans | None:
    node = _compose(text, shown)
    return _mapping_spans(node, text) if isinstance(node, yaml.MappingNode) else None


def _mapping_spans(node: yaml.MappingNode, text: str) -> Spans:
    """Line and line count of each permission list (key included) and of each block in it."""
    lines = text.splitlines()
    spans: Spans = {}
    for key_node, value in node.value:
        key = key_node.value
        if key not in PERMISSION_KEYS.values() or not isinstance(value, yaml.SequenceNode):
            continue
        start = key_node.start_mark.line
        spans[(key, None)] = (start + 1, _end_line(value, lines) - start)
        for index, item in enumerate(value.value):
            first = item.start_mark.line
            spans[(key, index)] = (first + 1, _end_line(item, lines) - first)
    return spans


def _end_line(node: yaml.Node, lines: list[str]) -> int:
    """The 0-based line just after `node` (PyYAML's end mark is where the next token starts)."""
    mark = node.end_mark
    if mark.line >= len(lines):
        return len(lines)
    before = lines[mark.line][: mark.column]
    return mark.line if before.strip() in ("", "-") else mark.line + 1


# ---------------------------------------------------------------------------- files


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise HasuraPermError(f"cannot read {_display(path)} as JSON: {e}") from None
    if not isinstance(data, dict):
        raise HasuraPermError(f"{_display(path)}: expected an export_metadata JSON object")
    return data


def _display(path: Path) -> str:
    """A path as the user typed it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
