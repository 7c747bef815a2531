"""The documented normalisation under which an import must reproduce the metadata exactly.

Two permissions are the same when their normal forms are equal. The normal form is
Hasura's export form (export_format.canonical_permission: key order, omitted defaults,
sorted column lists, update `check: null` and absent alike, insert `check: null` as `{}`),
and on top of it:

- `columns: "*"` (and an insert permission without `columns`, which Hasura reads as all
  columns) is the full, sorted column list of the table in the schema snapshot;
- its filter and check in boolexp.normal.exact_form: operators spelled with `$` (`$eq`,
  `$and`) are written with `_` (`_eq`, `_and`), and `_exists: {_table: name}` names its
  table as `{name, schema}` (schema `public` implied);
- duplicate names in a column list count once;
- an empty comment is no comment.

Everything else must be equal as written: `check: {}` and `check: null` on an update stay
different (the import keeps each as it is and reports the inconsistency).
"""

from __future__ import annotations

import json
from typing import Any

from hasura_perm.boolexp.normal import exact_form
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet

# A permission's body and comment in normal form (Permission.stored), compared across tables
# and roles when the import factors rules into defaults and inheritance.
Rule = tuple[dict[str, Any], str | None]


def normal_permission(
    action: str, body: dict[str, Any], comment: str | None, columns: list[str] | None
) -> Rule:
    """The normal form of one permission. `columns`: the table's columns in the snapshot
    (None when the table is not in it; then `*` stays `*`)."""
    body = canonical_permission(action, body)
    if "columns" in body or action == "insert":
        body["columns"] = _column_list(body.get("columns"), columns)
        if action == "insert":  # keep the export's key order: check, set, columns, ...
            body = {k: body[k] for k in _insert_order(body)}
    for key in ("filter", "check"):
        if body.get(key) is not None:
            body[key] = exact_form(body[key])
    return body, (comment or None)


def _insert_order(body: dict[str, Any]) -> list[str]:
    order = ["check", "set", "columns", "backend_only", "validate_input"]
    return [k for k in order if k in body] + [k for k in body if k not in order]


def _column_list(value: Any, columns: list[str] | None) -> Any:
    if value is None or value == "*":
        return sorted(columns) if columns is not None else "*"
    return sorted(set(value))


def normal(permission: Permission, columns: list[str] | None) -> Permission:
    """`permission` in normal form, with nothing but what Hasura stores (no location)."""
    table, action, role = permission.key
    body, comment = normal_permission(action, permission.body, permission.comment, columns)
    return Permission(table, action, role, body, comment)


def normal_set(permissions: PermissionSet, columns_of: dict[TableName, list[str]]) -> PermissionSet:
    """Normalise a whole permission set."""
    return permissions.map(lambda p: normal(p, columns_of.get(p.table)))


def first_difference(expected: PermissionSet, actual: PermissionSet) -> str | None:
    """The first (table, action, role) whose permission differs, described; None if equal."""
    keys = {p.key for side in (expected, actual) for p in side}
    order = list(PERMISSION_KEYS)
    for table, action, role in sorted(keys, key=lambda k: (k[0], order.index(k[1]), k[2])):
        found = expected.get(table, action, role), actual.get(table, action, role)
        want, got = (p.stored if p is not None else None for p in found)
        if want == got:
            continue
        where = f"{table} {action} for {role}"
        if got is None:
            return f"{where}: in the metadata, but the imported permissions grant nothing"
        if want is None:
            return f"{where}: not in the metadata, but the imported permissions grant {_show(got)}"
        return (
            f"{where}: the metadata has {_show(want)}, the imported permissions give {_show(got)}"
        )
    return None


def _show(rule: Rule) -> str:
    body, comment = rule
    text = json.dumps(body, sort_keys=False, ensure_ascii=False)
    return text + (f" with comment {comment!r}" if comment else "")
