"""Spec -> the surface hasura-perm owns. Pure: no I/O.

Actions (`actions:`) and tracked functions (`functions:`, keys `schema.name` or patterns as
for table defaults) resolve alike. Per (action or function, role): the entry under `actions:` named exactly for the action, else the most
specific matching pattern entry, else the parents' resolved grants (any parent's grant is
inherited), else nothing. `deny` at the first two steps stops the search, as for tables.
Introspection is a plain per-role switch (`introspection: false`), not inherited: it is about
how the role's clients are built, not what the role may read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.validate import did_you_mean
from hasura_perm.spec import Node
from hasura_perm.spec import Spec
from hasura_perm.spec.combines import combined_roles
from hasura_perm.spec.remote_schemas import RemoteGrants
from hasura_perm.spec.resolve import pattern_regex

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
    functions: list[str] = field(default_factory=list)  # managed functions `schema.name`, sorted
    function_grants: dict[str, dict[str, ActionGrant]] = field(default_factory=dict)

    def actions_of(self, role: str) -> list[str]:
        return [a for a in self.actions if role in self.grants.get(a, {})]

    def remote_schemas_of(self, role: str) -> list[str]:
        return [s for s in self.remote_schemas if role in self.remote_grants.get(s, {})]

    def functions_of(self, role: str) -> list[str]:
        return [f for f in self.functions if role in self.function_grants.get(f, {})]


def compile_surface(
    spec: Spec,
    parents: dict[str, tuple[str, ...]],
    defined_actions: list[str] | None,
    problems: list[Diagnostic],
    defined_functions: list[str] | None = None,
) -> Surface:
    """`defined_actions`: the actions in metadata/actions.yaml (None: no such file);
    `defined_functions`: the tracked functions of the source, `schema.name`."""
    surface = Surface(roles=sorted(spec.roles))
    surface.introspection_disabled = sorted(
        name
        for name, node in spec.roles.items()
        if (node.value or {}).get("introspection") is False
    )
    surface.combines = dict(sorted(combined_roles(spec, problems).items()))
    if spec.actions:
        surface.actions, surface.grants = _grants(
            spec, parents, _entries(spec, spec.actions, defined_actions or [], problems), problems
        )
    if spec.functions:
        entries = _entries(spec, spec.functions, defined_functions or [], problems, FUNCTIONS)
        surface.functions, surface.function_grants = _grants(spec, parents, entries, problems)
    return surface


@dataclass(frozen=True)
class _Kind:
    noun: str  # action, function
    section: str  # actions, functions
    where: str  # where they are defined
    how: str  # how to define one
    regex: Callable[[str], re.Pattern[str]]


ACTIONS = _Kind(
    "action",
    "actions",
    "metadata/actions.yaml",
    "define the action in Hasura first (console or `hasura metadata apply`)",
    lambda key: re.compile(".*".join(re.escape(part) for part in key.split("*"))),
)
FUNCTIONS = _Kind(
    "function",
    "functions",
    "the tracked functions of metadata/",
    "track the function in Hasura first (console, `pg_track_function` or `hasura metadata apply`)",
    pattern_regex,  # as table defaults: `search_*` means public.search_*, `*` every function
)


def _grants(
    spec: Spec,
    parents: dict[str, tuple[str, ...]],
    entries: list[_Entry],
    problems: list[Diagnostic],
) -> tuple[list[str], dict[str, dict[str, ActionGrant]]]:
    names = sorted({n for n in entries[0].defined if _matches_any(n, entries)} if entries else ())
    grants: dict[str, dict[str, ActionGrant]] = {}
    for name in names:
        chosen = _chosen(name, entries, problems)
        resolved: dict[str, ActionGrant | None] = {}
        for role in spec.roles:
            grant = _resolve(name, role, chosen, parents, resolved, set())
            if grant is not None:
                grants.setdefault(name, {})[role] = grant
    return names, grants


@dataclass(frozen=True)
class _Entry:
    key: str
    node: Node
    regex: re.Pattern[str]
    score: int
    kind: _Kind
    defined: tuple[str, ...]


def _entries(
    spec: Spec,
    section: dict[str, Node],
    defined: list[str],
    problems: list[Diagnostic],
    kind: _Kind = ACTIONS,
) -> list[_Entry]:
    entries = []
    for key, node in section.items():
        regex = kind.regex(key)
        score = EXACT if "*" not in key else len(key.replace("*", ""))
        # a key without `source:` in a project with several sources may name another
        # source's function (spec/by_source.py lists those keys)
        elsewhere = key in spec.functions_any_source and kind is FUNCTIONS
        if not any(regex.fullmatch(a) for a in defined) and not elsewhere:
            what = kind.noun if score == EXACT else "pattern"
            hint = did_you_mean(key, defined) if score == EXACT else ""
            problems.append(
                Diagnostic(
                    node.location,
                    f"{what} `{key}` matches no {kind.noun} in {kind.where}{hint}; {kind.how}",
                )
            )
        for role in node.value or {}:
            if role not in spec.roles:
                hint = did_you_mean(role, list(spec.roles))
                problems.append(
                    Diagnostic(
                        node.child(role).location, f"unknown role `{role}` for `{key}`{hint}"
                    )
                )
        entries.append(_Entry(key, node, regex, score, kind, tuple(defined)))
    return entries


def _matches_any(action: str, entries: list[_Entry]) -> bool:
    return any(e.regex.fullmatch(action) for e in entries)


def _chosen(
    action: str, entries: list[_Entry], problems: list[Diagnostic]
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
                Diagnostic(
                    other.node.child(role).location,
                    f"`{other.key}` and `{top[0].key}` are equally specific and both give "
                    f"{role} a rule for {other.kind.noun} {action}; make one pattern more "
                    f"specific or name the {other.kind.noun}",
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
                action, role, comment, rule.location, f"{entry.kind.section} entry `{entry.key}`"
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


def qualified_functions(parts: list[tuple[str, Surface]]) -> Surface:
    """The first part's surface, with every part's functions named `source:schema.name`:
    functions belong to a source (actions and introspection do not)."""
    first = parts[0][1]
    merged = Surface(
        first.roles,
        first.actions,
        first.grants,
        first.introspection_disabled,
        first.remote_schemas,
        first.remote_grants,
    )
    for source, surface in parts:
        for name in surface.functions:
            qualified = f"{source}:{name}"
            merged.functions.append(qualified)
            grants = surface.function_grants.get(name, {})
            if grants:
                merged.function_grants[qualified] = dict(grants)
    merged.functions.sort()
    return merged
