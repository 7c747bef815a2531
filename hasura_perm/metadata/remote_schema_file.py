"""remote_schemas.yaml: read it, and its new text with the role-based schemas we own.

The file sits at the top of metadata/ in both layouts: a list of remote schemas, each
`name, definition, comment, permissions, remote_relationships`
(cli/internal/metadataobject/remoteschemas/remote_schemas.go; the server's order is
`remoteSchemaQToOrdJSON` in RQL/Types/Metadata/Serialization.hs). A permission is
`{role, definition: {schema: <SDL>}}` and the server also keeps a `comment`, which the CLI's
export drops (its `permission` struct has no such field) but `hasura metadata apply` sends.

Only the permissions of declared roles on remote schemas the project names change; the remote
schemas themselves (url, headers, customization, relationships) are not ours. A permission
whose schema means the same (core/sdl.py) keeps its text: the export reformats the SDL, and a
compile after an export must not rewrite it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hasura_perm.core import sdl
from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.reading import read_text
from hasura_perm.core.yaml_source import MAX_FILE_BYTES
from hasura_perm.metadata.permission_list import with_owned_permissions
from hasura_perm.spec.remote_schemas import RemoteGrants

REMOTE_SCHEMAS_FILE = "remote_schemas.yaml"


@dataclass
class RemoteSchemaFile:
    path: Path
    entries: list[dict[str, Any]]  # as read
    indentless: bool  # written by an older CLI (gopkg.in/yaml.v2): `permissions:` then `- `

    def names(self) -> list[str]:
        return [e["name"] for e in self.entries]

    def permissions(self) -> dict[str, dict[str, dict[str, Any]]]:
        """remote schema -> role -> permission entry, as in the file."""
        return {e["name"]: {p["role"]: p for p in e.get("permissions") or []} for e in self.entries}


def read_remote_schema_file(root: Path, layout: str = "v3") -> RemoteSchemaFile | None:
    """The file (None: absent). A nested list written at its key's column says an older CLI
    (gopkg.in/yaml.v2) wrote it, as config v2 projects do; without one the layout decides."""
    path = root / REMOTE_SCHEMAS_FILE
    if not path.exists() and not path.is_symlink():
        return None
    shown = str(path)
    text = read_text(path, shown, limit=MAX_FILE_BYTES, root=root)
    data: Any = yamlfmt.load(text, filename=shown)  # a list once the check finds no problem
    problem = check_remote_schemas(data)
    if problem:
        raise HasuraPermError(f"{shown}: {problem}; fix the file or export the metadata again")
    nested = re.search(r"^( +)[^\s#][^\n]*:\n\1- ", text, re.M)
    indented = re.search(r"^( +)[^\s#][^\n]*:\n\1  - ", text, re.M)
    indentless = bool(nested) if nested or indented else layout == "v2"
    return RemoteSchemaFile(path, list(data or []), indentless)


def check_remote_schemas(data: Any) -> str | None:
    """What is wrong with a remote_schemas list (the file, or an export's `remote_schemas`)."""
    if data is None:
        return None
    if not isinstance(data, list):
        return "expected a list of remote schemas"
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            return f"remote schema {index + 1} has no `name`"
        perms = entry.get("permissions") or []
        if not isinstance(perms, list):
            return f"remote schema `{entry['name']}` has `permissions` that is not a list"
        for perm in perms:
            schema = (perm.get("definition") or {}) if isinstance(perm, dict) else None
            if (
                not isinstance(perm, dict)
                or not isinstance(perm.get("role"), str)
                or not isinstance(schema, dict)
                or not isinstance(schema.get("schema"), str)
            ):
                return (
                    f"remote schema `{entry['name']}` has a permission without `role` and "
                    "`definition.schema`"
                )
    return None


def planned_remote_schema_file(
    file: RemoteSchemaFile | None, managed: list[str], grants: RemoteGrants, roles: list[str]
) -> dict[Path, str]:
    """The file with its new text when the meaning of an owned permission changes."""
    if file is None or not managed:
        return {}
    new = merged_remote_schemas(file.entries, managed, grants, set(roles))
    if new == file.entries:
        return {}
    return {file.path: yamlfmt.dump(new, kind="other", indentless=file.indentless)}


def merged_remote_schemas(
    entries: list[dict[str, Any]], managed: list[str], grants: RemoteGrants, owned: set[str]
) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        if entry["name"] in managed:
            entry = _with_permissions(entry, grants.get(entry["name"], {}), owned)
        out.append(entry)
    return out


def _with_permissions(
    entry: dict[str, Any], grants: dict[str, Any], owned: set[str]
) -> dict[str, Any]:
    wanted = {r: permission_entry(r, grants[r]) for r in sorted(grants)}

    def same(present: dict[str, Any], new: dict[str, Any]) -> bool:
        grant = grants[present["role"]]
        return same_permission(present, grant.schema, grant.comment)

    # permissions before relationships, as the CLI writes them
    return with_owned_permissions(entry, wanted, owned, before="remote_relationships", keep=same)


def same_permission(perm: dict[str, Any], schema: str, comment: str | None) -> bool:
    return perm.get("comment") == comment and sdl.same_schema(perm["definition"]["schema"], schema)


def permission_entry(role: str, grant: Any) -> dict[str, Any]:
    """As the server exports it: role, definition, comment (permsToMaybeOrdJSON)."""
    entry: dict[str, Any] = {"role": role, "definition": {"schema": block_text(grant.schema)}}
    if grant.comment is not None:
        entry["comment"] = grant.comment
    return entry


def block_text(schema: str) -> str:
    """The SDL as written, ending in one line break so it is a plain `|` block."""
    return schema.rstrip("\n") + "\n"
