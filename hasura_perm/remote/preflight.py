"""Plan's pre-flight: every relationship and computed field the permissions to be sent use
must exist on the server, or Hasura refuses the request (or, worse, an apply of a partial
set of changes would leave metadata/ and the server disagreeing about what a rule means).

The relationships the rules use are read from the compiled permissions, walking their
boolean expressions with the project's catalog (the local metadata's relationships); each is
then looked up in the server's exported table entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hasura_perm.boolexp.walk import exists_parts
from hasura_perm.boolexp.walk import parts
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_ref
from hasura_perm.metadata.export_json import source_of
from hasura_perm.schema.catalog import Catalog


@dataclass(frozen=True, order=True)
class Use:
    table: TableName  # where the field must exist
    name: str
    kind: str  # "relationship" | "computed field"
    rule: str  # "public.documents select for user", the first rule using it

    def __str__(self) -> str:
        return f"{self.kind} `{self.name}` on {self.table} (used by {self.rule})"


def fields_used(
    catalog: Catalog, table: TableName, action: str, role: str, body: dict[str, Any]
) -> list[Use]:
    """The relationships and computed fields one permission body uses."""
    rule = f"{table} {action} for {role}"
    uses: list[Use] = []
    for key in ("filter", "check"):
        if isinstance(body.get(key), dict):
            _walk(catalog, table, body[key], rule, uses)
    for name in body.get("computed_fields") or ():
        uses.append(Use(table, name, "computed field", rule))
    return uses


def _walk(catalog: Catalog, table: TableName, expr: Any, rule: str, uses: list[Use]) -> None:
    snapshot_table = catalog.table(table)
    columns = snapshot_table.columns if snapshot_table else {}
    for key, value in parts(expr):
        if key == "_exists":
            target, where = exists_parts(value)
            if target is not None:
                _walk(catalog, target, where, rule, uses)
        elif key.startswith("_") or key in columns:
            continue
        elif key in catalog.relationships.get(table, {}):
            uses.append(Use(table, key, "relationship", rule))
            target = catalog.relationships[table][key].target
            if target is not None:
                _walk(catalog, target, value, rule, uses)
        elif key in catalog.computed_fields.get(table, ()):
            uses.append(Use(table, key, "computed field", rule))


def server_fields(source_entry: dict[str, Any]) -> dict[TableName, set[tuple[str, str]]]:
    """(kind, name) of every relationship and computed field per table on the server."""
    out: dict[TableName, set[tuple[str, str]]] = {}
    for entry in source_entry.get("tables") or ():
        table = table_ref(entry.get("table"), dotted=True)
        if table is None:
            continue
        found = out.setdefault(table, set())
        for key in ("object_relationships", "array_relationships"):
            found |= {("relationship", r.get("name")) for r in entry.get(key) or ()}
        found |= {("computed field", c.get("name")) for c in entry.get("computed_fields") or ()}
    return out


def missing_on_server(uses: list[Use], source_entry: dict[str, Any]) -> list[Use]:
    """The uses the server cannot satisfy, one per (table, kind, name)."""
    server = server_fields(source_entry)
    missing: dict[tuple[TableName, str, str], Use] = {}
    for use in uses:
        key = (use.table, use.kind, use.name)
        if (use.kind, use.name) not in server.get(use.table, set()) and key not in missing:
            missing[key] = use
    return sorted(missing.values())


def check_plan(
    catalog: Catalog | None,
    changes: list[Any],
    metadata: dict[str, Any],
    source: str,
    environment: str,
) -> None:
    """Refuse, naming each, when the permissions to be sent use relationships or computed
    fields the server does not have."""
    if catalog is None:
        return
    uses: list[Use] = []
    for change in changes:
        if change.after is not None:
            uses += fields_used(
                catalog, change.table, change.action, change.role, change.after.body
            )
    missing = missing_on_server(uses, source_of(metadata, source))
    if not missing:
        return
    listing = "\n".join(f"  {use}" for use in missing)
    raise HasuraPermError(
        f"{len(missing)} relationship(s) or computed field(s) the rules use do not exist on "
        f"{environment}; nothing was sent:\n{listing}\n"
        "create them on the server first (`hasura metadata apply` of the metadata folder, or "
        "the console): hasura-perm manages permissions, not relationships"
    )
