"""The compile pipeline as one function: project files in, metadata files out."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.cognito.mapping import cognito_compile_hook
from hasura_perm.compiler.function_grants import function_grant_problems
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.compiler.permissions import compile_spec
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.directory import MetadataDir
from hasura_perm.metadata.directory import merge_permissions
from hasura_perm.metadata.directory import new_table_entry
from hasura_perm.metadata.directory import planned_files
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.function_files import FunctionFiles
from hasura_perm.metadata.function_files import planned_function_files
from hasura_perm.metadata.function_files import read_function_files
from hasura_perm.metadata.surface_files import SurfaceFiles
from hasura_perm.metadata.surface_files import planned_surface_files
from hasura_perm.metadata.surface_files import read_surface_files
from hasura_perm.metadata.surface_files import surface_permission_roles
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.spec import Spec
from hasura_perm.spec.by_source import load_project_spec
from hasura_perm.spec.project import Project
from hasura_perm.spec.remote_schemas import compile_remote_schemas
from hasura_perm.spec.resolve import role_parents
from hasura_perm.spec.surface import Surface
from hasura_perm.spec.surface import compile_surface


@dataclass
class Build:
    compiled: Compiled
    metadata: MetadataDir
    files: dict[Path, str]  # every generated file's intended content
    warnings: list[str] = field(default_factory=list)
    catalog: Catalog | None = None  # what the rules could name (plan's pre-flight reads it)
    surface_files: SurfaceFiles | None = None  # actions.yaml, graphql_schema_introspection.yaml
    # roles with a table permission in this source after compile (`combines` parents need one)
    permission_roles: set[str] = field(default_factory=set)
    combines_at: dict[str, Location] = field(default_factory=dict)  # `combines:` of each role
    function_files: FunctionFiles | None = None  # the source's tracked functions


def build(project: Project) -> Build:
    snapshot = load_snapshot(
        project.schema_file, project.relative(project.schema_file), root=project.root
    )
    spec = load_project_spec(project)
    meta = read_metadata(project.metadata_dir, project.source)
    catalog = Catalog(
        snapshot, metadata_dir=project.relative(project.metadata_dir), source=project.source
    )
    for name, table_file in meta.tables.items():
        catalog.add_table_metadata(name, table_file.entry)
        if table_file.text is not None:
            catalog.table_files[name] = project.relative(table_file.path)
    compiled = compile_spec(spec, catalog)
    surface_files = read_surface_files(project.metadata_dir, meta.layout)
    function_files = read_function_files(
        project.metadata_dir,
        project.source,
        meta.layout,
        indentless=bool(meta.v2 is not None and meta.v2.indentless),
    )
    compiled.surface = _surface(spec, surface_files, project, function_files)
    problems = function_grant_problems(compiled, snapshot, meta)
    if problems:
        raise SpecError(problems)
    cognito_compile_hook(spec, compiled, snapshot)
    entries = {}
    for table in compiled.tables:
        existing = meta.tables[table].entry if table in meta.tables else new_table_entry(table)
        ours = compiled.permissions.on(table)
        entries[table] = merge_permissions(existing, ours, set(compiled.roles))
    files = planned_files(meta, entries)
    files.update(planned_surface_files(surface_files, compiled.surface))
    files.update(planned_function_files(function_files, compiled.surface))
    warnings = _invisible_character_warnings(spec) + _unmanaged_warnings(compiled, meta, project)
    warnings += _dropped_inherited_warnings(compiled, surface_files)
    result = Build(
        compiled,
        meta,
        files,
        warnings,
        catalog,
        surface_files=surface_files,
        function_files=function_files,
    )
    result.permission_roles = _table_permission_roles(meta, entries)
    result.combines_at = {
        r: spec.roles[r].child("combines").location for r in compiled.surface.combines
    }
    if not project.several_sources:
        check_combines_parents([result])
    return result


def _dropped_inherited_warnings(compiled: Compiled, files: SurfaceFiles) -> list[str]:
    """A declared role without `combines` is no Hasura inherited role: compile removes its
    entry from inherited_roles.yaml. Say so (an older import kept such entries)."""
    combines = compiled.surface.combines if compiled.surface else {}
    return [
        f"metadata/inherited_roles.yaml: role {e['role_name']} is declared without `combines`, "
        f"so its inherited role entry (of {', '.join(e['role_set'])}) is removed; add "
        f"`combines: [{', '.join(e['role_set'])}]` to the role to keep it"
        for e in files.inherited or []
        if e["role_name"] in compiled.roles and e["role_name"] not in combines
    ]


def _table_permission_roles(meta: MetadataDir, entries: dict[TableName, Any]) -> set[str]:
    """Every role with a permission on some table of the source, once compile has written."""
    tables = {name: table_file.entry for name, table_file in meta.tables.items()} | entries
    return {
        perm["role"]
        for entry in tables.values()
        for key in PERMISSION_KEYS.values()
        for perm in entry.get(key) or []
        if isinstance(perm, dict) and isinstance(perm.get("role"), str)
    }


def check_combines_parents(builds: list[Build]) -> None:
    """Hasura builds an inherited role only from roles that have some permission (table,
    action, remote schema) or are inherited roles themselves (buildInheritedRoles and
    resolveInheritedRole, RQL/DDL/Schema/Cache.hs and RQL/DDL/InheritedRoles.hs)."""
    first = builds[0]
    surface, files = first.compiled.surface, first.surface_files
    if surface is None or files is None or not surface.combines:
        return
    have = set().union(*(b.permission_roles for b in builds)) | surface_permission_roles(
        files, surface
    )
    problems = []
    for role, parents in surface.combines.items():
        missing = [p for p in parents if p not in have]
        if missing:
            names = ", ".join(missing)
            problems.append(
                (
                    first.combines_at[role],
                    f"role `{role}` combines {names}, which would have no permission anywhere "
                    "(no table, action or remote schema permission, and not an inherited role); "
                    f"Hasura would refuse it (in inherited role {role}: the following parent "
                    f"role(s) are not found: {names} which are required to construct the "
                    f'inherited role: "{role}"); give {names} a permission or leave it out '
                    "of `combines`",
                )
            )
    if problems:
        raise SpecError(problems)


def _surface(
    spec: Spec, files: SurfaceFiles, project: Project, functions: FunctionFiles
) -> Surface:
    problems: list[tuple[Location, str]] = []
    parents = role_parents(spec, problems)  # already checked by compile_spec
    surface = compile_surface(spec, parents, files.action_names(), problems, functions.names())
    surface.remote_schemas, surface.remote_grants = compile_remote_schemas(
        spec,
        parents,
        files.remote.names() if files.remote else None,
        project.permissions_dir,
        problems,
        project.root,
    )
    if problems:
        raise SpecError(problems)
    return surface


def _invisible_character_warnings(spec: Spec) -> list[str]:
    """Role names with bidirectional controls or zero-width characters can look like
    another role (`admin\u200b`, a right-to-left override): say so."""
    warnings = []
    for name, node in spec.roles.items():
        hidden = [ch for ch in name if unicodedata.category(ch) == "Cf"]
        if hidden:
            codes = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(hidden))
            warnings.append(
                f"{node.location}: role name {name!r} contains invisible or bidirectional "
                f"characters ({codes}); it may not be the role it looks like"
            )
    return warnings


def _unmanaged_warnings(compiled: Compiled, meta: MetadataDir, project: Project) -> list[str]:
    """Declared roles with permissions on tables we do not manage: probably a removed table file."""
    warnings = []
    managed, roles = set(compiled.tables), set(compiled.roles)
    for table, table_file in sorted(meta.tables.items()):
        if table in managed:
            continue
        for key in PERMISSION_KEYS.values():
            owned = sorted({p.get("role") for p in table_file.entry.get(key) or []} & roles)
            if owned:
                warnings.append(
                    f"{project.relative(table_file.path)}: {key} for {', '.join(owned)} on {table}, "
                    "which no table file or default manages; they are left as they are"
                )
    return warnings


def build_all(project: Project) -> list[Build]:
    """One build per source of the project (one, unless hasura-perm.yaml has `sources:`)."""
    builds = [build(one) for one in project.each_source()]
    if project.several_sources:
        check_combines_parents(builds)
    return builds


def all_files(builds: list[Build]) -> dict[Path, str]:
    """The files of every source's build. Sources share only databases.yaml, which a
    build plans just when its source is missing there: two such plans cannot both be right."""
    files: dict[Path, str] = {}
    for one in builds:
        for path, text in one.files.items():
            if path in files and files[path] != text:
                raise HasuraPermError(
                    f"{path}: the sources {', '.join(b.metadata.source for b in builds)} would "
                    "each write it differently; add every source to databases.yaml first"
                )
            files[path] = text
    return files
