"""A function grant is refused when the role cannot select the function's return table.

Hasura builds a function's root field for a role only from the role's select permission on
the return table (`tableSelectPermissions` in GraphQL/Schema/Select.hs): a grant without it
gives the role nothing. `pg_create_function_permission` itself (Hasura/Function/API.hs) only
asks that the role be known to the schema cache (any permission anywhere); its message says
"... has select permission configured for role", and hasura-perm holds the grant to what the
message says, so that a granted function is one the role can call.
"""

from __future__ import annotations

from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.names import TableName
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.schema.snapshot import Snapshot


def function_grant_problems(
    compiled: Compiled, snapshot: Snapshot, meta: MetadataDir
) -> list[Diagnostic]:
    surface = compiled.surface
    problems: list[Diagnostic] = []
    if surface is None:
        return problems
    for name in surface.functions:
        grants = surface.function_grants.get(name, {})
        function = snapshot.functions.get(TableName.parse(name))
        if function is None:
            if grants:
                first = grants[min(grants)]
                problems.append(
                    Diagnostic(
                        first.location,
                        f"function {name} is not in the schema snapshot, so its return table "
                        "is unknown; run `hasura-perm schema pull` (the function must return "
                        "a table's rows: SETOF table, or one row)",
                    )
                )
            continue
        for role, grant in sorted(grants.items()):
            if not can_select(compiled, meta, function.returns, role):
                problems.append(
                    Diagnostic(
                        grant.location,
                        f"{role} may call function {name} ({grant.origin}) but cannot select "
                        f"its return table {function.returns}: Hasura refuses the permission "
                        "(\"function permission can only be added when the function's return "
                        f'table ... has select permission configured for role: "{role}"") '
                        f"and would show the role no field; grant {role} select on "
                        f"{function.returns}, or `deny` the function for {role}",
                    )
                )
    return problems


def can_select(compiled: Compiled, meta: MetadataDir, table: TableName, role: str) -> bool:
    """After this compile: a managed table by its compiled rules, any other by its file."""
    if table in compiled.tables:
        return compiled.permissions.get(table, "select", role) is not None
    found = meta.tables.get(table)
    entries = (found.entry.get("select_permissions") or []) if found else []
    return any(isinstance(p, dict) and p.get("role") == role for p in entries)
