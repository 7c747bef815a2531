"""Spec -> the surface hasura-perm owns. Pure: no I/O.

Per (action, role): the entry under `actions:` named exactly for the action, else the most
specific matching pattern entry, else the parents' resolved grants (any parent's grant is
inherited), else nothing. `deny` at the first two steps stops the search, as for tables.
Introspection is a plain per-role switch (`introspection: false`), not inherited: it is about
how the role's clients are built, not what the role may read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

from hasura_perm.core.errors import Location
from hasura_perm.core.validate import did_you_mean
from hasura_perm.spec import Node
from hasura_perm.spec import Spec
from hasura_perm.spec.combines import combined_roles
from hasura_perm.spec.remote_schemas import RemoteGrants

Problems = list[tuple[Location, str]]
EXACT = 10_000  # an exact name beats every pattern


@dataclass(frozen=True)
class ActionGrant:
    """One role's permission to call one action, and where it came from."""

    action: str
    role: str
    comment: str | None
    location: Location
    origin: str  # "actions entry `x`", "inherited from editor"


@dataclass
class Surface:
    roles: list[str]  # every declared role (what we own)
    actions: list[str] = field(default_factory=list)  # managed actions, sorted
    grants: dict[str, dict[str, ActionGrant]] = field(default_factory=dict)  # action -> role
    introspection_disabled: list[str] = field(default_factory=list)  # declared roles, sorted
    remote_schemas: list[str] = field(default_factory=list)  # managed remote schemas, sorted
    remote_grants: RemoteGrants = field(default_factory=dict)  # remote schema -> role -> grant
    # Hasura inherited roles hasura-perm declares (`combines:`, spec/combines.py): role -> parents
    combines: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def actions_of(self, role: str) -> list[str]:
        return [a for a in self.actions if role in self.grants.get(a, {})]

    def remote_schemas_of(self, role: str) -> list[str]:
        return [s for s in self.remote_schemas if role in self.remote_grants.get(s, {})]


def compile_surface(
    spec: Spec,
    parents: dict[str, tuple[str, ...]],
    defined_actions: list[str] | None,
    problems: Problems,
) -> Surface:
    """`defined_actions`: the actions in metadata/actions.yaml (None: no such file)."""
    surface = Surface(roles=sorted(spec.roles))
    surface.introspection_disabled = sorted(
        name
        for name, node in spec.roles.items()
        if (node.value or {}).get("introspection") is False
    )
    surface.combines = dict(sorted(combined_roles(spec, problems).items()))
    if not spec.actions:
        return surface
    entries = _entries(spec, defined_actions or [], problems)
    surface.actions = sorted({a for a in defined_actions or [] if _matches_any(a, entries)})
    for action in surface.actions:
        chosen = _chosen(action, entries, problems)
        resolved: dict[str, ActionGrant | None] = {}
        for role in spec.roles:
            grant = _resolve(action, role, chosen, parents, resolved, set())
            if grant is not None:
                surface.grants.setdefault(action, {})[role] = grant
    return surface


@dataclass(frozen=True)
class _Entry:
    key: str
    node: Node
    regex: re.Pattern[str]
    score: int


def _entries(spec: Spec, defined: list[str], problems: Problems) -> list[_Entry]:
    entries = []
    for key, node in spec.actions.items():
        regex = re.compile(".*".join(re.escape(part) for part in key.split("*")))
        score = EXACT if "*" not in key else len(key.replace("*", ""))
        if not any(regex.fullmatch(a) for a in defined):
            what = "action" if score == EXACT else "pattern"
            hint = did_you_mean(key, defined) if score == EXACT else ""
            problems.append(
                (
                    node.location,
                    f"{what} `{key}` matches no action in metadata/actions.yaml{hint}; "
                    "define the action in Hasura first (console or `hasura metadata apply`)",
                )
            )
        for role in node.value or {}:
            if role not in spec.roles:
                hint = did_you_mean(role, list(spec.roles))
                problems.append(
                    (node.child(role).location, f"unknown role `{role}` for `{key}`{hint}")
                )
        entries.append(_Entry(key, node, regex, score))
    return entries


def _matches_any(action: str, entries: list[_Entry]) -> bool:
    return any(e.regex.fullmatch(action) for e in entries)


def _chosen(
    action: str, entries: list[_Entry], problems: Problems
) -> dict[str, tuple[_Entry, Node]]:
    """role -> (entry, rule) of the most specific entry that names the role for `action`."""
    found: dict[str, list[_Entry]] = {}
    for entry in entries:
        if entry.regex.fullmatch(action):
            for role in entry.node.value or {}:
                found.setdefault(role, []).append(entry)
    chosen = {}
    for role, candidates in found.items():
        best = max(e.score for e in candidates)
        top = [e for e in candidates if e.score == best]
        chosen[role] = (top[0], top[0].node.child(role))
        for other in top[1:]:
            problems.append(
                (
                    other.node.child(role).location,
                    f"`{other.key}` and `{top[0].key}` are equally specific and both give "
                    f"{role} a rule for action {action}; make one pattern more specific or "
                    "name the action",
                )
            )
    return chosen


def _resolve(
    action: str,
    role: str,
    chosen: dict[str, tuple[_Entry, Node]],
    parents: dict[str, tuple[str, ...]],
    resolved: dict[str, ActionGrant | None],
    visiting: set[str],
) -> ActionGrant | None:
    if role in resolved:
        return resolved[role]
    grant: ActionGrant | None = None
    if role in chosen:
        entry, rule = chosen[role]
        if rule.value != "deny":
            comment = (rule.value or {}).get("comment")
            grant = ActionGrant(
                action, role, comment, rule.location, f"actions entry `{entry.key}`"
            )
    elif role not in visiting:
        visiting.add(role)
        inherited = [
            g
            for p in parents.get(role, ())
            if (g := _resolve(action, p, chosen, parents, resolved, visiting)) is not None
        ]
        if inherited:
            comments = {g.comment for g in inherited}
            grant = ActionGrant(
                action,
                role,
                comments.pop() if len(comments) == 1 else None,
                inherited[0].location,
                f"inherited from {', '.join(g.role for g in inherited)}",
            )
    resolved[role] = grant
    return grant
