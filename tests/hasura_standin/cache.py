"""The schema cache, reduced to what matters here: which metadata objects are inconsistent with the
live catalog, and why (`InconsistentMetadata`, Hasura/RQL/Types/SchemaCache.hs).

Build order as the server's: tables, then relationships (field maps), then permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import boolexp
from . import permissions
from .boolexp import FieldInfo
from .boolexp import SemanticError
from .boolexp import dquote
from .boolexp import table_text
from .catalog import Catalog
from .catalog import QualifiedName
from .catalog import TableCatalog
from .metadata import table_key

CatalogLoader = Callable[[str], Catalog | None]  # source name -> catalog, None if unreachable


@dataclass
class Inconsistency:
    object_id: tuple[str, ...]
    type: str
    name: str
    reason: str
    definition: Any

    def to_json(self) -> dict[str, Any]:
        # An aeson `object`, so its keys come out sorted.
        return {
            "definition": self.definition,
            "name": self.name,
            "reason": self.reason,
            "type": self.type,
        }


def reason(text: str) -> str:
    """`imReason` of an InconsistentObject in newer servers."""
    return f"Inconsistent object: {text}"


def permission_id(source: str, table: QualifiedName, role: str, perm_type: str) -> tuple[str, ...]:
    return ("permission", source, *table, role, perm_type)


def table_id(source: str, table: QualifiedName) -> tuple[str, ...]:
    return ("table", source, *table)


def build(metadata: dict[str, Any], load: CatalogLoader) -> list[Inconsistency]:
    found: list[Inconsistency] = []
    for source in metadata["sources"]:
        catalog = load(source["name"])
        if catalog is None:
            found.append(_source_unreachable(source))
            continue
        found.extend(_build_source(source, catalog))
    return found


def _source_unreachable(source: dict[str, Any]) -> Inconsistency:
    definition = boolexp.sort_keys({k: v for k, v in source.items() if k != "tables"})
    # GUESS: the server records the error of its connection attempt (libpq's text, through
    # resolveSourceConfig), which its source cannot tell; the stand-in only knows that it was
    # given no database for this source.
    return Inconsistency(
        ("source", source["name"]),
        "source",
        f"source {source['name']}",
        reason("connection error"),
        definition,
    )


def _build_source(source: dict[str, Any], catalog: Catalog) -> list[Inconsistency]:
    name = source["name"]
    found: list[Inconsistency] = []
    tables = {}
    for table in source["tables"]:
        key = table_key(table)
        if key in catalog:
            tables[key] = table
        else:
            message = f"no such table/view exists in source: {dquote(table_text(key))}"
            found.append(
                Inconsistency(
                    table_id(name, key),
                    "table",
                    f"table {table_text(key)} in source {name}",
                    reason(message),
                    boolexp.table_json(key),
                )
            )
    field_maps = _field_maps(name, tables, catalog, found)
    for key, table in tables.items():
        found.extend(_build_permissions(name, key, table, field_maps, catalog[key]))
    return found


def _field_maps(
    source: str,
    tables: dict[QualifiedName, dict[str, Any]],
    catalog: Catalog,
    found: list[Inconsistency],
) -> dict[QualifiedName, dict[str, FieldInfo]]:
    maps = {
        key: {col: FieldInfo("column", col_type) for col, col_type in catalog[key].columns.items()}
        for key in tables
    }
    for key, table in tables.items():
        for rel_type in ("object", "array"):
            for rel in table.get(f"{rel_type}_relationships") or []:
                target, problem = _relationship_target(rel_type, rel, key, catalog)
                if problem is None and target not in tables:
                    problem = f"table {dquote(table_text(target))} is not tracked"
                if problem is None:
                    maps[key][rel["name"]] = FieldInfo("relationship", target=target)
                else:
                    found.append(_relationship_inconsistency(source, key, rel_type, rel, problem))
    return maps


def _relationship_inconsistency(
    source: str, table: QualifiedName, rel_type: str, rel: dict[str, Any], problem: str
) -> Inconsistency:
    definition = boolexp.sort_keys(
        {
            "comment": rel.get("comment"),
            "name": rel["name"],
            "source": source,
            "table": boolexp.table_json(table),
            "using": rel.get("using"),
        }
    )
    return Inconsistency(
        ("relationship", source, *table, rel["name"]),
        f"{rel_type}_relation",
        f"{rel_type}_relation {rel['name']} in table {table_text(table)} in source {source}",
        reason(problem),
        definition,
    )


def _relationship_target(
    rel_type: str, rel: dict[str, Any], table: QualifiedName, catalog: Catalog
) -> tuple[QualifiedName, str | None]:
    using = rel.get("using") or {}
    if "manual_configuration" in using:
        remote = using["manual_configuration"].get("remote_table")
        return boolexp.parse_table_name(remote, []), None
    fk_on = using.get("foreign_key_constraint_on")
    if isinstance(fk_on, dict) and "table" in fk_on:
        return boolexp.parse_table_name(fk_on["table"], []), None
    # getRequiredFkey (RQL/DDL/Relationship.hs): the one key on exactly these columns (as a set).
    columns = set(_fk_columns(fk_on))
    found = [fk for fk in catalog[table].foreign_keys if set(fk.columns) == columns]
    if len(found) == 1:
        return found[0].ref_table, None
    if not found:
        return table, "no foreign constraint exists on the given column(s)"
    return table, "more than one foreign key constraint exists on the given column(s)"


def _fk_columns(fk_on: Any) -> list[str]:
    if isinstance(fk_on, str):
        return [fk_on]
    if isinstance(fk_on, dict):
        value = fk_on.get("columns", fk_on.get("column", []))
        return [value] if isinstance(value, str) else list(value)
    return list(fk_on or [])


def _build_permissions(
    source: str,
    key: QualifiedName,
    table: dict[str, Any],
    field_maps: dict[QualifiedName, dict[str, FieldInfo]],
    info: TableCatalog,
) -> list[Inconsistency]:
    found = []
    computed = {cf.get("name") for cf in table.get("computed_fields") or []}
    context = permissions.TableContext(source, key, field_maps.get, computed, info)
    for perm_type in permissions.PERM_TYPES:
        for entry in table.get(f"{perm_type}_permissions") or []:
            problem = permission_problem(perm_type, entry, context)
            if problem is not None:
                found.append(_permission_inconsistency(source, key, perm_type, entry, problem))
    return found


def permission_problem(
    perm_type: str, entry: dict[str, Any], context: permissions.TableContext
) -> str | None:
    """The full reason text (`addTableContext . addPermContext`), or None when it builds."""
    role, table = entry["role"], context.table
    try:
        if role == "admin":
            raise SemanticError("cannot define permission for admin role")
        permissions.check_permission(perm_type, entry["permission"], role, context)
    except SemanticError as err:
        return f"in table {dquote(table_text(table))}: in permission for role {dquote(role)}: {err}"
    return None


def _permission_inconsistency(
    source: str, table: QualifiedName, perm_type: str, entry: dict[str, Any], problem: str
) -> Inconsistency:
    definition = boolexp.sort_keys(
        {
            "comment": entry.get("comment"),
            "permission": permissions.export_body(perm_type, entry["permission"]),
            "role": entry["role"],
            "source": source,
            "table": boolexp.table_json(table),
        }
    )
    return Inconsistency(
        permission_id(source, table, entry["role"], perm_type),
        f"{perm_type}_permission",
        f"{perm_type}_permission {entry['role']} in table {table_text(table)} in source {source}",
        reason(problem),
        definition,
    )
