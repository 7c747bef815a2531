"""Import action and function permissions and introspection options into permissions/.

Action grants become `permissions/actions.yaml`, one entry per action that has permissions,
factored through the inferred role inheritance (a child whose parent holds the grant needs no
entry; a child that must not have it gets `deny`). Patterns are not invented: a `"*"` entry
would hand every future action to the role, which the metadata never said. Roles in
`disabled_for_roles` get `introspection: false`. Roles seen only here are declared. The result
is proved like the table rules: the files are compiled back and must give the same grants.
Function grants (a tracked function's `permissions`) are factored the same way into
`permissions/functions.yaml`, keyed `schema.name`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.importer import yamlout
from hasura_perm.importer.inherited import InheritedRole
from hasura_perm.spec import load_spec
from hasura_perm.spec.resolve import role_parents
from hasura_perm.spec.surface import compile_surface

ACTIONS_FILE = "actions.yaml"
FUNCTIONS_FILE = "functions.yaml"
Grants = dict[str, dict[str, str | None]]  # action -> role -> comment


@dataclass
class SurfaceImport:
    actions: list[str] = field(default_factory=list)  # every action the metadata defines
    grants: Grants = field(default_factory=dict)
    disabled: list[str] = field(default_factory=list)
    combines: dict[str, tuple[str, ...]] = field(default_factory=dict)  # Hasura inherited roles
    functions: list[str] = field(default_factory=list)  # every tracked function, `schema.name`
    function_grants: Grants = field(default_factory=dict)  # function -> role -> None

    @property
    def count(self) -> int:
        return sum(len(roles) for roles in self.grants.values())

    @property
    def function_count(self) -> int:
        return sum(len(roles) for roles in self.function_grants.values())


def read_surface(
    metadata: dict[str, Any],
    inherited: list[InheritedRole],
    functions: dict[str, list[str]] | None = None,
) -> SurfaceImport:
    """The metadata's action grants, introspection-disabled roles, function grants and the
    inherited roles imported as `combines` (Hasura derives their actions itself: nothing is
    added)."""
    out = SurfaceImport()
    out.functions = sorted(functions or {})
    for function, granted in sorted((functions or {}).items()):
        if granted:
            out.function_grants[function] = dict.fromkeys(sorted(granted))
    actions = metadata.get("actions")
    if isinstance(actions, dict):  # actions.yaml as read: {actions: [...], custom_types}
        actions = actions.get("actions")
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict) or not isinstance(action.get("name"), str):
            continue
        out.actions.append(action["name"])
        roles = {
            p["role"]: p.get("comment")
            for p in action.get("permissions") or []
            if isinstance(p, dict) and isinstance(p.get("role"), str)
        }
        if roles:
            out.grants[action["name"]] = roles
    options = metadata.get("graphql_schema_introspection")
    disabled = options.get("disabled_for_roles") if isinstance(options, dict) else None
    out.disabled = sorted(r for r in disabled or [] if isinstance(r, str))
    out.combines = {r.name: r.parents for r in inherited if r.expressed}
    return out


def surface_roles(
    roles: dict[str, dict[str, Any]], surface: SurfaceImport
) -> dict[str, dict[str, Any]]:
    """`roles` with every role seen only here declared, and `introspection: false` where the
    metadata disables it."""
    roles = {name: dict(value) for name, value in roles.items()}
    seen = {r for granted in surface.grants.values() for r in granted} | set(surface.disabled)
    seen |= {r for granted in surface.function_grants.values() for r in granted}
    for role in seen - set(roles):
        roles[role] = {}
    for role in surface.disabled:
        roles[role]["introspection"] = False
    for role, parents in surface.combines.items():
        roles.setdefault(role, {})["combines"] = list(parents)
    return dict(sorted(roles.items()))


def surface_files(roles: dict[str, dict[str, Any]], surface: SurfaceImport) -> dict[str, str]:
    out = {}
    entries = _entries(surface.grants, roles)
    if entries:
        header = (
            "# Who may call each Hasura action (imported). Per role the entry naming the action\n"
            "# wins, then the most specific pattern, then the parent roles; `deny` stops that.\n"
        )
        out[ACTIONS_FILE] = header + "\n" + yamlout.dump({"actions": entries})
    functions = _entries(surface.function_grants, roles)
    if functions:
        header = (
            "# Who may call each tracked function (imported). Per role the entry naming the\n"
            "# function wins, then the most specific pattern, then the parent roles; `deny`\n"
            "# stops that. A role needs select on the function's return table.\n"
        )
        out[FUNCTIONS_FILE] = header + "\n" + yamlout.dump({"functions": functions})
    return out


_NONE = object()  # no grant


def _entries(grants: Grants, roles: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    parents = {name: _parents(value) for name, value in roles.items()}
    out: dict[str, dict[str, Any]] = {}
    for action, granted in sorted(grants.items()):
        entry: dict[str, Any] = {}
        resolved: dict[str, Any] = {}
        for role in sorted(roles):
            _resolve(role, granted, parents, entry, resolved)
        if entry:
            out[action] = dict(sorted(entry.items()))
    return out


def _resolve(
    role: str,
    granted: dict[str, str | None],
    parents: dict[str, tuple[str, ...]],
    entry: dict[str, Any],
    resolved: dict[str, Any],
) -> Any:
    """What compile gives `role` (its comment, or _NONE) with the entries chosen so far, as
    spec/surface.py resolves it; adds to `entry` what the role needs written."""
    if role in resolved:
        return resolved[role]
    from_parents = [
        c
        for p in parents.get(role, ())
        if (c := _resolve(p, granted, parents, entry, resolved)) is not _NONE
    ]
    inherited: Any = _NONE
    if from_parents:
        inherited = from_parents[0] if len(set(from_parents)) == 1 else None
    if role in granted:
        if inherited is _NONE or inherited != granted[role]:
            comment = granted[role]
            entry[role] = {} if comment is None else {"comment": comment}
        resolved[role] = granted[role]
    else:
        if inherited is not _NONE:
            entry[role] = "deny"
        resolved[role] = _NONE
    return resolved[role]


def _parents(value: dict[str, Any]) -> tuple[str, ...]:
    inherits = value.get("inherits", ())
    return (inherits,) if isinstance(inherits, str) else tuple(inherits)


def prove_surface(files: dict[str, str], surface: SurfaceImport) -> str | None:
    """Compile the planned files' actions and roles back; the first difference, or None."""
    with tempfile.TemporaryDirectory(prefix="hasura-perm-import-") as folder:
        root = Path(folder)
        for relative, text in files.items():
            if relative.endswith(".yaml") and "/" not in relative:
                (root / relative).write_text(text, encoding="utf-8")
        spec = load_spec(root, root)
    problems: list[Diagnostic] = []
    compiled = compile_surface(
        spec, role_parents(spec, problems), surface.actions, problems, surface.functions
    )
    if problems:
        return "; ".join(str(problem) for problem in problems[:3])
    got = {
        a: {r: g.comment for r, g in compiled.grants.get(a, {}).items()} for a in compiled.actions
    }
    want = {a: roles for a, roles in surface.grants.items() if roles}
    got = {a: roles for a, roles in got.items() if roles}
    if got != want:
        action = next(a for a in sorted(set(got) | set(want)) if got.get(a) != want.get(a))
        return f"action {action}: imported {got.get(action)}, metadata {want.get(action)}"
    got_sets = {r: set(p) for r, p in compiled.combines.items()}
    if got_sets != {r: set(p) for r, p in surface.combines.items()}:
        return f"inherited roles {compiled.combines}, metadata {surface.combines}"
    got_functions = {
        f: dict.fromkeys(sorted(compiled.function_grants.get(f, {}))) for f in compiled.functions
    }
    got_functions = {f: roles for f, roles in got_functions.items() if roles}
    if got_functions != surface.function_grants:
        function = next(
            f
            for f in sorted(set(got_functions) | set(surface.function_grants))
            if got_functions.get(f) != surface.function_grants.get(f)
        )
        return (
            f"function {function}: imported {sorted(got_functions.get(function, {}))}, "
            f"metadata {sorted(surface.function_grants.get(function, {}))}"
        )
    if compiled.introspection_disabled != surface.disabled:
        return (
            f"introspection disabled for {compiled.introspection_disabled}, metadata "
            f"{surface.disabled}"
        )
    return None
