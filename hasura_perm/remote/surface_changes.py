"""Plan, apply and drift for the surface: the live state from an export, the difference to the
compiled surface, and the metadata API commands that close it. Pure: no I/O.

Commands (checked against the engine's source):
- `create_action_permission` {action, role, comment?} and `drop_action_permission` {action, role}
  (RQL/DDL/Action.hs). Create refuses a role already there (400 already-exists), drop a role
  not there (400 not-exists); create on an action that does not exist changes nothing and still
  answers success, so a plan refuses to grant an action the server does not have. There is no
  command for an action permission's comment: a new comment is a drop and a create.
- `set_graphql_schema_introspection_options` {disabled_for_roles: [...]}
  (RQL/DDL/GraphqlSchemaIntrospection.hs) replaces the whole set, so it carries the roles we do
  not own as the server holds them. The export leaves `graphql_schema_introspection` out when
  the set is empty and lists it in HashSet order (RQL/Types/Metadata/Serialization.hs): compared
  as a set.
- `add_remote_schema_permissions` {remote_schema, role, definition: {schema}, comment?} and
  `drop_remote_schema_permissions` {remote_schema, role} (RemoteSchema/MetadataAPI/
  Permission.hs). Add refuses when the server runs without
  HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS (400 constraint-violation), for a remote
  schema it does not have (400 not-exists), for a role already there (400 already-exists),
  for the admin role, and for a schema that is not a subset of the remote schema (400
  validation-failed); drop refuses a role not there (400 not-exists). No command changes a
  permission in place: a new schema or comment is a drop and an add. The server keeps the
  parsed document and exports it printed again, so schemas are compared parsed (core/sdl.py).
- `add_inherited_role` {role_name, role_set} inserts or replaces (RQL/DDL/InheritedRoles.hs,
  InsOrdHashMap.insert), so a changed set is one add; `drop_inherited_role` {role_name}
  refuses a role that is not there (400 not-exists). The cache build refuses an inherited role
  whose parent has no permission and is no inherited role (resolveInheritedRole), so drops go
  before every permission drop and adds after every create (see `inherited_drops`). The export
  lists `inherited_roles` sorted by role_name; role_set is a HashSet: compared as a set.
- `pg_create_function_permission` / `pg_drop_function_permission` {function, source?, role}
  (FunctionPermissionArgument in Hasura/Function/API.hs). Create refuses a role already there
  (400 already-exists) and a function the source does not track (400 not-exists); drop refuses
  a role not there (400 not-exists). A function permission has no comment. Functions belong to
  a source: with several sources a function is named `source:schema.name`, as tables are.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.core import sdl
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.graphs import depths
from hasura_perm.core.graphs import find_cycles
from hasura_perm.spec.surface import Surface

ACTION, INTROSPECTION, REMOTE_SCHEMA = "action", "introspection", "remote_schema"
INHERITED = "inherited_role"
FUNCTION = "function"
KINDS = (ACTION, INTROSPECTION, REMOTE_SCHEMA, FUNCTION, INHERITED)
ADD, REMOVE, UPDATE = "add", "remove", "update"
# what an add means: a granted action widens; a role added to disabled_for_roles narrows
_ADD_EFFECT = {
    ACTION: WIDENING,
    INTROSPECTION: NARROWING,
    REMOTE_SCHEMA: WIDENING,
    FUNCTION: WIDENING,
}
_REMOVE_EFFECT = {
    ACTION: NARROWING,
    INTROSPECTION: WIDENING,
    REMOTE_SCHEMA: NARROWING,
    FUNCTION: NARROWING,
}
RemotePermissions = dict[str, dict[str, dict[str, Any]]]  # schema -> role -> {schema, comment}
DEFAULT_SOURCE = "default"


@dataclass
class SurfaceState:
    """Action permissions (action -> role -> comment), the introspection-disabled roles and
    function permissions (function -> role -> None: they carry no comment)."""

    actions: dict[str, dict[str, str | None]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    disabled_order: list[str] = field(default_factory=list)  # as the server listed them
    remote: RemotePermissions = field(default_factory=dict)  # remote schemas' permissions
    inherited: dict[str, tuple[str, ...]] = field(default_factory=dict)  # Hasura inherited roles
    functions: dict[str, dict[str, str | None]] = field(default_factory=dict)


def live_state(metadata: dict[str, Any], sources: list[str] | None = None) -> SurfaceState:
    """The surface of an `export_metadata` answer; anything malformed is an error, not a guess.
    `sources`: whose tracked functions to read (several: names `source:schema.name`)."""
    state = SurfaceState()
    for source in sources or []:
        for function, granted in live_functions(metadata, source).items():
            key = f"{source}:{function}" if len(sources or []) > 1 else function
            state.functions[key] = granted
    actions = metadata.get("actions") or []
    if not isinstance(actions, list):
        raise HasuraPermError("the server's metadata has `actions` that is not a list")
    for action in actions:
        name = action.get("name") if isinstance(action, dict) else None
        perms = action.get("permissions") or [] if isinstance(action, dict) else None
        if not isinstance(name, str) or not isinstance(perms, list):
            raise HasuraPermError(f"the server's metadata has a malformed action: {action!r}")
        state.actions[name] = {
            p["role"]: p.get("comment") for p in perms if isinstance(p, dict) and "role" in p
        }
    options = metadata.get("graphql_schema_introspection") or {}
    roles = options.get("disabled_for_roles") or [] if isinstance(options, dict) else None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise HasuraPermError("the server's metadata has a malformed graphql_schema_introspection")
    state.disabled, state.disabled_order = set(roles), list(roles)
    state.remote = live_remote(metadata)
    state.inherited = _live_inherited(metadata)
    return state


def live_remote(metadata: dict[str, Any]) -> RemotePermissions:
    """Every remote schema of an export with its permissions (an empty dict: none)."""
    remote: RemotePermissions = {}
    entries = metadata.get("remote_schemas") or []
    if not isinstance(entries, list):
        raise HasuraPermError("the server's metadata has `remote_schemas` that is not a list")
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        perms = entry.get("permissions") or [] if isinstance(entry, dict) else None
        if not isinstance(name, str) or not isinstance(perms, list):
            raise HasuraPermError(f"the server's metadata has a malformed remote schema: {name!r}")
        remote[name] = {}
        for perm in perms:
            schema = (
                (perm.get("definition") or {}).get("schema") if isinstance(perm, dict) else None
            )
            if not isinstance(schema, str) or not isinstance(perm.get("role"), str):
                raise HasuraPermError(
                    f"the server's metadata has a malformed permission on remote schema {name!r}"
                )
            remote[name][perm["role"]] = {"schema": schema, "comment": perm.get("comment")}
    return remote


def live_functions(metadata: dict[str, Any], source: str) -> dict[str, dict[str, str | None]]:
    """`schema.name` -> role -> None, for the tracked functions of `source` in an export."""
    found = next(
        (
            s
            for s in metadata.get("sources") or []
            if isinstance(s, dict) and s.get("name") == source
        ),
        None,
    )
    out: dict[str, dict[str, str | None]] = {}
    for entry in (found or {}).get("functions") or []:
        named: Any = entry.get("function") if isinstance(entry, dict) else None
        granted: Any = entry.get("permissions") or [] if isinstance(entry, dict) else None
        if isinstance(named, str):
            named = {"schema": "public", "name": named}
        if not isinstance(named, dict) or not isinstance(granted, list):
            raise HasuraPermError(f"the server's metadata has a malformed function: {entry!r}")
        key = f"{named.get('schema', 'public')}.{named.get('name')}"
        out[key] = {p["role"]: None for p in granted if isinstance(p, dict) and "role" in p}
    return out


def compiled_state(surface: Surface | None) -> SurfaceState:
    if surface is None:
        return SurfaceState()
    actions = {
        a: {r: g.comment for r, g in surface.grants.get(a, {}).items()} for a in surface.actions
    }
    remote = {
        name: {r: {"schema": g.schema, "comment": g.comment} for r, g in grants.items()}
        for name, grants in _managed_grants(surface).items()
    }
    functions: dict[str, dict[str, str | None]] = {
        f: dict.fromkeys(surface.function_grants.get(f, {})) for f in surface.functions
    }
    state = SurfaceState(
        actions, set(surface.introspection_disabled), remote=remote, functions=functions
    )
    state.inherited = dict(surface.combines)
    return state


def _managed_grants(surface: Surface) -> dict[str, dict[str, Any]]:
    return {name: surface.remote_grants.get(name, {}) for name in surface.remote_schemas}


def owned_state(state: SurfaceState, surface: Surface | None) -> SurfaceState:
    """What of `state` hasura-perm owns: declared roles on managed actions."""
    if surface is None:
        return SurfaceState()
    roles = set(surface.roles)
    actions = {
        a: {r: c for r, c in state.actions.get(a, {}).items() if r in roles}
        for a in surface.actions
    }
    remote = {
        name: {r: p for r, p in state.remote.get(name, {}).items() if r in roles}
        for name in surface.remote_schemas
    }
    functions = {
        f: {r: c for r, c in state.functions.get(f, {}).items() if r in roles}
        for f in surface.functions
    }
    owned = SurfaceState(actions, state.disabled & roles, remote=remote, functions=functions)
    owned.inherited = {r: p for r, p in state.inherited.items() if r in roles}
    return owned


@dataclass(frozen=True)
class SurfaceChange:
    kind: str  # "action", "introspection", "remote_schema" or "function"
    name: str  # the action, remote schema or function (`schema.name`); "" for introspection
    role: str
    change: str  # add, remove, update
    effect: str
    before: dict[str, Any] | None  # {"comment": ...} for an action, {} for disabled introspection
    after: dict[str, Any] | None

    def describe(self) -> str:
        if self.kind == REMOTE_SCHEMA:
            return describe_remote(self)
        if self.kind == INHERITED:
            return _describe_inherited(self)
        if self.kind == INTROSPECTION:
            state = "disabled" if self.change == ADD else "enabled"
            return f"introspection {state} for {self.role}"
        if self.kind == FUNCTION:
            verb = "granted to" if self.change == ADD else "no longer granted to"
            return f"function {self.name} {verb} {self.role}"
        if self.change == UPDATE:
            return f"action {self.name}: {self.role}'s comment {self.before} -> {self.after}"
        verb = "granted to" if self.change == ADD else "no longer granted to"
        return f"action {self.name} {verb} {self.role}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "role": self.role,
            "change": self.change,
            "effect": self.effect,
            "detail": {"before": self.before, "after": self.after},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SurfaceChange:
        change = cls(
            str(data["kind"]),
            str(data["name"]),
            str(data["role"]),
            str(data["change"]),
            str(data["effect"]),
            data["detail"]["before"],
            data["detail"]["after"],
        )
        if change.kind not in KINDS or change.change not in (ADD, REMOVE, UPDATE):
            raise ValueError(f"unknown kind or change in {data!r}")
        return change


def surface_diff(before: SurfaceState, after: SurfaceState) -> list[SurfaceChange]:
    """Every action permission and introspection switch that differs, in a stable order."""
    changes = []
    for action in sorted(set(before.actions) | set(after.actions)):
        b, a = before.actions.get(action, {}), after.actions.get(action, {})
        for role in sorted(set(b) | set(a)):
            changes.extend(_one(ACTION, action, role, b, a))
    for function in sorted(set(before.functions) | set(after.functions)):
        b, a = before.functions.get(function, {}), after.functions.get(function, {})
        for role in sorted(set(b) | set(a)):
            changes.extend(_one(FUNCTION, function, role, b, a))
    for role in sorted(before.disabled ^ after.disabled):
        change = ADD if role in after.disabled else REMOVE
        effect = (_ADD_EFFECT if change == ADD else _REMOVE_EFFECT)[INTROSPECTION]
        on = {"introspection": "disabled"}
        changes.append(
            SurfaceChange(
                INTROSPECTION,
                "",
                role,
                change,
                effect,
                None if change == ADD else on,
                on if change == ADD else None,
            )
        )
    return changes + remote_diff(before.remote, after.remote) + inherited_diff(before, after)


def remote_diff(before: RemotePermissions, after: RemotePermissions) -> list[SurfaceChange]:
    """Role-based schemas added, removed or changed (a schema compared parsed)."""
    changes = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, {}), after.get(name, {})
        for role in sorted(set(b) | set(a)):
            if role not in b:
                changes.append(
                    SurfaceChange(REMOTE_SCHEMA, name, role, ADD, WIDENING, None, a[role])
                )
            elif role not in a:
                changes.append(
                    SurfaceChange(REMOTE_SCHEMA, name, role, REMOVE, NARROWING, b[role], None)
                )
            elif not same_remote(b[role], a[role]):
                effect = schema_effect(b[role]["schema"], a[role]["schema"])
                changes.append(
                    SurfaceChange(REMOTE_SCHEMA, name, role, UPDATE, effect, b[role], a[role])
                )
    return changes


def same_remote(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.get("comment") == b.get("comment") and sdl.same_schema(a["schema"], b["schema"])


def _reach(schema: str) -> set[tuple[str, str]]:
    try:
        return sdl.fields(schema)
    except sdl.SdlError:
        return set()


def schema_effect(before: str, after: str) -> str:
    """More fields reachable widens, fewer narrows; a changed argument, preset or
    description only is neutral here (the server decides what a preset means)."""
    old, new = _reach(before), _reach(after)
    if old == new:
        return NEUTRAL
    if old <= new:
        return WIDENING
    return NARROWING if new <= old else MIXED


def describe_remote(change: SurfaceChange) -> str:
    if change.change == ADD:
        return f"remote schema {change.name}: {change.role} gets a role-based schema"
    if change.change == REMOVE:
        return f"remote schema {change.name}: {change.role}'s role-based schema is removed"
    assert change.before is not None and change.after is not None
    old, new = _reach(change.before["schema"]), _reach(change.after["schema"])
    parts = [_field_list(new - old, "+"), _field_list(old - new, "-")]
    if change.before.get("comment") != change.after.get("comment"):
        parts.append(f"comment {change.before.get('comment')!r} -> {change.after.get('comment')!r}")
    detail = ", ".join(p for p in parts if p) or "arguments, presets or descriptions"
    return f"remote schema {change.name}: {change.role}'s schema changes ({detail})"


def _field_list(pairs: set[tuple[str, str]], sign: str) -> str:
    shown = [f"{sign}{t}.{f}" if f else f"{sign}{t}" for t, f in sorted(pairs)]
    return " ".join(shown[:6]) + (f" and {len(shown) - 6} more" if len(shown) > 6 else "")


def _one(kind: str, name: str, role: str, b: dict, a: dict) -> list[SurfaceChange]:
    # a function permission is only there or not: its detail is {} (nothing to compare)
    detail = (lambda c: {}) if kind == FUNCTION else (lambda c: {"comment": c})
    if role not in b:
        return [SurfaceChange(kind, name, role, ADD, _ADD_EFFECT[kind], None, detail(a[role]))]
    if role not in a:
        return [
            SurfaceChange(kind, name, role, REMOVE, _REMOVE_EFFECT[kind], detail(b[role]), None)
        ]
    if b[role] != a[role]:
        return [
            SurfaceChange(
                kind, name, role, UPDATE, NEUTRAL, {"comment": b[role]}, {"comment": a[role]}
            )
        ]
    return []


def apply_surface(state: SurfaceState, changes: list[SurfaceChange]) -> SurfaceState:
    """`state` with every change made: what the server should hold after an apply."""
    actions = {a: dict(roles) for a, roles in state.actions.items()}
    functions = {f: dict(roles) for f, roles in state.functions.items()}
    disabled = set(state.disabled)
    remote = {name: dict(roles) for name, roles in state.remote.items()}
    inherited = dict(state.inherited)
    for change in changes:
        if change.kind == REMOTE_SCHEMA:
            _apply_remote(remote, change)
        elif change.kind == INHERITED:
            if change.after is None:
                inherited.pop(change.role, None)
            else:
                inherited[change.role] = tuple(change.after["combines"])
        elif change.kind == INTROSPECTION:
            (disabled.add if change.change == ADD else disabled.discard)(change.role)
        elif change.kind == FUNCTION:
            if change.after is None:
                functions.get(change.name, {}).pop(change.role, None)
            else:
                functions.setdefault(change.name, {})[change.role] = None
        elif change.after is None:
            actions.get(change.name, {}).pop(change.role, None)
        else:
            actions.setdefault(change.name, {})[change.role] = change.after["comment"]
    result = SurfaceState(actions, disabled, remote=remote, functions=functions)
    result.inherited = inherited
    return result


def _apply_remote(remote: RemotePermissions, change: SurfaceChange) -> None:
    if change.after is None:
        remote.get(change.name, {}).pop(change.role, None)
    else:
        remote.setdefault(change.name, {})[change.role] = dict(change.after)


def same_state(a: SurfaceState, b: SurfaceState) -> bool:
    return not surface_diff(a, b)


def surface_commands(
    live: SurfaceState, changes: list[SurfaceChange], source: str = DEFAULT_SOURCE
) -> list[dict[str, Any]]:
    """The metadata API commands for `changes`: drops first, then creates, then introspection."""
    drops, creates = [], []
    for change in changes:
        if change.kind == FUNCTION:
            key = function_args(change.name, change.role, source)
            if change.before is not None:
                drops.append({"type": "pg_drop_function_permission", "args": key})
            if change.after is not None:
                creates.append({"type": "pg_create_function_permission", "args": key})
            continue
        if change.kind != ACTION:
            continue
        if change.before is not None:
            drops.append(
                {
                    "type": "drop_action_permission",
                    "args": {"action": change.name, "role": change.role},
                }
            )
        if change.after is not None:
            args: dict[str, Any] = {"action": change.name, "role": change.role}
            if change.after.get("comment") is not None:
                args["comment"] = change.after["comment"]
            creates.append({"type": "create_action_permission", "args": args})
    commands = drops + creates + remote_commands(changes)
    if any(c.kind == INTROSPECTION for c in changes):
        intended = apply_surface(live, changes).disabled
        # keep the server's order for the roles that stay, so nothing else appears to move
        ordered = [r for r in live.disabled_order if r in intended]
        ordered += sorted(intended - set(ordered))
        commands.append(
            {
                "type": "set_graphql_schema_introspection_options",
                "args": {"disabled_for_roles": ordered},
            }
        )
    return commands


def remote_commands(changes: list[SurfaceChange]) -> list[dict[str, Any]]:
    """Drops, then adds, of remote schema permissions."""
    drops, adds = [], []
    for change in changes:
        if change.kind != REMOTE_SCHEMA:
            continue
        key = {"remote_schema": change.name, "role": change.role}
        if change.before is not None:
            drops.append({"type": "drop_remote_schema_permissions", "args": key})
        if change.after is not None:
            args: dict[str, Any] = {**key, "definition": {"schema": change.after["schema"]}}
            if change.after.get("comment") is not None:
                args["comment"] = change.after["comment"]
            adds.append({"type": "add_remote_schema_permissions", "args": args})
    return drops + adds


def missing_remote_schemas(live: SurfaceState, changes: list[SurfaceChange]) -> list[str]:
    """Remote schemas a change would set a role-based schema on that the server does not have."""
    return sorted(
        {
            c.name
            for c in changes
            if c.kind == REMOTE_SCHEMA and c.after and c.name not in live.remote
        }
    )


def surface_heading(changes: list[SurfaceChange]) -> str:
    """The heading of the surface part of a report, naming functions and remote schemas when
    there are."""
    kinds = {c.kind for c in changes}
    parts = ["actions", *(["functions"] if FUNCTION in kinds else []), "introspection"]
    if REMOTE_SCHEMA in kinds:
        parts.append("remote schemas")
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def function_args(name: str, role: str, source: str) -> dict[str, Any]:
    """{function: {schema, name}, source, role}; `source:schema.name` names the source
    (several sources), else it is `source`."""
    prefix, found, rest = name.partition(":")
    if found:
        source = prefix
    else:
        rest = name
    schema, _, function = rest.rpartition(".")
    return {"function": {"schema": schema, "name": function}, "source": source, "role": role}


def missing_functions(live: SurfaceState, changes: list[SurfaceChange]) -> list[str]:
    """Functions a change would grant that the server does not track."""
    return sorted(
        {c.name for c in changes if c.kind == FUNCTION and c.after is not None}
        - set(live.functions)
    )


def missing_actions(live: SurfaceState, changes: list[SurfaceChange]) -> list[str]:
    """Actions a change would grant that the server does not define."""
    return sorted(
        {c.name for c in changes if c.kind == ACTION and c.after and c.name not in live.actions}
    )


# ---------------------------------------------------------------- Hasura inherited roles


def _live_inherited(metadata: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    entries = metadata.get("inherited_roles") or []
    if not isinstance(entries, list):
        raise HasuraPermError("the server's metadata has `inherited_roles` that is not a list")
    out = {}
    for entry in entries:
        name = entry.get("role_name") if isinstance(entry, dict) else None
        parents = entry.get("role_set") if isinstance(entry, dict) else None
        if (
            not isinstance(name, str)
            or not isinstance(parents, list)
            or not all(isinstance(p, str) for p in parents)
        ):
            raise HasuraPermError(
                f"the server's metadata has a malformed inherited role: {entry!r}"
            )
        out[name] = tuple(parents)
    return out


def inherited_diff(before: SurfaceState, after: SurfaceState) -> list[SurfaceChange]:
    """Inherited roles added, removed, or with another set of parents (a set: order is free)."""
    changes = []
    for role in sorted(set(before.inherited) | set(after.inherited)):
        b, a = before.inherited.get(role), after.inherited.get(role)
        if b is not None and a is not None and set(b) == set(a):
            continue
        if b is None:
            change, effect = ADD, WIDENING
        elif a is None:
            change, effect = REMOVE, NARROWING
        else:
            gained, lost = set(a) - set(b), set(b) - set(a)
            change = UPDATE
            effect = MIXED if gained and lost else WIDENING if gained else NARROWING
        changes.append(
            SurfaceChange(
                INHERITED,
                "",
                role,
                change,
                effect,
                None if b is None else {"combines": list(b)},
                None if a is None else {"combines": list(a)},
            )
        )
    return changes


def _describe_inherited(change: SurfaceChange) -> str:
    def of(side: dict[str, Any] | None) -> str:
        return ", ".join((side or {}).get("combines") or [])

    if change.change == ADD:
        return f"{change.role} becomes a Hasura inherited role of {of(change.after)}"
    if change.change == REMOVE:
        return f"{change.role} is no longer a Hasura inherited role (of {of(change.before)})"
    return f"inherited role {change.role}: parents {of(change.before)} -> {of(change.after)}"


def _inherited_changes(changes: list[SurfaceChange]) -> list[SurfaceChange]:
    return [c for c in changes if c.kind == INHERITED]


def _dropped_first(live: SurfaceState, changes: list[SurfaceChange]) -> list[str]:
    """Roles dropped before every other command: removed ones, and changed ones that lose a
    parent (that parent may lose its last permission in the same request, and the server
    rebuilds the inherited role after each command) unless another inherited role that stays
    has the role as its parent (dropping it could leave that one without its parent)."""
    changed = {c.role: c for c in _inherited_changes(changes)}
    staying = {r: p for r, p in live.inherited.items() if r not in changed or changed[r].after}
    dropped = []
    for role, change in changed.items():
        if change.before is None:
            continue
        if change.after is None:
            dropped.append(role)
            continue
        loses = set(change.before["combines"]) - set(change.after["combines"])
        needed = any(role in parents for r, parents in staying.items() if r != role)
        if loses and not needed:
            dropped.append(role)
    return _ordered(dropped, live.inherited, children_first=True)


def inherited_drops(live: SurfaceState, changes: list[SurfaceChange]) -> list[dict[str, Any]]:
    """The `drop_inherited_role` commands, which go before every other command."""
    return [
        {"type": "drop_inherited_role", "args": {"role_name": role}}
        for role in _dropped_first(live, changes)
    ]


def inherited_adds(live: SurfaceState, changes: list[SurfaceChange]) -> list[dict[str, Any]]:
    """The `add_inherited_role` commands (a changed set is one add: it replaces), which go
    after every other command, parents before children."""
    intended = apply_surface(live, changes).inherited
    added = [c.role for c in _inherited_changes(changes) if c.after is not None]
    return [
        {
            "type": "add_inherited_role",
            "args": {"role_name": role, "role_set": list(intended[role])},
        }
        for role in _ordered(added, intended, children_first=False)
    ]


def _ordered(
    roles: list[str], graph: dict[str, tuple[str, ...]], *, children_first: bool
) -> list[str]:
    """`roles` with parents before children (or the reverse), by name otherwise."""
    if find_cycles(graph):
        return sorted(roles)  # the server refuses cycles; let it say so
    depth = depths(graph)  # iterative: a long chain of roles cannot exhaust the stack

    def level(role: str) -> int:
        return depth.get(role, 0)

    return sorted(roles, key=lambda r: (-level(r) if children_first else level(r), r))
