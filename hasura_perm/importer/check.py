"""What an import cannot take over (problems: nothing is written), and what looks odd
(oddities: reported, imported as they are).

list[Diagnostic]: a malformed or duplicated block, the role `admin`, a
role name the language cannot hold, a table or column the schema
snapshot does not have, a remote relationship or unknown field in a filter, a value the
language cannot say (checked against its JSON Schema).

Oddities: a role that can write a column it cannot read; "no post-update check" spelled
several ways (`check: {}`, `check: null`, no check); empty comments; `columns: "*"`;
`$`-spelled operators; insert permissions without a check; a column listed twice; one
session variable spelled in several cases; keys Hasura ignores (dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.boolexp.operators import ALL_OPERATORS
from hasura_perm.boolexp.operators import LOGICAL
from hasura_perm.boolexp.operators import spelled
from hasura_perm.boolexp.walk import exists_parts
from hasura_perm.core import validate
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.names import USER_ID
from hasura_perm.core.names import TableName
from hasura_perm.core.names import is_session_variable
from hasura_perm.core.names import session_variable
from hasura_perm.core.yaml_source import Document
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.read import ReadPermission
from hasura_perm.schema.catalog import Catalog

BLOCK_KEYS = frozenset({"role", "permission", "comment"})
BODY_KEYS = {
    "insert": frozenset({"check", "set", "columns", "backend_only", "validate_input"}),
    "select": frozenset(
        {
            "columns",
            "computed_fields",
            "filter",
            "limit",
            "allow_aggregations",
            "query_root_fields",
            "subscription_root_fields",
        }
    ),
    "update": frozenset({"columns", "filter", "check", "set", "backend_only", "validate_input"}),
    "delete": frozenset({"filter", "backend_only", "validate_input"}),
}
_ROLE_NAME = re.compile(r"[^\s,]+")
_UNSAFE_NAME = re.compile(r"[.\s]")
_SESSION_NAME = re.compile(r"[xX]-[hH][aA][sS][uU][rR][aA]-[A-Za-z0-9_-]+")


def place_of(table: TableName, action: str, role: str, block: ReadPermission) -> Location:
    """The block's file and line; for a server export (no lines), which block it is."""
    if block.location is not None and block.line:
        return block.location
    return Location(f"{block.file} ({table} {action} for {role})")


@dataclass
class Oddity:
    kind: str  # a short stable id, e.g. "write-without-read"
    message: str
    locations: list[Location] = field(default_factory=list)


def problems_of(read: ReadMetadata, catalog: Catalog) -> list[Diagnostic]:
    """Everything that stops the import, each at the place in the metadata it comes from."""
    problems: list[Diagnostic] = list(read.problems)
    problems += _role_names(read)
    problems += _names_the_language_cannot_hold(read)
    for table, action, role, block in read.each():
        problems += _block_problems(table, action, role, block, read, catalog)
    return problems


def _names_the_language_cannot_hold(read: ReadMetadata) -> list[Diagnostic]:
    """Table names with dots or spaces, session variables with other characters."""
    out: list[Diagnostic] = []
    for table in read.permissions.tables():
        if any(_UNSAFE_NAME.search(part) for part in table):
            place = read.tables[table].location
            out.append(
                Diagnostic(
                    place, f"table name {table.schema!r}.{table.name!r} has a dot or a space"
                )
            )
    seen: set[str] = set()
    for table, action, role, block in read.each():
        for value in _strings(block.raw):
            legacy = session_variable(value) == USER_ID and not _SESSION_NAME.fullmatch(value)
            if is_session_variable(value) and not legacy and not _SESSION_NAME.fullmatch(value):
                if value.lower() not in seen:
                    seen.add(value.lower())
                    out.append(
                        Diagnostic(
                            place_of(table, action, role, block),
                            f"session variable {value!r} has characters other than letters, "
                            "digits, `-` and `_`",
                        )
                    )
    return out


def _role_names(read: ReadMetadata) -> list[Diagnostic]:
    out = []
    for table, action, role, block in read.each():
        if role == "admin":
            out.append(
                Diagnostic(
                    place_of(table, action, role, block),
                    f"{table}: a {action} permission for role `admin`, Hasura's superuser (Hasura "
                    "ignores it); delete the block and import again",
                )
            )
        elif not _ROLE_NAME.fullmatch(role):
            out.append(
                Diagnostic(
                    place_of(table, action, role, block),
                    f"role name {role!r} has spaces or commas, which roles cannot have",
                )
            )
    return out


