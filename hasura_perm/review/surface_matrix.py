"""The matrix's part for Hasura actions, tracked functions, introspection and remote schemas:
role x action, role x function, per role whether it may introspect the GraphQL schema, and role
x remote schema (how much of it the role's schema reaches); and the roles Hasura derives
(`combines`) with their parents (a combines role may call an action when any parent may:
Permission.hs)."""

from __future__ import annotations

import html
from typing import Any

from hasura_perm.core import md
from hasura_perm.core import sdl


def surface_part(surface: Any, roles: list[str]) -> dict[str, Any] | None:
    """None when the project manages no action and disables no introspection."""
    remote = getattr(surface, "remote_schemas", None)
    combines = dict(getattr(surface, "combines", None) or {})
    if surface is None or not (
        surface.actions or surface.introspection_disabled or remote or combines or surface.functions
    ):
        return None
    functions = {
        function: {
            role: {"origin": g.origin, "location": str(g.location)}
            for role, g in surface.function_grants.get(function, {}).items()
            if role in roles
        }
        for function in surface.functions
    }
    grants = {
        action: {
            role: {"origin": g.origin, "location": str(g.location), "comment": g.comment}
            for role, g in surface.grants.get(action, {}).items()
            if role in roles
        }
        for action in surface.actions
    }
    for action, granted in grants.items():
        for role, parents in derived_actions(surface.grants.get(action, {}), combines).items():
            if role in roles and role not in granted:
                origin = f"derived by Hasura from {', '.join(parents)}"
                granted[role] = {"origin": origin, "location": None, "comment": None}
    disabled = set(surface.introspection_disabled)
    part = {
        "actions": grants,
        "functions": functions,
        "introspection": {role: role not in disabled for role in roles},
    }
    if remote:
        part["remote_schemas"] = remote_part(surface, roles)
    chosen = {r: list(p) for r, p in combines.items() if r in roles}
    return part | ({"inherited_roles": chosen} if chosen else {})


def remote_part(surface: Any, roles: list[str]) -> dict[str, Any]:
    """remote schema -> role -> where its schema comes from and what it reaches."""
    return {
        name: {
            role: {
                "origin": g.origin,
                "location": str(g.location),
                "comment": g.comment,
                "types": len({t for t, _ in sdl.fields(g.schema)}),
                "fields": len([f for _, f in sdl.fields(g.schema) if f]),
            }
            for role, g in surface.remote_grants.get(name, {}).items()
            if role in roles
        }
        for name in surface.remote_schemas
    }


def _remote_cell(grant: dict[str, Any] | None) -> str:
    return "—" if grant is None else f"{grant['fields']} fields"


def derived_actions(
    granted: dict[str, Any], combines: dict[str, tuple[str, ...]]
) -> dict[str, list[str]]:
    """combines role -> the parents that hold the action (own or derived), for roles that get it."""
    holders = set(granted)
    out: dict[str, list[str]] = {}
    changed = True
    while changed:  # a fixed point: parents may be combines roles themselves
        changed = False
        for role, parents in sorted(combines.items()):
            if role in holders:
                continue
            found = [p for p in parents if p in holders]
            if found:
                out[role], changed = found, True
                holders.add(role)
    return out


def _inherited_lines(part: dict[str, Any]) -> list[str]:
    return [
        f"{role}: derived by Hasura from {', '.join(parents)}"
        for role, parents in part.get("inherited_roles", {}).items()
    ]


def surface_markdown(part: dict[str, Any] | None, roles: list[str]) -> list[str]:
    if part is None:
        return []
    header = " | ".join(md.cell(md.code(r)) for r in roles)
    lines = ["### Hasura actions", ""]
    lines += [f"| action | {header} |", "|---" * (len(roles) + 1) + "|"]
    for action, granted in part["actions"].items():
        cells = ["allowed" if r in granted else "—" for r in roles]
        lines.append(f"| {md.cell(md.code(action))} | " + " | ".join(cells) + " |")
    if part["functions"]:
        lines += ["", "### Tracked functions", ""]
        lines += [f"| function | {header} |", "|---" * (len(roles) + 1) + "|"]
        for function, granted in part["functions"].items():
            cells = ["allowed" if r in granted else "—" for r in roles]
            lines.append(f"| {md.cell(md.code(function))} | " + " | ".join(cells) + " |")
    lines += ["", "### GraphQL schema introspection", ""]
    lines += [f"| | {header} |", "|---" * (len(roles) + 1) + "|"]
    cells = ["on" if part["introspection"][r] else "off" for r in roles]
    lines += ["| introspection | " + " | ".join(cells) + " |", ""]
    if part.get("remote_schemas"):
        lines += ["### Hasura remote schemas (fields each role's schema has)", ""]
        lines += [f"| remote schema | {header} |", "|---" * (len(roles) + 1) + "|"]
        for name, granted in part["remote_schemas"].items():
            cells = [_remote_cell(granted.get(r)) for r in roles]
            lines.append(f"| {md.cell(md.code(name))} | " + " | ".join(cells) + " |")
        lines.append("")
    if part.get("inherited_roles"):
        lines += ["### Hasura inherited roles (`combines`)", ""]
        lines += [
            f"- {md.code(role)}: derived by Hasura from " + ", ".join(md.code(p) for p in parents)
            for role, parents in part["inherited_roles"].items()
        ]
        lines.append("")
    return lines


def surface_html(part: dict[str, Any] | None, roles: list[str]) -> str:
    """A static list under the grid (not a table: the grid's script owns every table row):
    each action with the roles that may call it, and the roles without introspection."""
    if part is None:
        return ""
    items = []
    for action, granted in part["actions"].items():
        who = ", ".join(html.escape(r) for r in roles if r in granted) or "no role"
        items.append(f"<li><code>{html.escape(action)}</code>: {who}</li>")
    for function, granted in part["functions"].items():
        who = ", ".join(html.escape(r) for r in roles if r in granted) or "no role"
        items.append(f"<li>function <code>{html.escape(function)}</code>: {who}</li>")
    off = [html.escape(r) for r in roles if not part["introspection"][r]]
    items.append(f"<li>schema introspection off for: {', '.join(off) or 'no role'}</li>")
    for name, granted in (part.get("remote_schemas") or {}).items():
        who = ", ".join(
            f"{html.escape(r)} ({_remote_cell(granted[r])})" for r in roles if r in granted
        )
        items.append(f"<li>remote schema <code>{html.escape(name)}</code>: {who or 'no role'}</li>")
    items += [f"<li>{html.escape(line)}</li>" for line in _inherited_lines(part)]
    return (
        '<section id="surface"><h2>Hasura actions, functions and introspection</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


def surface_rows(part: dict[str, Any] | None, roles: list[str]) -> list[list[str]]:
    """The text matrix's rows: a header, one row per action, the introspection row."""
    if part is None:
        return []
    rows = [["action", *roles]]
    for action, granted in part["actions"].items():
        rows.append([action, *("allowed" if r in granted else "—" for r in roles)])
    for function, granted in part["functions"].items():
        rows.append([f"function {function}", *("allowed" if r in granted else "—" for r in roles)])
    rows.append(["introspection", *("on" if part["introspection"][r] else "off" for r in roles)])
    for name, granted in (part.get("remote_schemas") or {}).items():
        rows.append([f"remote schema {name}", *(_remote_cell(granted.get(r)) for r in roles)])
    combines = part.get("inherited_roles", {})
    if combines:  # the parents Hasura derives each `combines` role from
        rows.append(["combines", *("+".join(combines.get(r, ())) or "—" for r in roles)])
    return rows
