"""`explain --hasura-action NAME --role R` (and `--hasura-function NAME`): how a role's
permission to call a Hasura action or a tracked function is resolved (the entry naming it,
else the most specific matching pattern, else the parents'), and what Hasura holds for it."""

from __future__ import annotations

from typing import Any

from hasura_perm.compiler.build import Build
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.validate import did_you_mean
from hasura_perm.review.surface_matrix import derived_actions


def explain_action(result: Build, action: str, role: str) -> dict[str, Any]:
    surface = result.compiled.surface
    if role not in result.compiled.roles:
        hint = did_you_mean(role, result.compiled.roles)
        raise HasuraPermError(f"role `{role}` is not declared{hint}")
    if surface is None or action not in surface.actions:
        managed = surface.actions if surface is not None else []
        hint = did_you_mean(action, managed)
        raise HasuraPermError(
            f"action `{action}` is not managed: no entry under `actions:` matches it{hint}"
        )
    grant = surface.grants.get(action, {}).get(role)
    combines = dict(getattr(surface, "combines", None) or {})
    derived = derived_actions(surface.grants.get(action, {}), combines).get(role)
    if grant is None and derived:  # a `combines` role: Hasura grants it when a parent may
        return {
            "action": action,
            "role": role,
            "allowed": True,
            "origin": f"derived by Hasura from {', '.join(derived)}",
            "location": None,
            "permission": None,  # nothing in actions.yaml: the server derives it
        }
    if grant is None:
        return {"action": action, "role": role, "allowed": False}
    entry = {"role": role} if grant.comment is None else {"role": role, "comment": grant.comment}
    return {
        "action": action,
        "role": role,
        "allowed": True,
        "origin": grant.origin,
        "location": str(grant.location),
        "permission": entry,  # as actions.yaml and the export hold it
    }


def render_action_text(e: dict[str, Any]) -> str:
    lines = [f"{e['role']} calling action {e['action']}:"]
    if not e["allowed"]:
        lines.append("  not allowed: no entry grants it (or `deny` stops it), and no parent has it")
        return "\n".join(lines) + "\n"
    if e["permission"] is None:
        lines.append(f"  allowed ({e['origin']} at request time; nothing in actions.yaml)")
        return "\n".join(lines) + "\n"
    lines += [
        f"  allowed ({e['origin']}), rule at {e['location']}",
        f"  actions.yaml: permissions: [{_entry(e['permission'])}]",
    ]
    return "\n".join(lines) + "\n"


def _entry(entry: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in entry.items()).join("{}")


def explain_function(result: Build, function: str, role: str) -> dict[str, Any]:
    surface = result.compiled.surface
    if role not in result.compiled.roles:
        hint = did_you_mean(role, result.compiled.roles)
        raise HasuraPermError(f"role `{role}` is not declared{hint}")
    name = str(TableName.parse(function))
    managed = surface.functions if surface is not None else []
    if surface is None or name not in surface.functions:
        hint = did_you_mean(name, managed)
        raise HasuraPermError(
            f"function `{name}` is not managed: no entry under `functions:` matches it{hint}"
        )
    snapshot = result.catalog.snapshot if result.catalog is not None else None
    found = snapshot.functions.get(TableName.parse(name)) if snapshot is not None else None
    returns = str(found.returns) if found is not None else None
    grant = surface.function_grants.get(name, {}).get(role)
    out: dict[str, Any] = {"function": name, "role": role, "returns": returns}
    if grant is None:
        return {**out, "allowed": False}
    return {
        **out,
        "allowed": True,
        "origin": grant.origin,
        "location": str(grant.location),
        "permission": {"role": role},  # as the function's file and the export hold it
    }


def render_function_text(e: dict[str, Any]) -> str:
    lines = [f"{e['role']} calling function {e['function']} (returns {e['returns']}):"]
    if not e["allowed"]:
        lines.append("  not allowed: no entry grants it (or `deny` stops it), and no parent has it")
        return "\n".join(lines) + "\n"
    lines += [
        f"  allowed ({e['origin']}), rule at {e['location']}",
        f"  function file: permissions: [{_entry(e['permission'])}]",
        f"  the rows it returns are filtered by {e['role']}'s select rule on {e['returns']}",
    ]
    return "\n".join(lines) + "\n"
