"""Fill a LintContext from the project, or from any Hasura metadata.

- `context_from_project`: the compiled permissions (located at the rule in permissions/
  that produced them), roles with their Cognito groups, the session variables and their
  sources, the schema snapshot, and relationships from the metadata table files.
- `context_from_metadata`: a CLI v3/v2 metadata directory or an export JSON (located in
  the metadata files), relationships and inherited roles from it; columns and keys only
  from `--schema` (a snapshot YAML, or SQL replayed into a throwaway PostgreSQL); roles and session variables only from
  the config's `lint.claims`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from hasura_perm.cognito.loader import checked_build
from hasura_perm.compiler.exposure import new_exposures
from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName
from hasura_perm.lint.context import ACTIONS
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.context import Relation
from hasura_perm.lint.context import RoleInfo
from hasura_perm.lint.context import SessionVariable
from hasura_perm.lint.context import TableInfo
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.read import read_metadata_dir
from hasura_perm.metadata.surface_reach import action_reach
from hasura_perm.schema.files import load_schema_file
from hasura_perm.schema.relationships import metadata_relationships
from hasura_perm.schema.replay import Replayed
from hasura_perm.schema.replay import stderr_progress
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import Table
from hasura_perm.spec import Spec
from hasura_perm.spec.project import Project

# ---------------------------------------------------------------------------- project


def context_from_project(project: Project) -> LintContext:
    """Raises SpecError when the project does not compile (lint needs what compile builds)."""
    result = checked_build(project)
    spec, snapshot = result.spec, result.snapshot
    assert spec is not None and snapshot is not None  # a build of one source has both
    entries = {name: f.entry for name, f in result.metadata.tables.items()}
    tables = _tables(snapshot, entries, {}, None)
    for name, node in spec.tables.items():
        if name in tables:
            tables[name] = _with_location(tables[name], node.location)
    grants = [
        Grant(
            p.table,
            p.action,
            p.role,
            p.body,
            p.comment,
            p.location or Location("project"),
            _origin(p.origin),
        )
        for p in result.compiled.permissions
    ]
    roles = _spec_roles(spec)
    # `combines` roles: what Hasura derives for them, as for inherited roles in metadata
    combines = set(result.compiled.surface.combines) if result.compiled.surface else set()
    grants += _inherited_grants(grants, {n: r for n, r in roles.items() if n in combines})
    return LintContext(
        source="project",
        grants=grants,
        tables=tables,
        roles=roles,
        session=_spec_session(spec),
        has_schema=True,
        spec=spec,
        session_used=frozenset(result.compiled.session_used),
        exposures=new_exposures(result.compiled, result.metadata),
        surface=result.compiled.surface,
        action_reach=_action_reach(result, project.source),
    )


def _action_reach(result: Any, source: str) -> list[Any]:
    files = result.surface_files
    if files is None:
        return []
    return action_reach(files.actions, files.graphql, source)


def _origin(origin: str) -> str:
    return "" if origin == "table file" else f"from {origin}"


def _with_location(info: TableInfo, location: Any) -> TableInfo:
    return dataclasses.replace(info, location=location)


def _spec_roles(spec: Spec) -> dict[str, RoleInfo]:
    cognito = spec.cognito.value if spec.cognito is not None else {}
    attribute_mode = bool(cognito.get("roles_attribute"))
    any_groups = any((n.value or {}).get("cognito_groups") for n in spec.roles.values())
    known = spec.cognito is not None or any_groups
    order = set(cognito.get("default_role_order") or ())
    unmapped = cognito.get("unmapped_users")
    fallback = unmapped.get("fallback_role") if isinstance(unmapped, dict) else None
    roles = {}
    for name, node in spec.roles.items():
        value = node.value or {}
        groups = tuple(value.get("cognito_groups") or ())
        grantable = bool(groups) or name == fallback or (attribute_mode and name in order)
        inherits = value.get("inherits") or value.get("combines") or ()  # never both
        roles[name] = RoleInfo(
            name=name,
            location=node.location,
            parents=(inherits,) if isinstance(inherits, str) else tuple(inherits),
            groups=groups,
            grantable=grantable if known else None,
            declared=True,
        )
    return roles


def _spec_session(spec: Spec) -> dict[str, SessionVariable]:
    session = {}
    for key, node in spec.session.items():
        value = node.value or {}
        session[key] = SessionVariable(
            name=key,
            emitted="from" in value or "value" in value,
            location=node.location,
            source=value.get("from"),
        )
    return session


# ---------------------------------------------------------------------------- metadata


def context_from_metadata(
    path: Path,
    schema_path: Path | None = None,
    source: str | None = None,
    *,
    claims_roles: tuple[str, ...] | None = None,
    claims_session: tuple[str, ...] | None = None,
) -> LintContext:
    meta = read_metadata_dir(path, source)
    snapshot, sql = (
        load_schema_file(schema_path, progress=stderr_progress) if schema_path else (None, None)
    )
    entries = {name: t.entry for name, t in meta.tables.items()}
    locations = {n: t.location for n, t in meta.tables.items()}
    tables = _tables(snapshot, entries, locations, sql)
    grants = [
        Grant(
            p.table,
            p.action,
            p.role,
            p.body,
            p.comment,
            p.location or Location("metadata"),
            raw=p.raw,
        )
        for _, _, _, p in meta.each()
    ]
    roles = _metadata_roles(meta, claims_roles)
    grants += _inherited_grants(grants, roles)
    notes = [str(problem) for problem in meta.problems]
    if snapshot is None:
        notes.append("no --schema: rules that need columns, types or keys are skipped")
    session = None
    if claims_session is not None:
        session = {v.lower(): SessionVariable(v.lower(), True) for v in claims_session}
    return LintContext(
        source="metadata",
        grants=grants,
        tables=tables,
        roles=roles,
        session=session,
        has_schema=snapshot is not None,
        notes=notes,
    )


def _metadata_roles(
    meta: ReadMetadata, claims_roles: tuple[str, ...] | None
) -> dict[str, RoleInfo]:
    grantable = set(claims_roles) if claims_roles is not None else None
    inherited = {
        item["role_name"]: tuple(item.get("role_set") or ())
        for item in meta.metadata.get("inherited_roles") or ()
        if isinstance(item, dict) and "role_name" in item
    }
    names = set(meta.roles) | set(inherited) | set(grantable or ())
    return {
        name: RoleInfo(
            name=name,
            parents=inherited.get(name, ()),
            grantable=None if grantable is None else name in grantable,
            declared=name in inherited or name in (grantable or ()),
        )
        for name in sorted(names)
    }


def _inherited_grants(grants: list[Grant], roles: dict[str, RoleInfo]) -> list[Grant]:
    """Hasura inherited roles: select from any parent (filters ORed, columns joined);
    insert, update and delete only when every parent that has one has the same. A parent
    may itself be an inherited role (`administrator` <- `organizer` <- `user`), so parents
    are resolved first."""
    index = {(g.table, g.action, g.role): g for g in grants}
    tables = sorted({g.table for g in grants})
    extra = []
    for role in _parents_first(roles):
        for table in tables:
            for action in ACTIONS:
                if (table, action, role.name) in index:
                    continue
                found = [
                    index[(table, action, p)] for p in role.parents if (table, action, p) in index
                ]
                grant = _combine(found, role.name, action)
                if grant is not None:
                    extra.append(grant)
                    index[(table, action, role.name)] = grant
    return extra


def _parents_first(roles: dict[str, RoleInfo]) -> list[RoleInfo]:
    """Inherited roles ordered so that every inherited parent comes before its children
    (a cycle, which Hasura refuses, is cut where it closes)."""
    ordered: list[RoleInfo] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        role = roles.get(name)
        if role is None or name in seen:
            return
        seen.add(name)
        for parent in role.parents:
            visit(parent)
        if role.parents:
            ordered.append(role)

    for name in sorted(roles):
        visit(name)
    return ordered


def _combine(parents: list[Grant], role: str, action: str) -> Grant | None:
    if not parents:
        return None
    first = parents[0]
    origin = f"inherited from {', '.join(g.role for g in parents)}"
    if action != "select":
        if any(g.body != first.body for g in parents):
            return None  # Hasura marks it inconsistent and grants nothing
        return Grant(first.table, action, role, first.body, None, first.location, origin)
    columns: set[str] = set()
    for g in parents:
        cols = g.body.get("columns")
        columns |= {"*"} if cols == "*" else set(cols or ())
    body: dict[str, Any] = {
        "columns": "*" if "*" in columns else sorted(columns),
        "filter": {"_or": [g.body.get("filter") or {} for g in parents]},
    }
    # `Maybe (Max Int)` (CombinedSelPermInfo, Hasura/Table/Cache.hs): the largest limit any
    # parent sets; a parent without one adds nothing, it does not lift the limit
    limits = [g.body["limit"] for g in parents if g.body.get("limit") is not None]
    if limits:
        body["limit"] = max(limits)
    if any(g.body.get("allow_aggregations") for g in parents):
        body["allow_aggregations"] = True
    return Grant(first.table, action, role, body, None, first.location, origin)


# ---------------------------------------------------------------------------- tables


def _tables(
    snapshot: Snapshot | None,
    entries: dict[TableName, dict[str, Any]],
    locations: dict[TableName, Any],
    sql: Replayed | None,
) -> dict[TableName, TableInfo]:
    known = snapshot.tables if snapshot is not None else {}
    view_sources = sql.view_sources if sql else {}
    filled = sql.filled if sql else {}
    tables = {}
    for name in sorted(set(known) | set(entries)):
        table = known.get(name)
        entry = entries.get(name, {})
        tables[name] = TableInfo(
            name=name,
            columns=dict(table.columns) if table else None,
            primary_key=tuple(table.primary_key) if table else None,
            unique_keys=tuple(table.unique) if table else (),
            foreign_keys=table.foreign_keys if table else (),
            relationships=relations(name, entry, known),
            kind=table.kind if table else "table",
            location=locations.get(name),
            view_sources=view_sources.get(name, ()),
            server_filled={k: frozenset(v) for k, v in filled.get(name, {}).items()},
            computed_fields=frozenset(
                c["name"] for c in entry.get("computed_fields") or () if isinstance(c, dict)
            ),
            session_computed_fields=_session_computed_fields(entry),
            is_enum=entry.get("is_enum") is True,
        )
    return _back_references(tables)


def _back_references(tables: dict[TableName, TableInfo]) -> dict[TableName, TableInfo]:
    """Without a schema an object relationship `foreign_key_constraint_on: team_id` does
    not say which table it reaches; the array relationship that comes back does
    (`teams.roster: {foreign_key_constraint_on: {table: team_roster, column: team_id}}`),
    so `team_roster.team` reaches `teams`."""
    back: dict[tuple[TableName, tuple[str, ...]], TableName] = {}
    for info in tables.values():
        for relation in info.relationships.values():
            if relation.kind == "array" and relation.target is not None and relation.remote:
                back.setdefault((relation.target, relation.remote), info.name)
    for name, info in tables.items():
        found = {
            key: dataclasses.replace(relation, target=back[(name, relation.local_columns)])
            for key, relation in info.relationships.items()
            if relation.target is None
            and relation.kind == "object"
            and (name, relation.local_columns) in back
        }
        if found:
            tables[name] = dataclasses.replace(info, relationships={**info.relationships, **found})
    return tables


def _session_computed_fields(entry: dict[str, Any]) -> frozenset[str]:
    found = set()
    for field in entry.get("computed_fields") or ():
        definition = field.get("definition") if isinstance(field, dict) else None
        if isinstance(definition, dict) and definition.get("session_argument"):
            found.add(field["name"])
    return frozenset(found)


def relations(
    name: TableName, entry: dict[str, Any], known: dict[TableName, Table]
) -> dict[str, Relation]:
    """The relationships of one metadata table entry, with target and local key columns."""
    return {
        rel.name: Relation(rel.name, rel.kind, rel.target, rel.columns, rel.remote)
        for rel in metadata_relationships(name, entry, known)
    }