def _block_problems(
    table: TableName,
    action: str,
    role: str,
    block: ReadPermission,
    read: ReadMetadata,
    catalog: Catalog,
) -> list[Diagnostic]:
    place = place_of(table, action, role, block)
    prefix = f"{table} {action} for {role}"
    out: list[Diagnostic] = []
    info = catalog.table(table)
    if info is None:
        out.append(
            Diagnostic(
                place,
                f"{prefix}: table {table} is not in the schema snapshot; pull a fresh snapshot "
                "(hasura-perm schema pull) or untrack the table",
            )
        )
        return out
    out += _column_problems(prefix, place, block, list(info.columns))
    if action == "select":  # elsewhere Hasura ignores `computed_fields` (an oddity)
        known = catalog.computed_fields.get(table, set())
        out += _computed_field_problems(prefix, place, block, known)
    remote = _remote_relationships(read.tables[table].entry) if table in read.tables else set()
    for key in ("filter", "check"):
        expr = block.raw.get(key)
        if expr is not None:
            walker = _ExprWalker(catalog, read, prefix, key, place)
            walker.walk(expr, table, remote)
            out += walker.problems
    out += _shape_problems(prefix, place, action, block)
    return out


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _column_problems(
    prefix: str, where: Location, block: ReadPermission, columns: list[str]
) -> list[Diagnostic]:
    out = []
    listed = block.raw.get("columns")
    if isinstance(listed, list):
        missing = [c for c in listed if c not in columns]
        if missing:
            out.append(
                Diagnostic(
                    where, f"{prefix}: column(s) {_names(missing)} not in the schema snapshot"
                )
            )
    elif listed is not None and listed != "*":
        out.append(Diagnostic(where, f'{prefix}: `columns` must be a list or "*", not {listed!r}'))
    preset = block.raw.get("set")
    if isinstance(preset, dict):
        missing = [c for c in preset if c not in columns]
        if missing:
            out.append(
                Diagnostic(
                    where,
                    f"{prefix}: preset column(s) {_names(missing)} not in the schema snapshot",
                )
            )
    return out


def _computed_field_problems(
    prefix: str, where: Location, block: ReadPermission, known: set[str]
) -> list[Diagnostic]:
    fields = block.raw.get("computed_fields") or []
    missing = [f for f in fields if f not in known] if isinstance(fields, list) else []
    if missing:
        return [
            Diagnostic(
                where, f"{prefix}: computed field(s) {_names(missing)} not in the table's metadata"
            )
        ]
    return []


def _remote_relationships(entry: dict[str, Any]) -> set[str]:
    found = entry.get("remote_relationships") or []
    return {n for r in found if isinstance(r, dict) and isinstance(n := r.get("name"), str)}


class _ExprWalker:
    """Finds the fields of a boolean expression the compiler could not check or express."""

    def __init__(
        self, catalog: Catalog, read: ReadMetadata, prefix: str, key: str, where: Location
    ) -> None:
        self.catalog, self.read, self.prefix, self.key, self.where = (
            catalog,
            read,
            prefix,
            key,
            where,
        )
        self.problems: list[Diagnostic] = []

    def report(self, message: str) -> None:
        self.problems.append(Diagnostic(self.where, f"{self.prefix}: `{self.key}` {message}"))

    def walk(self, expr: Any, table: TableName, remote: set[str]) -> None:
        if not isinstance(expr, dict):
            self.report(f"holds {expr!r} where a boolean expression belongs")
            return
        for key, value in expr.items():
            name = spelled(key)
            if name in LOGICAL:
                self._logical(name, value, table, remote)
            else:
                self._field(key, value, table, remote)

    def _logical(self, name: str, value: Any, table: TableName, remote: set[str]) -> None:
        if name == "_not":
            self.walk(value, table, remote)
        elif name == "_exists":
            target = exists_parts(value)[0]
            if target is not None and self.catalog.table(target) is None:
                target = target.beside(table)  # several sources: the permission's own
            if target is None or self.catalog.table(target) is None:
                self.report(
                    f"uses `_exists` on {target or repr(value)}, which is not in the schema "
                    "snapshot"
                )
                return
            self.walk(value.get("_where", {}), target, self._remote_of(target))
        elif isinstance(value, list):
            for item in value:
                self.walk(item, table, remote)
        else:
            self.report(f"has `{name}` with {value!r}, where a list belongs")

    def _field(self, key: str, value: Any, table: TableName, remote: set[str]) -> None:
        info = self.catalog.table(table)
        if info is not None and key in info.columns:
            if isinstance(value, dict):
                unknown = [op for op in value if spelled(op) not in ALL_OPERATORS]
                if unknown:
                    self.report(
                        f"uses unknown operator(s) {_names(unknown)} on column `{key}` of {table}"
                    )
            return
        relationship = self.catalog.relationships.get(table, {}).get(key)
        if relationship is not None:
            if relationship.target is not None and self.catalog.table(relationship.target):
                self.walk(value, relationship.target, self._remote_of(relationship.target))
            return
        if key in self.catalog.computed_fields.get(table, ()):
            return
        if key in remote:
            self.report(
                f"goes through remote relationship `{key}` of {table}, which hasura-perm cannot "
                "check or express yet"
            )
            return
        self.report(
            f"names `{key}`, which is not a column, relationship or computed field of {table}"
        )

    def _remote_of(self, table: TableName) -> set[str]:
        read_table = self.read.tables.get(table)
        return _remote_relationships(read_table.entry) if read_table else set()


