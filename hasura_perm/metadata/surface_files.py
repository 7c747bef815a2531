"""actions.yaml and graphql_schema_introspection.yaml: read them, and their new text.

Both sit at the top of metadata/ in the CLI's layout (cli/internal/metadataobject/actions and
.../graphql_schema_introspection). actions.yaml exists in both layouts; the introspection file
only with config v3 (cli/internal/projectmetadata/objects.go). Only what we own changes: the
permissions of declared roles on managed actions, and whether declared roles are in
`disabled_for_roles`. A file whose meaning does not change is not rewritten, so its bytes
(the server's order included) stay as `hasura metadata export` wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.reading import read_text
from hasura_perm.core.yaml_source import MAX_FILE_BYTES
from hasura_perm.metadata.permission_list import with_owned_permissions
from hasura_perm.metadata.remote_schema_file import RemoteSchemaFile
from hasura_perm.metadata.remote_schema_file import planned_remote_schema_file
from hasura_perm.metadata.remote_schema_file import read_remote_schema_file
from hasura_perm.spec.surface import Surface

ACTIONS_FILE = "actions.yaml"
INTROSPECTION_FILE = "graphql_schema_introspection.yaml"
GRAPHQL_FILE = "actions.graphql"
INHERITED_FILE = "inherited_roles.yaml"


@dataclass
class SurfaceFiles:
    root: Path
    layout: str  # "v3" or "v2"
    actions: dict[str, Any] | None  # actions.yaml as read; None: absent
    introspection: dict[str, Any] | None  # graphql_schema_introspection.yaml; None: absent
    graphql: str | None = None  # actions.graphql (read for lint: output types), None: absent
    indentless: bool = False  # actions.yaml as older CLIs (gopkg.in/yaml.v2) write it
    remote: RemoteSchemaFile | None = None  # remote_schemas.yaml; None: absent
    inherited: list[dict[str, Any]] | None = None  # inherited_roles.yaml; None: absent

    def action_names(self) -> list[str] | None:
        if self.actions is None:
            return None
        return [a["name"] for a in self.actions.get("actions") or []]

    def disabled_roles(self) -> list[str]:
        return list((self.introspection or {}).get("disabled_for_roles") or [])


def read_surface_files(root: Path, layout: str) -> SurfaceFiles:
    files = _read_surface_files(root, layout)
    files.remote = read_remote_schema_file(root, layout)
    return files


def _read_surface_files(root: Path, layout: str) -> SurfaceFiles:
    actions_text = _text(root / ACTIONS_FILE, root)
    files = SurfaceFiles(
        root,
        layout,
        _load(root / ACTIONS_FILE, root, _check_actions),
        _load(root / INTROSPECTION_FILE, root, _check_introspection),
        _text(root / GRAPHQL_FILE, root),
        # yaml.v2 writes a sequence at its key's column: `actions:` then `- name:`
        bool(actions_text and re.search(r"^actions:\n- ", actions_text, re.M)),
    )
    files.inherited = read_inherited_roles(root)
    return files


def _text(path: Path, root: Path) -> str | None:
    if not path.exists() and not path.is_symlink():
        return None
    return read_text(path, str(path), limit=MAX_FILE_BYTES, root=root)


def _load(path: Path, root: Path, check: Any) -> dict[str, Any] | None:
    if not path.exists() and not path.is_symlink():
        return None
    shown = str(path)
    text = read_text(path, shown, limit=MAX_FILE_BYTES, root=root)
    data: Any = yamlfmt.load(text, filename=shown)  # a mapping once check() found no problem
    if data is None:
        return None
    problem = check(data)
    if problem:
        raise HasuraPermError(f"{shown}: {problem}; fix the file or export the metadata again")
    return data


def _check_actions(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("actions") or [], list):
        return "expected a mapping with an `actions:` list"
    for index, action in enumerate(data.get("actions") or []):
        if not isinstance(action, dict) or not isinstance(action.get("name"), str):
            return f"action {index + 1} has no `name`"
        for perm in action.get("permissions") or []:
            if not isinstance(perm, dict) or not isinstance(perm.get("role"), str):
                return f"action `{action['name']}` has a permission without `role`"
    return None


def _check_introspection(data: Any) -> str | None:
    roles = data.get("disabled_for_roles") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(roles or [], list):
        return "expected `disabled_for_roles:` with a list of roles"
    if not all(isinstance(r, str) for r in roles or []):
        return "`disabled_for_roles` must list role names"
    return None


def planned_surface_files(files: SurfaceFiles, surface: Surface) -> dict[Path, str]:
    """The files whose meaning changes, with their new text."""
    out: dict[Path, str] = {}
    if files.actions is not None and surface.actions:
        new = merged_actions(files.actions, surface)
        if new != files.actions:
            out[files.root / ACTIONS_FILE] = yamlfmt.dump(
                new, kind="other", indentless=files.indentless
            )
    wanted = merged_disabled(files.disabled_roles(), surface)
    if set(wanted) != set(files.disabled_roles()):
        if files.layout == "v2":
            raise HasuraPermError(
                "introspection: false needs graphql_schema_introspection.yaml, which the config "
                "v2 metadata layout does not have; move the project to config v3 (`hasura "
                "scripts config-v3`) or drop the setting"
            )
        out[files.root / INTROSPECTION_FILE] = yamlfmt.dump(
            {"disabled_for_roles": wanted}, kind="other"
        )
    out.update(_planned_remote(files, surface))
    out.update(planned_inherited_file(files, surface))
    return out


def _planned_remote(files: SurfaceFiles, surface: Surface) -> dict[Path, str]:
    if surface.remote_schemas and files.remote is None:
        raise HasuraPermError(
            f"{files.root / 'remote_schemas.yaml'} is missing, and the project sets the "
            "role-based schemas of remote schemas; export the metadata again"
        )
    return planned_remote_schema_file(
        files.remote, surface.remote_schemas, surface.remote_grants, surface.roles
    )


def merged_actions(data: dict[str, Any], surface: Surface) -> dict[str, Any]:
    """actions.yaml with the owned permissions of managed actions replaced."""
    owned, managed = set(surface.roles), set(surface.actions)
    actions = []
    for action in data.get("actions") or []:
        if action["name"] in managed:
            action = _with_permissions(action, surface.grants.get(action["name"], {}), owned)
        actions.append(action)
    return {**data, "actions": actions}


def _with_permissions(
    action: dict[str, Any], grants: dict[str, Any], owned: set[str]
) -> dict[str, Any]:
    wanted = {r: permission_entry(r, grants[r].comment) for r in sorted(grants)}
    # the CLI's order: name, definition, permissions, comment
    return with_owned_permissions(action, wanted, owned, before="comment")


def permission_entry(role: str, comment: str | None) -> dict[str, Any]:
    """As the server exports it (permToOrdJSON in RQL/Types/Metadata/Serialization.hs)."""
    return {"role": role} if comment is None else {"role": role, "comment": comment}


def merged_disabled(present: list[str], surface: Surface) -> list[str]:
    """Roles we do not own keep their place; ours follow, sorted."""
    owned, ours = set(surface.roles), set(surface.introspection_disabled)
    kept = [r for r in present if r not in owned or r in ours]
    return kept + sorted(ours - set(kept))


# ---------------------------------------------------------------- inherited_roles.yaml
# cli/internal/metadataobject/inherited_roles: a top-level list of {role_name, role_set}, as the
# server exports it (sorted by role_name; role_set a HashSet, so compared as a set). Config v3
# only. We own the entries of declared roles: a `combines` role has one, any other has none.


def read_inherited_roles(root: Path) -> list[dict[str, Any]] | None:
    path = root / INHERITED_FILE
    if not path.exists() and not path.is_symlink():
        return None
    shown = str(path)
    data = yamlfmt.load(read_text(path, shown, limit=MAX_FILE_BYTES, root=root), filename=shown)
    problem = _check_inherited(data)
    if problem:
        raise HasuraPermError(f"{shown}: {problem}; fix the file or export the metadata again")
    assert data is None or isinstance(data, list)  # _check_inherited said so
    return list(data or [])


def _check_inherited(data: Any) -> str | None:
    if not isinstance(data or [], list):
        return "expected a list of inherited roles (`- role_name: ...`)"
    for index, entry in enumerate(data or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("role_name"), str):
            return f"inherited role {index + 1} has no `role_name`"
        parents = entry.get("role_set")
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            return f"inherited role `{entry['role_name']}` needs `role_set:` with a list of roles"
    return None


def inherited_meaning(entries: list[dict[str, Any]] | None) -> dict[str, frozenset[str]]:
    return {e["role_name"]: frozenset(e["role_set"]) for e in entries or []}


def merged_inherited(entries: list[dict[str, Any]], surface: Surface) -> list[dict[str, Any]]:
    """The file's entries with the owned ones replaced, sorted by role_name as exported."""
    owned = set(surface.roles)
    kept = {e["role_name"]: e for e in entries if e["role_name"] not in owned}
    for role, parents in surface.combines.items():
        kept[role] = {"role_name": role, "role_set": list(parents)}
    return [kept[name] for name in sorted(kept)]


