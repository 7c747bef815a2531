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
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.remote.compare import NARROWING
from hasura_perm.remote.compare import NEUTRAL
from hasura_perm.remote.compare import WIDENING
from hasura_perm.spec.surface import Surface

ACTION, INTROSPECTION = "action", "introspection"
ADD, REMOVE, UPDATE = "add", "remove", "update"
# what an add means: a granted action widens; a role added to disabled_for_roles narrows
_ADD_EFFECT = {ACTION: WIDENING, INTROSPECTION: NARROWING}
_REMOVE_EFFECT = {ACTION: NARROWING, INTROSPECTION: WIDENING}


@dataclass
class SurfaceState:
    """Action permissions (action -> role -> comment) and the introspection-disabled roles."""

    actions: dict[str, dict[str, str | None]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    disabled_order: list[str] = field(default_factory=list)  # as the server listed them


def live_state(metadata: dict[str, Any]) -> SurfaceState:
    """The surface of an `export_metadata` answer; anything malformed is an error, not a guess."""
    state = SurfaceState()
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
    return state


def compiled_state(surface: Surface | None) -> SurfaceState:
    if surface is None:
        return SurfaceState()
    actions = {
        a: {r: g.comment for r, g in surface.grants.get(a, {}).items()} for a in surface.actions
    }
    return SurfaceState(actions, set(surface.introspection_disabled))


def owned_state(state: SurfaceState, surface: Surface | None) -> SurfaceState:
    """What of `state` hasura-perm owns: declared roles on managed actions."""
    if surface is None:
        return SurfaceState()
    roles = set(surface.roles)
    actions = {
        a: {r: c for r, c in state.actions.get(a, {}).items() if r in roles}
        for a in surface.actions
    }
    return SurfaceState(actions, state.disabled & roles)


@dataclass(frozen=True)
class SurfaceChange:
    kind: str  # "action" or "introspection"
    name: str  # the action; "" for introspection
    role: str
    change: str  # add, remove, update
    effect: str
    before: dict[str, Any] | None  # {"comment": ...} for an action, {} for disabled introspection
    after: dict[str, Any] | None

    def describe(self) -> str:
        if self.kind == INTROSPECTION:
            state = "disabled" if self.change == ADD else "enabled"
            return f"introspection {state} for {self.role}"
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
        if change.kind not in (ACTION, INTROSPECTION) or change.change not in (ADD, REMOVE, UPDATE):
            raise ValueError(f"unknown kind or change in {data!r}")
        return change


def surface_diff(before: SurfaceState, after: SurfaceState) -> list[SurfaceChange]:
    """Every action permission and introspection switch that differs, in a stable order."""
    changes = []
    for action in sorted(set(before.actions) | set(after.actions)):
        b, a = before.actions.get(action, {}), after.actions.get(action, {})
        for role in sorted(set(b) | set(a)):
            changes.extend(_one(ACTION, action, role, b, a))
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
    return changes


def _one(kind: str, name: str, role: str, b: dict, a: dict) -> list[SurfaceChange]:
    if role not in b:
        return [SurfaceChange(kind, name, role, ADD, _ADD_EFFECT[kind], None, {"comment": a[role]})]
    if role not in a:
        return [
            SurfaceChange(
                kind, name, role, REMOVE, _REMOVE_EFFECT[kind], {"comment": b[role]}, None
            )
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
    disabled = set(state.disabled)
    for change in changes:
        if change.kind == INTROSPECTION:
            (disabled.add if change.change == ADD else disabled.discard)(change.role)
        elif change.after is None:
            actions.get(change.name, {}).pop(change.role, None)
        else:
            actions.setdefault(change.name, {})[change.role] = change.after["comment"]
    return SurfaceState(actions, disabled)


def same_state(a: SurfaceState, b: SurfaceState) -> bool:
    return not surface_diff(a, b)


def surface_commands(live: SurfaceState, changes: list[SurfaceChange]) -> list[dict[str, Any]]:
    """The metadata API commands for `changes`: drops first, then creates, then introspection."""
    drops, creates = [], []
    for change in changes:
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
    commands = drops + creates
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


def missing_actions(live: SurfaceState, changes: list[SurfaceChange]) -> list[str]:
    """Actions a change would grant that the server does not define."""
    return sorted(
        {c.name for c in changes if c.kind == ACTION and c.after and c.name not in live.actions}
    )