def _shape_problems(
    prefix: str, where: Location, action: str, block: ReadPermission
) -> list[Diagnostic]:
    """Values the language has no way to say (a preset holding a list, `limit: 0`, ...)."""
    rule = {k: v for k, v in block.raw.items() if k in BODY_KEYS[action]}
    rule["columns"] = []  # checked against the snapshot by _column_problems
    rule.setdefault("filter" if action != "insert" else "check", {})
    if action == "insert" and rule.get("check") is None:
        rule["check"] = {}
    if action == "update" and rule.get("check") is None:
        rule.pop("check", None)
    for key in ("filter", "check"):
        if key in rule:
            rule[key] = {}  # expressions are checked by the walker and the compiler
    if action == "delete":
        rule.pop("columns", None)
    if block.comment:
        rule["comment"] = block.comment
    for key in ("allow_aggregations", "backend_only"):
        if rule.get(key) is None:
            rule.pop(key, None)
    found = validate.check(Document(where.file, rule), "permissions", f"{action}_rule")
    return [Diagnostic(where, f"{prefix}: cannot be expressed: {d.message}") for d in found]


# ---------------------------------------------------------------------------- oddities


def oddities_of(read: ReadMetadata, columns_of: dict[TableName, list[str]]) -> list[Oddity]:
    found: list[Oddity] = []
    found += _write_without_read(read, columns_of)
    found += _update_check_spellings(read)
    found += _simple(
        read,
        "empty-comment",
        'empty comment (`comment: ""`); imported as no comment',
        _empty_comment,
    )
    found += _simple(
        read,
        "all-columns-star",
        'columns: "*" grants every column, also ones added later; imported as today\'s columns',
        lambda a, b: b.raw.get("columns") == "*",
    )
    found += _simple(
        read,
        "insert-without-columns",
        "insert permission without `columns` (Hasura reads it as every column); imported as today's columns",
        lambda a, b: a == "insert" and "columns" not in b.raw,
    )
    found += _simple(
        read,
        "dollar-operator",
        "operators spelled with `$` (e.g. `$eq`); imported with `_`",
        lambda a, b: _has_dollar(b.raw.get("filter")) or _has_dollar(b.raw.get("check")),
    )
    found += _simple(
        read,
        "insert-check-null",
        "insert permission with `check: null` or no check (Hasura reads it as `{}`); imported as `check: {}`",
        lambda a, b: a == "insert" and b.raw.get("check") is None,
    )
    found += _simple(
        read,
        "duplicate-column",
        "a column listed twice; imported once",
        lambda a, b: (
            isinstance(b.raw.get("columns"), list)
            and len(set(b.raw["columns"])) != len(b.raw["columns"])
        ),
    )
    found += _session_spellings(read)
    found += _ignored_keys(read)
    return [o for o in found if o.locations]