def planned_inherited_file(files: SurfaceFiles, surface: Surface) -> dict[Path, str]:
    present = files.inherited or []
    new = merged_inherited(present, surface)
    if inherited_meaning(new) == inherited_meaning(present):
        return {}
    if files.layout == "v2":
        raise HasuraPermError(
            "`combines:` needs inherited_roles.yaml, which the config v2 metadata layout does "
            "not have; move the project to config v3 (`hasura scripts config-v3`) or use "
            "`inherits:`"
        )
    return {files.root / INHERITED_FILE: yamlfmt.dump(new, kind="other")}


def surface_permission_roles(files: SurfaceFiles, surface: Surface) -> set[str]:
    """Roles that count as defined for an inherited role's parents, outside table permissions,
    once compile has written: action and remote schema permissions, and inherited roles (the
    engine's `allRoleNames`, buildAndCollectInfo in RQL/DDL/Schema/Cache.hs; function
    permissions do not count there)."""
    roles: set[str] = set()
    if files.actions is not None:
        actions = merged_actions(files.actions, surface) if surface.actions else files.actions
        for action in actions.get("actions") or []:
            roles.update(p["role"] for p in action.get("permissions") or [])
    roles.update(inherited_meaning(merged_inherited(files.inherited or [], surface)))
    return roles | _remote_roles(files, surface)


def _remote_roles(files: SurfaceFiles, surface: Surface) -> set[str]:
    """Roles with a role-based schema: the file's, with the managed schemas' owned roles as
    compiled."""
    owned, managed = set(surface.roles), set(surface.remote_schemas)
    present = files.remote.permissions() if files.remote is not None else {}
    roles = {
        role
        for name, by_role in present.items()
        for role in by_role
        if role not in owned or name not in managed
    }
    return roles | {role for name in managed for role in surface.remote_grants.get(name, {})}
