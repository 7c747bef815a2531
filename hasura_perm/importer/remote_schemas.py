"""Import the role-based schemas of remote schemas into permissions/.

Each schema becomes a file `permissions/remote_schemas/<remote schema>/<role>.graphql` (the
SDL as the metadata holds it) named from `permissions/remote_schemas.yaml`, factored through
the inferred role inheritance as action grants are: a child whose parents give it the same
schema needs no entry, a child that has none while a parent does gets `deny`. An inherited
role (inherited_roles.yaml) expressed as `inherits` and without its own schema is given
its parents' schema by Hasura; when the parents' schemas differ Hasura merges them, which
hasura-perm cannot write, so the import stops and says so. The result is proved by compiling
it back.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.core import sdl
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.importer import yamlout
from hasura_perm.importer.inherited import InheritedRole
from hasura_perm.spec import load_spec
from hasura_perm.spec.remote_schemas import compile_remote_schemas
from hasura_perm.spec.resolve import role_parents

REMOTE_FILE = "remote_schemas.yaml"
FOLDER = "remote_schemas"
Schemas = dict[str, dict[str, tuple[str, str | None]]]  # remote schema -> role -> (SDL, comment)


@dataclass
class RemoteImport:
    names: list[str] = field(default_factory=list)  # every remote schema the metadata defines
    schemas: Schemas = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(roles) for roles in self.schemas.values())


def read_remote(metadata: dict[str, Any], inherited: list[InheritedRole]) -> RemoteImport:
    """The metadata's role-based schemas. Inherited roles are imported as `combines` roles,
    for which Hasura keeps deriving a schema from the parents', so nothing is added for them;
    `inherited` is kept for callers that name it."""
    out = RemoteImport()
    entries = metadata.get("remote_schemas")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        name = entry["name"]
        out.names.append(name)
        roles: dict[str, tuple[str, str | None]] = {}
        for perm in entry.get("permissions") or []:
            schema = (
                (perm.get("definition") or {}).get("schema") if isinstance(perm, dict) else None
            )
            if isinstance(schema, str) and isinstance(perm.get("role"), str):
                roles[perm["role"]] = (schema, perm.get("comment"))
        if roles:
            out.schemas[name] = roles
    return out


def remote_roles(
    roles: dict[str, dict[str, Any]], remote: RemoteImport
) -> dict[str, dict[str, Any]]:
    """`roles` with every role seen only in a role-based schema declared."""
    roles = {name: dict(value) for name, value in roles.items()}
    for role in {r for granted in remote.schemas.values() for r in granted} - set(roles):
        roles[role] = {}
    return dict(sorted(roles.items()))


def remote_files(roles: dict[str, dict[str, Any]], remote: RemoteImport) -> dict[str, str]:
    """permissions/remote_schemas.yaml and the schema files, relative to permissions/."""
    parents = {name: _parents(value) for name, value in roles.items()}
    files: dict[str, str] = {}
    entries: dict[str, dict[str, Any]] = {}
    folders = _unique_slugs(sorted(remote.schemas))
    for name in sorted(remote.schemas):
        granted = remote.schemas[name]
        written: dict[str, Any] = {}
        resolved: dict[str, Any] = {}
        for role in sorted(roles):
            _resolve(role, granted, parents, written, resolved)
        entry: dict[str, Any] = {}
        slugs = _unique_slugs(sorted(r for r in written if written[r] != "deny"))
        for role, value in sorted(written.items()):
            if value == "deny":
                entry[role] = "deny"
                continue
            schema, comment = value
            path = f"{FOLDER}/{folders[name]}/{slugs[role]}.graphql"
            files[path] = schema.rstrip("\n") + "\n"
            entry[role] = {"schema_file": path} | ({} if comment is None else {"comment": comment})
        if entry:
            entries[name] = entry
    if not entries:
        return {}
    header = (
        "# The schema each role sees of each Hasura remote schema (imported). A role with no\n"
        "# entry inherits its parent roles' schema; `deny` stops that.\n"
    )
    files[REMOTE_FILE] = header + "\n" + yamlout.dump({"remote_schemas": entries})
    return files


_NONE = object()


def _resolve(
    role: str,
    granted: dict[str, tuple[str, str | None]],
    parents: dict[str, tuple[str, ...]],
    written: dict[str, Any],
    resolved: dict[str, Any],
) -> Any:
    """What compile gives `role` with the entries written so far (spec/remote_schemas.py);
    adds to `written` what the role needs."""
    if role in resolved:
        return resolved[role]
    from_parents = [
        g
        for p in parents.get(role, ())
        if (g := _resolve(p, granted, parents, written, resolved)) is not _NONE
    ]
    inherited: Any = _NONE
    if from_parents and all(sdl.same_schema(g[0], from_parents[0][0]) for g in from_parents):
        comments = {g[1] for g in from_parents}
        inherited = (from_parents[0][0], comments.pop() if len(comments) == 1 else None)
    elif from_parents:
        inherited = None  # parents differ: the child must have its own entry (or deny)
    if role in granted:
        own = granted[role]
        if inherited in (_NONE, None) or not _same(inherited, own):
            written[role] = own
        resolved[role] = own
    else:
        if inherited is not _NONE:
            written[role] = "deny"
        resolved[role] = _NONE
    return resolved[role]


def _same(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    return a[1] == b[1] and sdl.same_schema(a[0], b[0])


def _parents(value: dict[str, Any]) -> tuple[str, ...]:
    inherits = value.get("inherits", ())
    return (inherits,) if isinstance(inherits, str) else tuple(inherits)


def _unique_slugs(names: list[str]) -> dict[str, str]:
    """A file name for each name: itself when safe, else with `_` for other characters."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        slug = re.sub(r"[^A-Za-z0-9_-]", "_", name) or "_"
        if slug.lower() in used:  # case-insensitive file systems
            index = 2
            while f"{slug}_{index}".lower() in used:
                index += 1
            slug = f"{slug}_{index}"
        used.add(slug.lower())
        out[name] = slug
    return out


def prove_remote(files: dict[str, str], remote: RemoteImport) -> str | None:
    """Compile the planned files' remote schemas and roles back; the first difference."""
    if not remote.schemas:
        return None
    with tempfile.TemporaryDirectory(prefix="hasura-perm-import-") as folder:
        root = Path(folder)
        for relative, text in files.items():
            if relative.endswith(".yaml") and "/" not in relative or relative.startswith(FOLDER):
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_text(text, encoding="utf-8")
        spec = load_spec(root, root)
        problems: list[Diagnostic] = []
        _, grants = compile_remote_schemas(
            spec, role_parents(spec, problems), remote.names, root, problems, root
        )
    if problems:
        return "; ".join(str(problem) for problem in problems[:3])
    for name in sorted(set(grants) | set(remote.schemas)):
        got, want = grants.get(name, {}), remote.schemas.get(name, {})
        for role in sorted(set(got) | set(want)):
            if role not in got or role not in want:
                return f"remote schema {name}: {role} {'missing' if role in want else 'extra'}"
            if not _same((got[role].schema, got[role].comment), want[role]):
                return f"remote schema {name}: {role}'s schema differs"
    return None
