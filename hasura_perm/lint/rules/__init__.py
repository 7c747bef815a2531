"""Every lint rule, one module each. A rule module has:

- a docstring: a one-line summary, the rationale, `Fails:`, `Passes:` and `Fix:` (it is
  the user documentation: docs/lint.md is generated from it);
- `ID` (kebab-case), `LEVEL` (default severity: "error", "warning" or "info"),
  `OPTIONS` (name -> default; config may override), `NEEDS` (facts the rule cannot work
  without: "schema", "session", "roles", "views", "project", or a table mark);
- `check(ctx, options)`: a generator of Problems, without rule id or level.
"""

from __future__ import annotations

from types import ModuleType

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.validate import did_you_mean
from hasura_perm.lint.rules import action_hides_table
from hasura_perm.lint.rules import admin_role_permission
from hasura_perm.lint.rules import aggregation_leak
from hasura_perm.lint.rules import append_only_modified
from hasura_perm.lint.rules import audit_column_writable
from hasura_perm.lint.rules import backend_only_bypass
from hasura_perm.lint.rules import filter_reaches_hidden_table
from hasura_perm.lint.rules import inconsistent_check
from hasura_perm.lint.rules import insert_owner_unchecked
from hasura_perm.lint.rules import introspection_for_anonymous
from hasura_perm.lint.rules import missing_limit
from hasura_perm.lint.rules import new_column_exposed
from hasura_perm.lint.rules import owned_rows_writable
from hasura_perm.lint.rules import ownership_takeover
from hasura_perm.lint.rules import preset_column_writable
from hasura_perm.lint.rules import primary_key_writable
from hasura_perm.lint.rules import remote_preset_unemitted
from hasura_perm.lint.rules import role_not_grantable
from hasura_perm.lint.rules import secret_column_readable
from hasura_perm.lint.rules import unemitted_session_variable
from hasura_perm.lint.rules import unfiltered_select
from hasura_perm.lint.rules import unfiltered_write
from hasura_perm.lint.rules import unknown_column
from hasura_perm.lint.rules import unused_definition
from hasura_perm.lint.rules import unused_role
from hasura_perm.lint.rules import unused_session_variable
from hasura_perm.lint.rules import view_bypass
from hasura_perm.lint.rules import write_without_select

# In documentation order: row-level gaps, takeover, provenance, identity, exposure,
# reachability, session and roles, hygiene.
RULES: dict[str, ModuleType] = {
    m.ID: m
    for m in (
        unfiltered_select,
        unfiltered_write,
        owned_rows_writable,
        ownership_takeover,
        preset_column_writable,
        audit_column_writable,
        primary_key_writable,
        insert_owner_unchecked,
        secret_column_readable,
        new_column_exposed,
        aggregation_leak,
        missing_limit,
        write_without_select,
        view_bypass,
        filter_reaches_hidden_table,
        action_hides_table,
        introspection_for_anonymous,
        unemitted_session_variable,
        remote_preset_unemitted,
        role_not_grantable,
        unused_role,
        unused_definition,
        unused_session_variable,
        backend_only_bypass,
        append_only_modified,
        unknown_column,
        inconsistent_check,
        admin_role_permission,
    )
}


def get(rule_id: str) -> ModuleType:
    if rule_id not in RULES:
        hint = did_you_mean(rule_id, list(RULES))
        raise HasuraPermError(f"no such lint rule: {rule_id!r}{hint}")
    return RULES[rule_id]
