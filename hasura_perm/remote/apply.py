"""Plan, apply and drift against a live server: the I/O around the pure diff in plan.py.

A plan costs one request (export_metadata); an apply two more (the bulk write, and the export
that verifies it), whatever the number of changes. When a write's outcome is unknown (timeout,
dropped connection, 5xx), a fence and an export find out whether the server holds the old or the
intended permissions, and nothing is ever resent blindly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.compiler.build import Build
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata import export_json
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.remote import surface_changes as surface_sync
from hasura_perm.remote.bulk import bulk_request
from hasura_perm.remote.bulk import change_at
from hasura_perm.remote.bulk import fence_request
from hasura_perm.remote.client import Client
from hasura_perm.remote.client import Export
from hasura_perm.remote.client import HasuraApiError
from hasura_perm.remote.client import WriteOutcomeUnknown
from hasura_perm.remote.plan import ADD
from hasura_perm.remote.plan import REMOVE
from hasura_perm.remote.plan import Change
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.plan import apply_changes
from hasura_perm.remote.plan import diff
from hasura_perm.remote.plan import same_entry
from hasura_perm.remote.plan import same_permissions
from hasura_perm.remote.surface_changes import SurfaceChange
from hasura_perm.remote.surface_changes import SurfaceState
from hasura_perm.spec.project import Project

MAX_LISTED = 5
SOURCE_LIST = ","


@dataclass
class Live:
    """One export of the server, reduced to what plan, apply and drift need."""

    export: Export
    source: str
    permissions: PermissionSet  # every permission of the source
    tracked: set[TableName]
    surface: SurfaceState = field(default_factory=SurfaceState)  # actions, introspection

    @property
    def resource_version(self) -> int:
        return self.export.resource_version


def read_live(client: Client, source: str) -> Live:
    """`source` is one source, or several joined by commas (see project_sources): then every
    table is named `source:schema.table`, as the project's merged compile names them. Actions
    and introspection options belong to no source."""
    names = source.split(SOURCE_LIST)
    export = client.export_metadata(names if len(names) > 1 else source)
    surface = surface_sync.live_state(export.metadata, names)
    if len(names) == 1:
        return Live(
            export,
            source,
            export_json.live_permissions(export.metadata, source),
            export_json.tracked_tables(export.metadata, source),
            surface,
        )
    permissions = PermissionSet()
    tracked: set[TableName] = set()
    for name in names:
        for permission in export_json.live_permissions(export.metadata, name).in_source(name):
            permissions.add(permission)
        tracked |= {t.in_source(name) for t in export_json.tracked_tables(export.metadata, name)}
    return Live(export, source, permissions, tracked, surface)


def project_sources(project: Project) -> str:
    """What plan, apply and drift compare: the project's source, or all of them."""
    return SOURCE_LIST.join(project.sources)


def _same(live: Live, permissions: PermissionSet, surface: SurfaceState) -> bool:
    return same_permissions(live.permissions, permissions) and surface_sync.same_state(
        live.surface, surface
    )


def _surface_changes(result: Build, live: Live, *, drift: bool = False) -> list[SurfaceChange]:
    """From live to compiled (a plan), or from compiled to live (drift), for the surface
    hasura-perm owns."""
    owned = surface_sync.owned_state(live.surface, result.compiled.surface)
    compiled = surface_sync.compiled_state(result.compiled.surface)
    if drift:
        return surface_sync.surface_diff(compiled, owned)
    return surface_sync.surface_diff(owned, compiled)


def bulk_of(plan: Plan, live: Live) -> dict[str, Any]:
    """The whole apply as one guarded bulk: table permissions, then the surface."""
    request = bulk_request(plan.changes, plan.source, plan.resource_version)
    request["args"] += surface_sync.surface_commands(live.surface, plan.surface, plan.source)
    # inherited roles around everything else: a parent must hold a permission while an
    # inherited role names it (the server rebuilds its cache after each command)
    first = surface_sync.inherited_drops(live.surface, plan.surface)
    request["args"] = first + request["args"]
    request["args"] += surface_sync.inherited_adds(live.surface, plan.surface)
    return request


