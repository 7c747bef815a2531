"""The matrix's part for Hasura actions and introspection: role x action, and per role whether
it may introspect the GraphQL schema."""

from __future__ import annotations

import html
from typing import Any

from hasura_perm.report import md


def surface_part(surface: Any, roles: list[str]) -> dict[str, Any] | None:
    """None when the project manages no action and disables no introspection."""
    if surface is None or not (surface.actions or surface.introspection_disabled):
        return None
    grants = {
        action: {
            role: {"origin": g.origin, "location": str(g.location), "comment": g.comment}
            for role, g in surface.grants.get(action, {}).items()
            if role in roles
        }
        for action in surface.actions
    }
    disabled = set(surface.introspection_disabled)
    return {
        "actions": grants,
        "introspection": {role: role not in disabled for role in roles},
    }


def surface_markdown(part: dict[str, Any] | None, roles: list[str]) -> list[str]:
    if part is None:
        return []
    header = " | ".join(md.cell(md.code(r)) for r in roles)
    lines = ["### Hasura actions", ""]
    lines += [f"| action | {header} |", "|---" * (len(roles) + 1) + "|"]
    for action, granted in part["actions"].items():
        cells = ["allowed" if r in granted else "—" for r in roles]
        lines.append(f"| {md.cell(md.code(action))} | " + " | ".join(cells) + " |")
    lines += ["", "### GraphQL schema introspection", ""]
    lines += [f"| | {header} |", "|---" * (len(roles) + 1) + "|"]
    cells = ["on" if part["introspection"][r] else "off" for r in roles]
    lines += ["| introspection | " + " | ".join(cells) + " |", ""]
    return lines


NONE = "\u00b7"  # no permission, as in the grid


def surface_html(part: dict[str, Any] | None, roles: list[str]) -> str:
    """A static table under the grid: role x action, and the introspection row."""
    if part is None:
        return ""
    head = "".join(f"<th>{html.escape(r)}</th>" for r in roles)
    rows = []
    for action, granted in part["actions"].items():
        cells = "".join(f"<td>{'allowed' if r in granted else NONE}</td>" for r in roles)
        rows.append(f"<tr><th>{html.escape(action)}</th>{cells}</tr>")
    cells = "".join(f"<td>{'on' if part['introspection'][r] else 'off'}</td>" for r in roles)
    rows.append(f"<tr><th>schema introspection</th>{cells}</tr>")
    return (
        '<section id="surface"><h2>Hasura actions and introspection</h2>'
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></section>"
    )