def _ignored_keys(read: ReadMetadata) -> list[Oddity]:
    """Keys Hasura's parsers skip (its FromJSON instances for PermDef, InsPerm, SelPerm,
    UpdPerm and DelPerm read only their own keys and ignore the rest, e.g. `computed_fields`
    in an insert permission): they have no effect, so the import drops them."""
    out = []
    for table, action, role, block in read.each():
        unknown = sorted(set(block.entry) - BLOCK_KEYS)
        unknown_body = sorted(set(block.raw) - BODY_KEYS[action])
        parts = []
        if unknown:
            parts.append(f"{_names(unknown)} in the permission block")
        if unknown_body:
            parts.append(f"{_names(unknown_body)} in the {action} permission")
        if parts:
            message = (
                f"{table} {action} for {role}: key(s) {' and '.join(parts)}, which Hasura "
                "ignores; dropped (no effect on what the role may do)"
            )
            out.append(Oddity("ignored-key", message, [place_of(table, action, role, block)]))
    return out


def _empty_comment(action: str, block: ReadPermission) -> bool:
    return block.comment is not None and not block.comment.strip()


def _simple(read: ReadMetadata, kind: str, message: str, test: Any) -> list[Oddity]:
    locations = [place_of(t, a, r, b) for t, a, r, b in read.each() if test(a, b)]
    return [
        Oddity(kind, f"{len(locations)} {_plural(len(locations), 'block')}: {message}", locations)
    ]


def _plural(n: int, word: str) -> str:
    return word if n == 1 else f"{word}s"


def _write_without_read(read: ReadMetadata, columns_of: dict[TableName, list[str]]) -> list[Oddity]:
    out = []
    for table in read.permissions.tables():
        all_columns = columns_of.get(table, [])
        for role in sorted({p.role for p in read.permissions.on(table)}):
            select = read.block(table, "select", role)
            readable = set(_columns(select, all_columns)) if select else set()
            for action in ("insert", "update"):
                block = read.block(table, action, role)
                if block is None:
                    continue
                hidden = [c for c in _columns(block, all_columns) if c not in readable]
                if not hidden:
                    continue
                if select is None:
                    what = f"can {action} {table} but has no select permission on it"
                else:
                    what = (
                        f"can {action} column(s) {_names(hidden)} of {table} but cannot select them"
                    )
                place = place_of(table, action, role, block)
                out.append(Oddity("write-without-read", f"role {role} {what}", [place]))
    return out


def _columns(block: ReadPermission, all_columns: list[str]) -> list[str]:
    listed = block.raw.get("columns", "*")
    if listed == "*":
        return list(all_columns)
    return [c for c in listed or () if isinstance(c, str)]  # `columns: null` lists none


def _update_check_spellings(read: ReadMetadata) -> list[Oddity]:
    styles: dict[str, list[Location]] = {}
    for table, action, role, block in read.each():
        if action != "update":
            continue
        place = place_of(table, action, role, block)
        if "check" not in block.raw:
            styles.setdefault("no `check`", []).append(place)
        elif block.raw["check"] is None:
            styles.setdefault("`check: null`", []).append(place)
        elif block.raw["check"] == {}:
            styles.setdefault("`check: {}`", []).append(place)
    if len(styles) < 2:
        return []
    parts = ", ".join(
        f"{style} {len(locs)} times (first at {locs[0]})" for style, locs in sorted(styles.items())
    )
    message = (
        f'update permissions say "no post-update check" in {len(styles)} ways: {parts}; '
        "Hasura treats them alike, the import keeps each as written"
    )
    return [
        Oddity("update-check-spellings", message, [loc for locs in styles.values() for loc in locs])
    ]


def _has_dollar(expr: Any) -> bool:
    if isinstance(expr, dict):
        return any(k.startswith("$") or _has_dollar(v) for k, v in expr.items())
    if isinstance(expr, list):
        return any(_has_dollar(v) for v in expr)
    return False


def _session_spellings(read: ReadMetadata) -> list[Oddity]:
    spellings: dict[str, set[str]] = {}
    places: dict[str, list[Location]] = {}
    for table, action, role, block in read.each():
        for value in _strings(block.raw):
            name = session_variable(value)
            if name is not None:
                spellings.setdefault(name, set()).add(value)
                places.setdefault(name, []).append(place_of(table, action, role, block))
    out = []
    for name, seen in sorted(spellings.items()):
        if len(seen) > 1:
            shown = ", ".join(sorted(seen))
            message = f"session variable {name} is spelled {len(seen)} ways ({shown}); Hasura ignores case"
            out.append(Oddity("session-variable-case", message, places[name]))
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []
