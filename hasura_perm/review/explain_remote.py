"""`explain --remote-schema NAME --role R`: how a role's schema of a Hasura remote schema is
resolved (the role's entry under `remote_schemas:`, else the parents'), and what
remote_schemas.yaml and the server hold for it."""

from __future__ import annotations

from typing import Any

from hasura_perm.compiler.build import Build
from hasura_perm.core import sdl
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.validate import did_you_mean


def explain_remote(result: Build, name: str, role: str) -> dict[str, Any]:
    surface = result.compiled.surface
    if role not in result.compiled.roles:
        hint = did_you_mean(role, result.compiled.roles)
        raise HasuraPermError(f"role `{role}` is not declared{hint}")
    managed = surface.remote_schemas if surface is not None else []
    if surface is None or name not in managed:
        raise HasuraPermError(
            f"remote schema `{name}` is not managed: it has no entry under `remote_schemas:`"
            f"{did_you_mean(name, managed)}"
        )
    grant = surface.remote_grants.get(name, {}).get(role)
    if grant is None:
        return {"remote_schema": name, "role": role, "allowed": False}
    reach = sdl.fields(grant.schema)
    return {
        "remote_schema": name,
        "role": role,
        "allowed": True,
        "origin": grant.origin,
        "location": str(grant.location),
        "schema_file": grant.schema_file,
        "comment": grant.comment,
        "fields": sorted(f"{t}.{f}" for t, f in reach if f),
        "schema": grant.schema,  # as sent to add_remote_schema_permissions
    }


def render_remote_text(e: dict[str, Any]) -> str:
    lines = [f"{e['role']} on remote schema {e['remote_schema']}:"]
    if not e["allowed"]:
        lines.append(
            "  no access: no entry gives a schema (or `deny` stops it), and no parent has one"
        )
        return "\n".join(lines) + "\n"
    source = f", schema in {e['schema_file']}" if e["schema_file"] else ""
    lines.append(f"  role-based schema ({e['origin']}), rule at {e['location']}{source}")
    if e["comment"]:
        lines.append(f"  comment: {e['comment']}")
    lines.append(f"  {len(e['fields'])} field(s): {' '.join(e['fields'])}")
    lines.append("  schema:")
    lines += [f"    {line}" if line else "" for line in e["schema"].rstrip("\n").split("\n")]
    return "\n".join(lines) + "\n"
