"""Tracked functions of one source: where each entry lives, and their new text.

Layouts (the CLI's cli/internal/metadataobject/sources and .../functions):
- config v3: databases.yaml gives the source `functions: "!include <src>/functions/functions.yaml"`,
  a list of `"!include <schema>_<name>.yaml"`, one entry per file (inline entries are read too);
- config v2: metadata/functions.yaml, the list of entries itself.

An entry is `function` ({name, schema} or a bare name), then `configuration`, `permissions`
(`- role: r`, nothing else: FunctionPermissionInfo in Hasura/Function/Cache.hs) and `comment`,
in that order (functionMetadataToOrdJSON in RQL/Types/Metadata/Serialization.hs). Only the
permissions of declared roles on managed functions change; a file whose meaning does not
change keeps its bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.paths import is_inside
from hasura_perm.core.reading import read_text
from hasura_perm.core.yaml_source import MAX_FILE_BYTES
from hasura_perm.metadata.permission_list import with_owned_permissions
from hasura_perm.spec.surface import Surface

INCLUDE = "!include "
V2_FILE = "functions.yaml"


@dataclass
class FunctionEntry:
    path: Path  # the file holding the entry
    entry: dict[str, Any]
    position: int | None  # index in the list file when inline; None: a file of its own


@dataclass
class FunctionFiles:
    source: str
    list_path: Path | None = None  # functions.yaml (v3: the include list; v2: the entries)
    items: list[Any] = field(default_factory=list)  # the list as read
    functions: dict[str, FunctionEntry] = field(default_factory=dict)  # `schema.name` ->
    indentless: bool = False  # the list file as older CLIs (gopkg.in/yaml.v2) write it

    def names(self) -> list[str]:
        return list(self.functions)

    def roles_of(self, function: str) -> list[str]:
        return [p["role"] for p in self.functions[function].entry.get("permissions") or []]


def function_name_of(value: Any) -> TableName:
    """`function:` as Hasura reads it: a bare name means schema public."""
    if isinstance(value, str):
        return TableName("public", value)
    return TableName(value.get("schema", "public"), value["name"])


def read_function_files(
    root: Path, source: str, layout: str, *, indentless: bool = False
) -> FunctionFiles:
    """`indentless`: how the layout's other files write nested lists (config v2: tables.yaml),
    for a functions.yaml that has none yet."""
    result = FunctionFiles(source)
    path: Path | None
    if layout == "v2":
        path = root / V2_FILE
    else:
        path = _v3_list(root, source)
    if path is None or (not path.exists() and not path.is_symlink()):
        return result
    result.list_path = path
    text = read_text(path, str(path), limit=MAX_FILE_BYTES, root=root)
    items = yamlfmt.load(text, filename=str(path))
    if items is None:
        items = []
    if not isinstance(items, list):
        raise HasuraPermError(f"{path}: expected a list of functions; export the metadata again")
    result.items = items
    nested = re.search(r"^( *)[\w-]+:\n(\1 *)- ", text, re.M)  # a list under a key
    result.indentless = (nested.group(1) == nested.group(2)) if nested else indentless
    for position, item in enumerate(items):
        if isinstance(item, str) and item.startswith(INCLUDE):
            file = _included(path, item, root)
            entry_text = read_text(file, str(file), limit=MAX_FILE_BYTES, root=root)
            _add(result, file, yamlfmt.load(entry_text, filename=str(file)), None)
        else:
            _add(result, path, item, position)
    return result


def _v3_list(root: Path, source: str) -> Path | None:
    databases = root / "databases" / "databases.yaml"
    if not databases.exists() and not databases.is_symlink():
        return None
    text = read_text(databases, str(databases), limit=MAX_FILE_BYTES, root=root)
    sources = yamlfmt.load(text, filename=str(databases))
    for entry in sources if isinstance(sources, list) else []:
        if isinstance(entry, dict) and entry.get("name") == source:
            functions = entry.get("functions")
            if isinstance(functions, str) and functions.startswith(INCLUDE):
                return _included(databases, functions, root)
            if functions:
                raise HasuraPermError(
                    f"{databases}: source `{source}` lists its functions inline; hasura-perm "
                    "writes them only in the CLI's layout (`functions: \"!include "
                    f'{source}/functions/functions.yaml"`): export the metadata again'
                )
    return None


def _included(parent: Path, reference: str, root: Path) -> Path:
    relative = reference[len(INCLUDE) :].strip()
    path = parent.parent / relative
    if not relative or not is_inside(path, root):
        raise HasuraPermError(f"{parent}: `!include {relative}` points outside {root.name}/")
    if not path.exists() and not path.is_symlink():
        raise HasuraPermError(f"{parent}: includes {relative}, which does not exist")
    return path


def _add(result: FunctionFiles, path: Path, entry: Any, position: int | None) -> None:
    where = f"{path}" if position is None else f"{path} (entry {position + 1})"
    if not isinstance(entry, dict) or not isinstance(entry.get("function"), str | dict):
        raise HasuraPermError(f"{where}: expected a function entry with a `function:` key")
    try:
        name = str(function_name_of(entry["function"]))
    except (KeyError, TypeError):
        raise HasuraPermError(f"{where}: `function:` needs a `name`") from None
    perms = entry.get("permissions") or []
    if not isinstance(perms, list) or not all(
        isinstance(p, dict) and isinstance(p.get("role"), str) for p in perms
    ):
        raise HasuraPermError(f"{where}: `permissions` must be a list of `- role: NAME`")
    result.functions[name] = FunctionEntry(path, entry, position)


def planned_function_files(files: FunctionFiles, surface: Surface) -> dict[Path, str]:
    """The files whose meaning changes, with their new text."""
    out: dict[Path, str] = {}
    owned = set(surface.roles)
    items = list(files.items)
    list_changed = False
    for name in surface.functions:
        found = files.functions.get(name)
        if found is None:
            continue
        grants = surface.function_grants.get(name, {})
        new = with_permissions(found.entry, sorted(grants), owned)
        if new == found.entry:
            continue
        if found.position is None:
            out[found.path] = yamlfmt.dump(new, kind="table")
        else:
            items[found.position] = new
            list_changed = True
    if list_changed and files.list_path is not None:
        out[files.list_path] = yamlfmt.dump(items, kind="other", indentless=files.indentless)
    return out


def with_permissions(entry: dict[str, Any], granted: list[str], owned: set[str]) -> dict[str, Any]:
    """`entry` with the owned roles' permissions made `granted`; others keep their place."""
    wanted = {r: {"role": r} for r in granted}
    # the server's order: function, configuration, permissions; a granted role's entry stays
    # as written (a function permission is only its role)
    return with_owned_permissions(
        entry, wanted, owned, before="comment", keep=lambda present, new: True
    )