def make_plan(
    result: Build, live: Live, *, environment: str, endpoint: str, prune: bool = False
) -> Plan:
    ownership = result.compiled.ownership(prune=prune)
    current = live.permissions.owned(ownership)
    changes = diff(current, result.compiled.permissions)
    _require_tracked(changes, live.tracked, environment)
    owned_count = len(current)
    surface = _surface_changes(result, live)
    missing = surface_sync.missing_actions(live.surface, surface)
    if missing:
        raise HasuraPermError(
            f"{len(missing)} action(s) the project grants are not defined on {environment}: "
            f"{_listing(missing)}; create them in Hasura first (console or `hasura metadata "
            "apply`): hasura-perm manages who may call an action, not the action"
        )
    _require_remote_schemas(live, surface, environment)
    untracked = surface_sync.missing_functions(live.surface, surface)
    if untracked:
        raise HasuraPermError(
            f"{len(untracked)} function(s) the project grants are not tracked on {environment}: "
            f"{_listing(untracked)}; track them in Hasura first (console, `pg_track_function` or "
            "`hasura metadata apply`): hasura-perm manages who may call a function, not whether "
            "it is tracked"
        )
    return Plan(
        changes,
        environment,
        endpoint,
        live.source,
        live.resource_version,
        prune,
        owned_count,
        surface=surface,
    )


def _require_remote_schemas(live: Live, surface: list[SurfaceChange], environment: str) -> None:
    missing = surface_sync.missing_remote_schemas(live.surface, surface)
    if missing:
        raise HasuraPermError(
            f"{len(missing)} remote schema(s) the project sets role-based schemas on are not "
            f"defined on {environment}: {_listing(missing)}; add them in Hasura first (console "
            "or `hasura metadata apply`): hasura-perm manages who sees what of a remote schema, "
            "not the remote schema"
        )


def _require_tracked(changes: list[Change], tracked: set[TableName], environment: str) -> None:
    missing = sorted({c.table for c in changes if c.change == ADD and c.table not in tracked})
    if missing:
        raise HasuraPermError(
            f"{len(missing)} table(s) the project manages are not tracked on {environment}: "
            f"{_listing(missing)}; track them in Hasura first (console or `hasura metadata "
            "apply`): hasura-perm manages permissions, not tables"
        )


def _listing(items: Sequence[object]) -> str:
    shown = ", ".join(str(i) for i in items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


@dataclass
class Drift:
    changes: list[Change]  # live relative to compiled: add = unexpected, remove = missing
    unowned: list[tuple[TableName, str, str]]  # (table, action, role) on managed tables
    unmanaged_count: int  # permissions on tables the project does not manage
    environment: str
    resource_version: int
    surface: list[SurfaceChange] = field(default_factory=list)  # live relative to compiled

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.surface)


def find_drift(result: Build, live: Live, *, environment: str) -> Drift:
    ownership = result.compiled.ownership()
    current = live.permissions.owned(ownership)
    others = list(live.permissions.unowned(ownership))
    managed = [p.key for p in others if p.table in ownership.tables]
    return Drift(
        diff(result.compiled.permissions, current),
        managed,
        len(others) - len(managed),
        environment,
        live.resource_version,
        _surface_changes(result, live, drift=True),
    )


# ---------------------------------------------------------------- apply


@dataclass
class Outcome:
    """A successful apply: the server holds the intended permissions (verified by reading them
    back). Every other ending raises HasuraPermError saying what the server holds."""

    message: str
    warnings: list[str] = field(default_factory=list)


def check_saved_plan(plan: Plan, live: Live, origin: str) -> None:
    """A saved plan applies only to the exact state it was made against."""
    if live.resource_version != plan.resource_version:
        raise HasuraPermError(
            f"{origin} is stale: it was made at resource_version {plan.resource_version} and "
            f"{plan.environment} is now at {live.resource_version} (someone changed the metadata "
            "since); nothing was applied: run `hasura-perm plan` again"
        )
    for change in plan.changes:
        now = live.permissions.get(change.table, change.action, change.role)
        if not same_entry(change.before, now):
            raise HasuraPermError(
                f"{origin} is stale: the {change.action} permission of {change.role} on "
                f"{change.table} is no longer what the plan started from; nothing was applied: "
                "run `hasura-perm plan` again"
            )
    for surface_change in plan.surface:
        if surface_change.kind == surface_sync.REMOTE_SCHEMA:
            now_remote = live.surface.remote.get(surface_change.name, {})
            if not surface_sync.same_remote(
                now_remote.get(surface_change.role), surface_change.before
            ):
                raise HasuraPermError(
                    f"{origin} is stale: {surface_change.describe()} no longer starts from what "
                    "the server holds; nothing was applied: run `hasura-perm plan` again"
                )
            continue
        now_surface: dict[str, Any] | None
        if surface_change.kind == surface_sync.INHERITED:
            now_surface = _inherited_now(live, surface_change.role, surface_change.before)
        elif surface_change.kind == surface_sync.FUNCTION:
            held = surface_change.role in live.surface.functions.get(surface_change.name, {})
            now_surface = {} if held else None
        elif surface_change.kind == surface_sync.ACTION:
            now_roles = live.surface.actions.get(surface_change.name, {})
            now_surface = (
                {"comment": now_roles[surface_change.role]}
                if surface_change.role in now_roles
                else None
            )
        else:
            now_surface = (
                {"introspection": "disabled"}
                if surface_change.role in live.surface.disabled
                else None
            )
        if now_surface != surface_change.before:
            raise HasuraPermError(
                f"{origin} is stale: {surface_change.describe()} no longer starts from what the "
                "server holds; nothing was applied: run `hasura-perm plan` again"
            )


