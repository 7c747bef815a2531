"""One import, start to finish: read metadata -> check -> plan -> files -> prove -> report.

Nothing here writes to disk; the command writes the files once the round trip holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from hasura_perm.boolexp.normal import exact_form
from hasura_perm.boolexp.normal import written_form
from hasura_perm.core import yamlfmt
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.importer.check import oddities_of
from hasura_perm.importer.check import problems_of
from hasura_perm.importer.factoring import plan_import
from hasura_perm.importer.files import plan_files
from hasura_perm.importer.inherited import InheritedRole
from hasura_perm.importer.inherited import read_inherited
from hasura_perm.importer.normalise import normal
from hasura_perm.importer.normalise import normal_permission
from hasura_perm.importer.remote_schemas import RemoteImport
from hasura_perm.importer.remote_schemas import prove_remote
from hasura_perm.importer.remote_schemas import read_remote
from hasura_perm.importer.remote_schemas import remote_files
from hasura_perm.importer.remote_schemas import remote_roles
from hasura_perm.importer.report import Report
from hasura_perm.importer.roundtrip import round_trip
from hasura_perm.importer.surface import SurfaceImport
from hasura_perm.importer.surface import prove_surface
from hasura_perm.importer.surface import read_surface
from hasura_perm.importer.surface import surface_files
from hasura_perm.importer.surface import surface_roles
from hasura_perm.metadata.export_format import permission_entry
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.read import ReadPermission
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.snapshot import Snapshot


class ImportProblems(SpecError):
    """Metadata the importer cannot take over as it is; each problem names its place."""

    def render(self) -> str:
        count = len(self.problems)
        head = f"cannot import: {count} problem{'s' if count != 1 else ''} (nothing was written)"
        return head + "\n" + super().render()


class RoundTripFailed(HasuraPermError):
    """The planned files do not compile back to the metadata's permissions (a bug)."""


@dataclass
class ImportResult:
    files: dict[str, str]  # path relative to permissions/ -> text
    report: Report
    expected: PermissionSet  # the metadata's permissions, normalised


def import_permissions(read: ReadMetadata, snapshot: Snapshot) -> ImportResult:
    """Plan permissions/ for `read`, prove it, and describe it. Raises ImportProblems for
    metadata that cannot be imported and RoundTripFailed if the proof fails."""
    started = time.perf_counter()
    catalog = Catalog(snapshot)
    for name, table in read.tables.items():
        catalog.add_table_metadata(name, table.entry)
    problems = problems_of(read, catalog)
    if problems:
        raise ImportProblems(problems)
    columns_of = {t: list(info.columns) for t, info in snapshot.tables.items()}
    expected = expected_permissions(read, columns_of)
    inherited = _inherited(read)
    surface = read_surface(read.metadata, inherited, read.functions)
    plan = plan_import(expected, snapshot, combines=set(surface.combines))
    plan.roles = surface_roles(plan.roles, surface)
    remote = read_remote(read.metadata, inherited)
    plan.roles = remote_roles(plan.roles, remote)
    _refuse_owned_but_left(read, inherited, plan.roles)
    files = plan_files(plan, read.origin)
    files.update(surface_files(plan.roles, surface))
    files.update(remote_files(plan.roles, remote))
    entries = {name: table.entry for name, table in read.tables.items()}
    proof = round_trip(files, expected, snapshot, entries)
    if not proof.holds:
        raise RoundTripFailed(
            "the imported permissions would not compile back to the metadata's permissions, so "
            f"nothing was written: {proof.difference}\nThis is a bug in hasura-perm import; "
            "please report it with the metadata block named above."
        )
    surface_difference = prove_surface(files, surface)
    if surface_difference:
        raise RoundTripFailed(
            "the imported action or function permissions or introspection options would not "
            "compile back "
            f"to the metadata's, so nothing was written: {surface_difference}\nThis is a bug "
            "in hasura-perm import; please report it."
        )
    remote_difference = prove_remote(files, remote)
    if remote_difference:
        raise RoundTripFailed(
            "the imported role-based schemas of remote schemas would not compile back to the "
            f"metadata's, so nothing was written: {remote_difference}\nThis is a bug in "
            "hasura-perm import; please report it."
        )
    report = Report(
        origin=read.origin,
        layout=read.layout,
        source=read.source,
        tables=len(read.tables),
        blocks=read.blocks,
        per_action=read.blocks_per_action(),
        lines_in=read.permission_lines,
        roles=read.roles,
        inheritance=sorted(plan.inheritance.values(), key=lambda i: i.child),
        defaults=plan.defaults,
        conditions=plan.conditions,
        column_sets=plan.column_sets,
        presets=plan.presets,
        table_files=len(plan.tables),
        files={path: len(text.splitlines()) for path, text in files.items()},
        rewritten=_rewritten(read, columns_of),
        oddities=oddities_of(read, columns_of),
        notes=_notes(read)
        + _inherited_notes(inherited)
        + _surface_notes(surface)
        + _remote_notes(remote)
        + _function_notes(surface, snapshot, expected),
    )
    report.seconds = time.perf_counter() - started
    return ImportResult(files, report, expected)


def _remote_notes(remote: RemoteImport) -> list[str]:
    if not remote.schemas:
        return []
    return [
        f"{remote.count} role-based schema(s) on {len(remote.schemas)} remote schema(s) -> "
        "remote_schemas.yaml and remote_schemas/"
    ]


