"""Spec -> the role-based schemas of remote schemas hasura-perm owns.

Per (remote schema, role): the role's entry under `remote_schemas:` (its schema document, or
`deny`), else the parents' resolved schemas, else nothing. Names are exact: a role-based
schema is written against one remote schema's types, so a pattern would rarely fit two.
Several parents with different schemas are an error (the child needs its own entry): the
engine would merge them itself for an inherited role, but hasura-perm writes each role's
schema out, and a merge of two SDL documents is not something to guess.

The document must parse (core/sdl.py). Whether it is a subset of the remote schema, as the
engine checks on `add_remote_schema_permissions`, needs the remote schema's own types, which
only the server has (it introspects the remote); plan and apply leave that check to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hasura_perm.core import sdl
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.paths import is_inside
from hasura_perm.core.reading import read_text
from hasura_perm.core.reading import shown_path
from hasura_perm.core.validate import did_you_mean
from hasura_perm.spec import Node
from hasura_perm.spec import Spec

MAX_SCHEMA_BYTES = 4 * 1024 * 1024
ADMIN = "admin"


@dataclass(frozen=True)
class RemoteSchemaGrant:
    """One role's schema of one remote schema, and where it came from."""

    remote_schema: str
    role: str
    schema: str  # the SDL as the user wrote it
    comment: str | None
    location: Location
    origin: str  # "remote_schemas entry `x`", "inherited from editor"
    schema_file: str | None = None  # shown path when the SDL came from a file


RemoteGrants = dict[str, dict[str, RemoteSchemaGrant]]  # remote schema -> role -> grant


def compile_remote_schemas(
    spec: Spec,
    parents: dict[str, tuple[str, ...]],
    defined: list[str] | None,
    permissions_dir: Path | None,
    problems: list[Diagnostic],
    root: Path | None = None,
) -> tuple[list[str], RemoteGrants]:
    """The managed remote schemas (sorted) and every role's resolved grant on them.
    `defined`: the remote schemas in metadata/remote_schemas.yaml (None: no such file)."""
    if not spec.remote_schemas:
        return [], {}
    known = defined or []
    managed = []
    grants: RemoteGrants = {}
    for name, node in spec.remote_schemas.items():
        if name not in known:
            problems.append(
                Diagnostic(
                    node.location,
                    f"remote schema `{name}` is not in metadata/remote_schemas.yaml"
                    f"{did_you_mean(name, known)}; add the remote schema in Hasura first "
                    "(console or `hasura metadata apply`): hasura-perm sets who sees what of "
                    "it, not the remote schema",
                )
            )
            continue
        own = _own_grants(name, node, spec, permissions_dir, root, problems)
        managed.append(name)
        resolved: dict[str, RemoteSchemaGrant | None] = {}
        for role in spec.roles:
            grant = _resolve(name, role, own, parents, resolved, set(), problems)
            if grant is not None:
                grants.setdefault(name, {})[role] = grant
    return sorted(managed), grants


def _own_grants(
    name: str,
    node: Node,
    spec: Spec,
    permissions_dir: Path | None,
    root: Path | None,
    problems: list[Diagnostic],
) -> dict[str, RemoteSchemaGrant | None]:
    """role -> its own grant (None: `deny`) for one remote schema entry."""
    own: dict[str, RemoteSchemaGrant | None] = {}
    for role in node.value or {}:
        rule = node.child(role)
        if role not in spec.roles:
            hint = did_you_mean(role, list(spec.roles))
            problems.append(Diagnostic(rule.location, f"unknown role `{role}` for `{name}`{hint}"))
            continue
        if rule.value == "deny":
            own[role] = None
            continue
        if role == ADMIN:
            problems.append(
                Diagnostic(
                    rule.location, "Hasura refuses a remote schema permission for the admin role"
                )
            )
            continue
        text, shown = _schema_text(rule, permissions_dir, root, problems)
        if text is None:
            continue
        origin = f"remote_schemas entry `{name}`"
        own[role] = RemoteSchemaGrant(
            name, role, text, rule.value.get("comment"), rule.location, origin, shown
        )
    return own


def _schema_text(
    rule: Node, permissions_dir: Path | None, root: Path | None, problems: list[Diagnostic]
) -> tuple[str | None, str | None]:
    """The SDL of a grant, checked to parse; problems name the file and line."""
    if "schema" in rule.value:
        text, shown, where = rule.value["schema"], None, rule.child("schema").location
    else:
        where = rule.child("schema_file").location
        relative = rule.value["schema_file"]
        if permissions_dir is None:
            problems.append(
                Diagnostic(where, "schema_file needs the project's permissions/ folder")
            )
            return None, None
        path = permissions_dir / relative
        if Path(relative).is_absolute() or not is_inside(path, permissions_dir):
            problems.append(
                Diagnostic(where, f"schema_file `{relative}` must be a path inside permissions/")
            )
            return None, None
        shown = shown_path(path, root or permissions_dir)
        try:
            text = read_text(path, shown, limit=MAX_SCHEMA_BYTES, root=permissions_dir)
        except SpecError as exc:
            problems.extend(exc.problems)
            return None, None
        except HasuraPermError as exc:
            problems.append(Diagnostic(where, str(exc)))
            return None, None
    try:
        sdl.parse(text)
    except sdl.SdlError as exc:
        if shown is not None:
            where = Location(shown, exc.line, exc.column)
        problems.append(
            Diagnostic(
                where,
                f"the role-based schema does not parse as a GraphQL schema document "
                f"({exc}); Hasura would refuse it",
            )
        )
        return None, None
    return text, shown


def _resolve(
    name: str,
    role: str,
    own: dict[str, RemoteSchemaGrant | None],
    parents: dict[str, tuple[str, ...]],
    resolved: dict[str, RemoteSchemaGrant | None],
    visiting: set[str],
    problems: list[Diagnostic],
) -> RemoteSchemaGrant | None:
    if role in resolved:
        return resolved[role]
    grant: RemoteSchemaGrant | None = None
    if role in own:
        grant = own[role]
    elif role not in visiting:
        visiting.add(role)
        inherited = [
            g
            for p in parents.get(role, ())
            if (g := _resolve(name, p, own, parents, resolved, visiting, problems)) is not None
        ]
        if inherited:
            grant = _inherit(name, role, inherited, problems)
    resolved[role] = grant
    return grant


def _inherit(
    name: str, role: str, inherited: list[RemoteSchemaGrant], problems: list[Diagnostic]
) -> RemoteSchemaGrant | None:
    first = inherited[0]
    differing = [g for g in inherited[1:] if not sdl.same_schema(g.schema, first.schema)]
    if differing:
        problems.append(
            Diagnostic(
                differing[0].location,
                f"{role} inherits different schemas of remote schema `{name}` from "
                f"{first.role} and {differing[0].role}; give {role} its own entry under "
                f"remote_schemas.{name}",
            )
        )
        return None
    comments = {g.comment for g in inherited}
    return RemoteSchemaGrant(
        name,
        role,
        first.schema,
        comments.pop() if len(comments) == 1 else None,
        first.location,
        f"inherited from {', '.join(g.role for g in inherited)}",
        first.schema_file,
    )