def _inherited_now(live: Live, role: str, before: dict | None) -> dict | None:
    """The role's inherited role as the server holds it, in the plan's order when the same set."""
    parents = live.surface.inherited.get(role)
    if parents is None:
        return None
    if before is not None and set(before["combines"]) == set(parents):
        return before
    return {"combines": list(parents)}


def apply_plan(client: Client, plan: Plan, live: Live) -> Outcome:
    """Send the plan as one bulk request against live.resource_version, then verify."""
    intended = apply_changes(live.permissions, plan.changes)
    intended_surface = surface_sync.apply_surface(live.surface, plan.surface)
    request = bulk_of(plan, live)
    try:
        client.write(request)
    except HasuraApiError as refused:
        raise HasuraPermError(_refusal(refused, plan, live, client)) from None
    except WriteOutcomeUnknown as unknown:
        return _settle(client, plan, live, intended, intended_surface, str(unknown))
    try:
        after = read_live(client, plan.source)
    except HasuraPermError as exc:
        raise HasuraPermError(
            f"{plan.environment} accepted the apply (HTTP 200), so it holds the intended "
            f"permissions unless someone changed them since, but reading them back to verify "
            f"failed: {exc}; run `hasura-perm drift --env {plan.environment}` to check"
        ) from None
    return _verify(plan, live, after, intended, intended_surface)


def _refusal(refused: HasuraApiError, plan: Plan, live: Live, client: Client) -> str:
    """What a definite refusal means: the bulk is atomic and nothing of it was applied. A
    conflicting edit made since the plan was read can surface as a 400 from one of the commands
    (a create finds the permission already defined, a drop finds it gone) before the server
    compares resource_version (runMetadataQuery in Hasura/Server/API/Metadata.hs)."""
    env = plan.environment
    if refused.status == 409:
        return (
            f"the metadata of {env} changed since it was read at resource_version "
            f"{plan.resource_version} (a console edit or another apply?); the server refused the "
            "write and nothing was applied: run apply again to plan against the current state"
        )
    first = len(surface_sync.inherited_drops(live.surface, plan.surface))
    path = _shifted(refused.path, first)
    change = change_at(path, plan.changes, plan.source) if path else None
    what = f" while {_doing(change)}" if change else _surface_doing(refused.path, plan, live)
    said = f"{refused.error} (HTTP {refused.status} {refused.code}){_remote_hint(refused)}"
    try:
        now = read_live(client, live.source)
    except HasuraPermError:
        return (
            f"{env} refused the apply{what}: {said}; a refused bulk changes nothing, but reading "
            "the metadata back failed"
        )
    if now.resource_version != plan.resource_version:
        return (
            f"the metadata of {env} changed since it was read at resource_version "
            f"{plan.resource_version} (now {now.resource_version}: a console edit or another "
            f"apply?) and conflicts with this plan: the server refused the write{what}: {said}; "
            "nothing of this plan was applied: run apply again to plan against the current state"
        )
    if _same(now, live.permissions, live.surface):
        return (
            f"{env} refused the apply{what}: {said}; nothing was applied (the server holds the "
            "same permissions as before)"
        )
    return (
        f"{env} refused the apply{what}: {said}; nothing of this plan was applied, but the "
        f"permissions differ from those the plan was made against: run `hasura-perm drift "
        f"--env {env}`"
    )


def _shifted(path: str, first: int) -> str:
    """An error path `$.args[i]...` as the index among the table commands (None before them)."""
    found = re.match(r"^\$\.args\[(\d+)\]", path or "")
    if not found or int(found.group(1)) < first:
        return ""
    return f"$.args[{int(found.group(1)) - first}]{path[found.end() :]}"


def _surface_doing(path: str, plan: Plan, live: Live) -> str:
    """The surface command an error path points at (around the table commands)."""
    found = re.match(r"^\$\.args\[(\d+)\]", path or "")
    commands = bulk_of(plan, live)["args"]
    index = int(found.group(1)) if found else -1
    if not 0 <= index < len(commands):
        return ""
    command = commands[index]
    if command["type"] in ("add_inherited_role", "drop_inherited_role"):
        verb = "adding" if command["type"] == "add_inherited_role" else "dropping"
        return f" while {verb} the inherited role {command['args']['role_name']}"
    if "remote_schema" in command["args"]:
        verb = "adding" if command["type"] == "add_remote_schema_permissions" else "dropping"
        args = command["args"]
        return (
            f" while {verb} the role-based schema of {args['role']} on remote schema "
            f"{args['remote_schema']}"
        )
    if not {"action", "function"} & set(command["args"]) and command["type"] != (
        "set_graphql_schema_introspection_options"
    ):
        return ""
    if command["type"] == "set_graphql_schema_introspection_options":
        return " while setting the roles without schema introspection"
    verb = "creating" if command["type"].startswith(("create", "pg_create")) else "dropping"
    args = command["args"]
    if "function" in args:
        function = f"{args['function']['schema']}.{args['function']['name']}"
        return f" while {verb} the permission of {args['role']} to call function {function}"
    return f" while {verb} the permission of {args['role']} to call action {args['action']}"


def _remote_hint(refused: HasuraApiError) -> str:
    """The one refusal with a server-side fix: remote schema permissions switched off
    (runAddRemoteSchemaPermissions, RemoteSchema/MetadataAPI/Permission.hs)."""
    if "remote schema permissions are enabled" not in str(refused.error):
        return ""
    return (
        "; start the server with HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS=true "
        "(--enable-remote-schema-permissions) to use role-based remote schemas"
    )


def _doing(change: Change) -> str:
    if change.comment_only:
        return f"setting the comment of the {change.action} permission of {change.role} on {change.table}"
    verb = {ADD: "creating", REMOVE: "dropping"}.get(change.change, "replacing")
    return f"{verb} the {change.action} permission of {change.role} on {change.table}"


def _settle(
    client: Client,
    plan: Plan,
    live: Live,
    intended: PermissionSet,
    intended_surface: SurfaceState,
    reason: str,
) -> Outcome:
    """The write's outcome is unknown. Fence it off, read back, and say which state holds."""
    fenced = _fence(client, plan.resource_version)
    try:
        now = read_live(client, plan.source)
    except HasuraPermError as exc:
        raise HasuraPermError(
            f"apply to {plan.environment} failed: {reason}; reading the metadata back failed too "
            f"({exc}), so its outcome is unknown: run `hasura-perm drift --env {plan.environment}`"
        ) from None
    if _same(now, intended, intended_surface):
        warning = f"{reason}, but the server applied the change (verified by reading it back)"
        return Outcome(_applied_message(plan, now), warnings=[warning])
    if _same(now, live.permissions, live.surface):
        if fenced:
            raise HasuraPermError(
                f"apply to {plan.environment} failed: {reason}; nothing was applied: the server "
                "holds the same permissions as before (verified by reading them back): run "
                "apply again"
            )
        raise HasuraPermError(
            f"apply to {plan.environment} failed: {reason}; the server still holds the same "
            "permissions as before, but the request may still be in flight: run "
            f"`hasura-perm drift --env {plan.environment}` in a minute"
        )
    raise HasuraPermError(
        f"apply to {plan.environment} failed: {reason}; the server now holds neither the "
        "previous nor the intended permissions (someone else changed them meanwhile?): run "
        f"`hasura-perm drift --env {plan.environment}`"
    )


def _fence(client: Client, resource_version: int) -> bool:
    """True once no write made against `resource_version` can land any more."""
    try:
        client.write(fence_request(resource_version))
    except HasuraApiError as refused:
        return refused.status == 409  # the version moved on: a late write would get 409 too
    except WriteOutcomeUnknown:
        return False
    return True


def _verify(
    plan: Plan, before: Live, after: Live, intended: PermissionSet, intended_surface: SurfaceState
) -> Outcome:
    differences: list[Change | SurfaceChange] = [*diff(intended, after.permissions)]
    differences += surface_sync.surface_diff(intended_surface, after.surface)
    if differences:
        listed = _listing([_what(c) for c in differences])
        raise HasuraPermError(
            f"{plan.environment} accepted the apply, but reading it back shows "
            f"{len(differences)} permission(s) other than intended: {listed}; "
            f"run `hasura-perm drift --env {plan.environment}`"
        )
    warnings = []
    if export_json.without_permissions(before.export.metadata) != export_json.without_permissions(
        after.export.metadata
    ):
        warnings.append(
            "metadata other than permissions changed on the server during the apply "
            "(not by hasura-perm)"
        )
    return Outcome(_applied_message(plan, after), warnings=warnings)


def _what(change: Change | SurfaceChange) -> str:
    if isinstance(change, SurfaceChange):
        return change.describe()
    return f"{change.action} {change.role} on {change.table}"


def _applied_message(plan: Plan, after: Live) -> str:
    s = plan.summary
    return (
        f"Applied to {plan.environment}: {s['add']} added, {s['update']} changed, "
        f"{s['remove']} removed; verified (resource_version {after.resource_version})."
    )