def _surface_notes(surface: SurfaceImport) -> list[str]:
    notes = []
    if surface.grants:
        notes.append(
            f"{surface.count} action permission(s) on {len(surface.grants)} action(s) -> "
            "actions.yaml"
        )
    if surface.function_grants:
        notes.append(
            f"{surface.function_count} function permission(s) on {len(surface.function_grants)} "
            "function(s) -> functions.yaml"
        )
    if surface.disabled:
        notes.append(
            f"introspection disabled for {', '.join(surface.disabled)} -> "
            "`introspection: false` in roles.yaml"
        )
    return notes


def _function_notes(
    surface: SurfaceImport, snapshot: Snapshot, expected: PermissionSet
) -> list[str]:
    """Hasura accepts a function permission for any role it knows; compile holds a grant to
    select on the return table (compiler/function_grants.py). Say before compile does."""
    notes = []
    for name, roles in sorted(surface.function_grants.items()):
        function = snapshot.functions.get(TableName.parse(name))
        if function is None:
            notes.append(
                f"function {name} is not in the schema snapshot: compile needs its return "
                "table (run `hasura-perm schema pull`)"
            )
            continue
        lacking = [r for r in roles if expected.get(function.returns, "select", r) is None]
        if lacking:
            notes.append(
                f"function {name}: {', '.join(lacking)} cannot select {function.returns}, so "
                "Hasura shows them no field for it and compile refuses the grant; grant the "
                "select or remove the function grant from functions.yaml"
            )
    return notes


def expected_permissions(
    read: ReadMetadata, columns_of: dict[TableName, list[str]]
) -> PermissionSet:
    """The metadata's permissions in normal form: what the import must reproduce (Hasura's
    inherited roles stay inherited roles, `combines`, so nothing derived is added)."""
    out = PermissionSet()
    for table, action, role, block in read.each():
        written = Permission(table, action, role, block.raw, block.comment)
        out.add(normal(written, columns_of.get(table)))
    return out


def _inherited(read: ReadMetadata) -> list[InheritedRole]:
    """The metadata's inherited roles; parents count when they hold a table permission in
    the imported source, an action or a remote schema permission, as the server counts them."""
    actions = read_surface(read.metadata, [])
    remote = read_remote(read.metadata, [])
    known = set(read.roles) | {r for roles in actions.grants.values() for r in roles}
    known |= {r for roles in remote.schemas.values() for r in roles}
    return read_inherited(read.metadata, known)


def _refuse_owned_but_left(
    read: ReadMetadata, inherited: list[InheritedRole], roles: dict[str, dict]
) -> None:
    """An inherited role left to Hasura keeps its entry only while hasura-perm does not own
    the role; one with permissions of its own is declared, and compile would drop its entry."""
    where = (
        f"{read.origin}/inherited_roles.yaml" if read.layout.startswith("config") else read.origin
    )
    problems = [
        Diagnostic(
            Location(where),
            f"inherited role {role.name} (of {', '.join(role.parents) or 'no roles'}) cannot "
            f"be imported: {role.reason}; it also has permissions of its own, so hasura-perm "
            "would own it. Fix it in Hasura (`drop_inherited_role`, or give its parents a "
            "permission), export the metadata and import again",
        )
        for role in inherited
        if not role.expressed and role.name in roles
    ]
    if problems:
        raise ImportProblems(problems)


def _rewritten(read: ReadMetadata, columns_of: dict[TableName, list[str]]) -> dict[str, int]:
    """Why the metadata will read differently once compiled (the normalisation made visible):
    reason -> number of blocks (or of permission lists, for their order)."""
    reasons: dict[str, int] = {}
    for table, action, role, block in read.each():
        body, comment = normal_permission(action, block.raw, block.comment, columns_of.get(table))
        compiled = yamlfmt.dump([permission_entry(role, body, comment)])
        if compiled == yamlfmt.dump([block.entry]):
            continue
        for reason in _reasons(action, block) or ["key order or spelling"]:
            reasons[reason] = reasons.get(reason, 0) + 1
    if read.unsorted_lists:
        reasons["permission list sorted by role"] = read.unsorted_lists
    return reasons


def _reasons(action: str, block: ReadPermission) -> list[str]:
    raw, found = block.raw, []
    columns = raw.get("columns")
    if columns == "*" or (action == "insert" and columns is None):
        found.append('"*" expanded')
    elif isinstance(columns, list) and columns != sorted(set(columns)):
        found.append(
            "duplicate column dropped" if len(set(columns)) != len(columns) else "columns sorted"
        )
    if block.comment is not None and not block.comment:
        found.append("empty comment dropped")
    if any(exact_form(raw.get(k)) != written_form(raw.get(k)) for k in ("filter", "check")):
        found.append("operators respelled")
    return found


def _inherited_notes(inherited: list[InheritedRole]) -> list[str]:
    notes = []
    for role in inherited:
        of = ", ".join(role.parents) or "no roles"
        if role.expressed:
            notes.append(
                f"inherited role {role.name} (of {of}) -> `combines: [{of}]` in roles.yaml "
                "(Hasura keeps deriving its permissions; inherited_roles.yaml stays as it is)"
            )
        else:
            notes.append(
                f"inherited role {role.name} (of {of}) is left to Hasura as unmanaged metadata: "
                f"{role.reason}; compile never touches it"
            )
    return notes


def _notes(read: ReadMetadata) -> list[str]:
    notes = []
    if read.other_sources:
        names = ", ".join(read.other_sources)
        notes.append(f"other sources were not imported: {names} (use --source to import one)")
    with_permissions = set(read.permissions.tables())
    without = [t for t in read.tables if t not in with_permissions]
    if without:
        notes.append(
            f"{len(without)} tracked tables have no permissions; no rule matches them, so "
            "compile leaves them alone"
        )
    return notes
