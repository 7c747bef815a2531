"""The compile pipeline as one function: project files in, metadata files out."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.compiler.compile_cache import TableCache
from hasura_perm.compiler.function_grants import function_grant_problems
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.compiler.permissions import compile_spec
from hasura_perm.core import yamlfmt
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.diagnostics import Location
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
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
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.snapshot import Snapshot
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
    """One source compiled, with what it was compiled from, so that lint, the permission
    tests, Cognito and review read nothing again."""

    compiled: Compiled
    metadata: MetadataDir
    files: dict[Path, str]  # every generated file's intended content
    warnings: list[Diagnostic] = field(default_factory=list)  # severity "warning"
    catalog: Catalog | None = None  # what the rules could name (plan's pre-flight reads it)
    surface_files: SurfaceFiles | None = None  # actions.yaml, graphql_schema_introspection.yaml
    # roles with a table permission in this source after compile (`combines` parents need one)
    permission_roles: set[str] = field(default_factory=set)
    combines_at: dict[str, Location] = field(default_factory=dict)  # `combines:` of each role
    function_files: FunctionFiles | None = None  # the source's tracked functions
    spec: Spec | None = None  # None only in review's merge of several sources

    @property
    def snapshot(self) -> Snapshot | None:
        return self.catalog.snapshot if self.catalog is not None else None


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
    memo = TableCache.open(spec, catalog)
    compiled = compile_spec(spec, catalog, memo)
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
    files = planned_files(meta, _planned_entries(compiled, meta, memo))
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
        spec=spec,
    )
    result.permission_roles = _table_permission_roles(meta, compiled)
    result.combines_at = {
        r: spec.roles[r].child("combines").location for r in compiled.surface.combines
    }
    if not project.several_sources:
        check_combines_parents([result])
    return result


def _planned_entries(
    compiled: Compiled, meta: MetadataDir, memo: TableCache | None
) -> dict[TableName, dict[str, Any] | str]:
    """Each managed table's entry with our permissions merged in, or straight away the text
    of its file when `memo` remembers it for this compile and this file's current text."""
    entries: dict[TableName, dict[str, Any] | str] = {}
    roles = set(compiled.roles)
    for table in compiled.tables:
        text_key = _text_key(memo, meta, table)
        if memo is not None and text_key is not None:
            current = meta.tables[table].text if table in meta.tables else None
            text = memo.get_text(text_key, current)
            if text is not None:
                entries[table] = text
                continue
        existing = meta.tables[table].entry if table in meta.tables else new_table_entry(table)
        entry = merge_permissions(existing, compiled.permissions.on(table), roles)
        if memo is not None and text_key is not None:
            text = yamlfmt.dump(entry)
            memo.put_text(text_key, text)
            memo.remember_written(memo.keys[table], text, entry)
            entries[table] = text
        else:
            entries[table] = entry
    return entries


def _text_key(memo: TableCache | None, meta: MetadataDir, table: TableName) -> str | None:
    """None when the text cannot be remembered: no memo, the config v2 layout (one file for
    every table), a table entry inline in tables.yaml, or a compile that was not keyed."""
    if memo is None or meta.layout != "v3":
        return None
    key = memo.keys.get(table)
    existing = meta.tables.get(table)
    if key is None or (existing is not None and existing.text is None):
        return None
    return memo.text_key(key, existing.text if existing is not None else None)


def _dropped_inherited_warnings(compiled: Compiled, files: SurfaceFiles) -> list[Diagnostic]:
    """A declared role without `combines` is no Hasura inherited role: compile removes its
    entry from inherited_roles.yaml. Say so (an older import kept such entries)."""
    combines = compiled.surface.combines if compiled.surface else {}
    return [
        Diagnostic(
            Location("metadata/inherited_roles.yaml"),
            f"role {e['role_name']} is declared without `combines`, so its inherited role "
            f"entry (of {', '.join(e['role_set'])}) is removed; add "
            f"`combines: [{', '.join(e['role_set'])}]` to the role to keep it",
            severity="warning",
        )
        for e in files.inherited or []
        if e["role_name"] in compiled.roles and e["role_name"] not in combines
    ]


def _table_permission_roles(meta: MetadataDir, compiled: Compiled) -> set[str]:
    """Every role with a permission on some table of the source, once compile has written:
    on a managed table, the compiled roles and the others' entries compile keeps (as
    merge_permissions does); elsewhere, every entry."""
    managed, owned = set(compiled.tables), set(compiled.roles)
    roles = {p.role for p in compiled.permissions}
    for name, table_file in meta.tables.items():
        for key in PERMISSION_KEYS.values():
            for perm in table_file.entry.get(key) or []:
                if isinstance(perm, dict) and isinstance(perm.get("role"), str):
                    if name not in managed or perm["role"] not in owned:
                        roles.add(perm["role"])
    return roles


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
                Diagnostic(
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
    problems: list[Diagnostic] = []
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


def _invisible_character_warnings(spec: Spec) -> list[Diagnostic]:
    """Role names with bidirectional controls or zero-width characters can look like
    another role (`admin\u200b`, a right-to-left override): say so."""
    warnings = []
    for name, node in spec.roles.items():
        hidden = [ch for ch in name if unicodedata.category(ch) == "Cf"]
        if hidden:
            codes = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(hidden))
            warnings.append(
                Diagnostic(
                    node.location,
                    f"role name {name!r} contains invisible or bidirectional characters "
                    f"({codes}); it may not be the role it looks like",
                    severity="warning",
                )
            )
    return warnings


def _unmanaged_warnings(
    compiled: Compiled, meta: MetadataDir, project: Project
) -> list[Diagnostic]:
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
                    Diagnostic(
                        Location(project.relative(table_file.path)),
                        f"{key} for {', '.join(owned)} on {table}, which no table file or "
                        "default manages; they are left as they are",
                        severity="warning",
                    )
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
