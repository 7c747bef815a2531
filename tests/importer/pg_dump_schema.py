"""A schema snapshot from `pg_dump --schema-only` text, without a database.

Why a parser: the Moped corpus's schema.sql needs PostGIS, which is not installed here and
cannot be installed in CI (postgresql-15-postgis-3 is not available to .ci/run). Loading it
with the PostGIS statements stripped would lose the geography columns and every view built
on ST_* functions (views hold a third of Moped's permissions). pg_dump's output is regular
enough to read what a snapshot needs: CREATE TABLE (with INHERITS), CREATE VIEW select
lists, and ALTER TABLE ... ADD CONSTRAINT primary, unique and foreign keys.

View column types are taken from an explicit `::type` cast or from the column of the same
name on the table the expression reads; otherwise they are `unknown` (only operator checks
use types, and views are rarely filtered by operator in permissions).
"""

from __future__ import annotations

import re
from typing import Any

_IDENT = r'(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)'
_QUALIFIED = rf"({_IDENT})\.({_IDENT})"
_CREATE_TABLE = re.compile(rf"CREATE (?:UNLOGGED )?TABLE {_QUALIFIED} \((.*)$", re.S)
_CREATE_VIEW = re.compile(rf"CREATE (?:MATERIALIZED )?VIEW {_QUALIFIED} AS\s+(.*)$", re.S)
_ALTER = re.compile(rf"ALTER TABLE (?:ONLY )?{_QUALIFIED}\s+ADD CONSTRAINT ({_IDENT}) (.*)$", re.S)
_INHERITS = re.compile(rf"INHERITS \(({_IDENT}\.{_IDENT}(?:, {_IDENT}\.{_IDENT})*)\)")
_KEY = re.compile(r"(PRIMARY KEY|UNIQUE) \(([^)]*)\)")
_FOREIGN = re.compile(rf"FOREIGN KEY \(([^)]*)\) REFERENCES {_QUALIFIED}\(([^)]*)\)")
_TYPE_END = re.compile(
    r"\s+(?:COLLATE \S+|DEFAULT|NOT NULL|NULL|GENERATED|CONSTRAINT|CHECK|REFERENCES|PRIMARY|UNIQUE)\b"
)
_COLUMN = re.compile(r'("(?:[^"]|"")*"|\S+)\s+(.*)', re.S)
_FROM_ITEM = re.compile(
    rf"(?:FROM|JOIN)\s+\(*\s*{_QUALIFIED}(?:\s+(?!ON\b|JOIN\b|LEFT\b|WHERE\b)({_IDENT}))?"
)


def snapshot_from_pg_dump(sql: str) -> dict[str, Any]:
    """The snapshot document (as `hasura-perm schema pull` writes it) of a pg_dump."""
    tables: dict[str, dict[str, Any]] = {}
    constraints = []
    for statement in split_statements(sql):
        if match := _CREATE_TABLE.match(statement):
            _add_table(tables, match)
        elif match := _CREATE_VIEW.match(statement):
            _add_view(tables, match)
        elif match := _ALTER.match(statement):
            constraints.append(match)
    for match in constraints:
        _add_constraint(tables, match)
    for table in tables.values():
        for key in ("foreign_keys", "unique"):
            if key in table:
                table[key].sort(key=lambda item: item["name"] if key == "foreign_keys" else item)
    return {"version": 1, "tables": dict(sorted(tables.items()))}


def split_statements(sql: str) -> list[str]:
    """Top-level statements, comments removed, `;` inside quotes and $$ bodies ignored."""
    statements, current, i, n = [], [], 0, len(sql)
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            i = _skip_to(sql, "\n", i)
            continue
        if ch in "'\"":
            end = _skip_to(sql, ch, i + 1)
            current.append(sql[i:end])
            i = end
            continue
        if ch == "$" and (tag := re.match(r"\$[A-Za-z_]*\$", sql[i:])):
            end = _skip_to(sql, tag.group(), i + len(tag.group()))
            current.append(sql[i:end])
            i = end
            continue
        if ch == ";":
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    return [s for s in statements if s]


def _skip_to(text: str, token: str, start: int) -> int:
    """The index just past the next `token` from `start` (or the end of the text)."""
    found = text.find(token, start)
    return len(text) if found < 0 else found + len(token)


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def _table_key(schema: str, name: str) -> str:
    return f"{_unquote(schema)}.{_unquote(name)}"


def _add_table(tables: dict[str, dict[str, Any]], match: re.Match[str]) -> None:
    columns: dict[str, str] = {}
    nullable: list[str] = []
    rest = match.group(3)
    close = _closing_paren(rest)
    inherits = _INHERITS.search(rest[close:])
    for parent in inherits.group(1).split(", ") if inherits else ():
        parent_table = tables[_table_key(*parent.split("."))]
        columns.update(parent_table["columns"])
        nullable.extend(parent_table.get("nullable", ()))
    for item in _split_top_level(rest[:close]):
        item = item.strip()
        if not item or item.startswith(("CONSTRAINT ", "CHECK ", "PRIMARY KEY", "UNIQUE")):
            continue
        name, rest = _COLUMN.match(item).groups()
        end = _TYPE_END.search(rest)
        pg_type = (rest[: end.start()] if end else rest).strip()
        columns[_unquote(name)] = _normal_type(pg_type)
        if "NOT NULL" not in rest:
            nullable.append(_unquote(name))
    table: dict[str, Any] = {"kind": "table", "columns": columns}
    if nullable:
        table["nullable"] = sorted(set(nullable))
    tables[_table_key(match.group(1), match.group(2))] = table


def _normal_type(pg_type: str) -> str:
    """As format_type(oid, NULL) writes it: no schema for extension types, no modifiers."""
    pg_type = re.sub(r"^public\.", "", pg_type)
    return re.sub(r"\([^)]*\)", "", pg_type).strip()


def _add_view(tables: dict[str, dict[str, Any]], match: re.Match[str]) -> None:
    body = match.group(3)
    sources = _view_sources(body, tables)
    columns = {}
    for item in _select_list(body):
        name, pg_type = _output_column(item.strip(), sources, tables)
        columns[name] = pg_type
    tables[_table_key(match.group(1), match.group(2))] = {"kind": "view", "columns": columns}


def _view_sources(body: str, tables: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Alias (or bare table name) -> table key, for the tables a view reads."""
    sources = {}
    for found in _FROM_ITEM.finditer(body):
        key = _table_key(found.group(1), found.group(2))
        if key in tables:
            sources[_unquote(found.group(2))] = key
            if found.group(3):
                sources[_unquote(found.group(3))] = key
    return sources


def _select_list(body: str) -> list[str]:
    """The items of the outermost SELECT (the first branch of a UNION names the columns)."""
    depth, start = 0, None
    tokens = list(
        re.finditer(r"'(?:[^']|'')*'|\"[^\"]*\"|[()]|,|\b(?:SELECT|FROM|UNION|WHERE)\b", body)
    )
    items: list[str] = []
    for token in tokens:
        text = token.group()
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and text == "SELECT" and start is None:
            start = token.end()
        elif depth == 0 and start is not None and text == ",":
            items.append(body[start : token.start()])
            start = token.end()
        elif depth == 0 and start is not None and text in ("FROM", "UNION", "WHERE"):
            items.append(body[start : token.start()])
            return items
    if start is not None:
        items.append(body[start:])
    return items


def _output_column(
    item: str, sources: dict[str, str], tables: dict[str, dict[str, Any]]
) -> tuple[str, str]:
    alias = re.search(rf"\s+AS\s+({_IDENT})$", item)
    expression = item[: alias.start()] if alias else item
    reference = re.fullmatch(rf"\(?(?:({_IDENT})\.)?({_IDENT})\)?", expression.strip())
    name = (
        _unquote(alias.group(1))
        if alias
        else _unquote(reference.group(2))
        if reference
        else "?column?"
    )
    cast = re.fullmatch(
        r"(NULL|'(?:[^']|'')*'|\d+|\(.*\))::([A-Za-z_][\w .]*(?:\[\])?)", expression.strip()
    )
    if cast and (
        not cast.group(1).startswith("(")
        or _closing_paren(cast.group(1)[1:]) == len(cast.group(1)) - 2
    ):
        return name, _normal_type(cast.group(2))
    if reference:
        qualifier, column = reference.group(1), _unquote(reference.group(2))
        candidates = (
            [sources[_unquote(qualifier)]]
            if qualifier and _unquote(qualifier) in sources
            else sorted(set(sources.values()))
        )
        for key in candidates:
            if column in tables[key]["columns"]:
                return name, tables[key]["columns"][column]
    return name, "unknown"


def _closing_paren(text: str) -> int:
    """The index of the `)` closing a parenthesis opened just before `text`."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
    return len(text)


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _columns(text: str) -> list[str]:
    return [_unquote(c.strip()) for c in text.split(",")]


def _add_constraint(tables: dict[str, dict[str, Any]], match: re.Match[str]) -> None:
    table = tables.get(_table_key(match.group(1), match.group(2)))
    if table is None:
        return
    name, definition = _unquote(match.group(3)), match.group(4)
    if key := _KEY.match(definition):
        if key.group(1) == "PRIMARY KEY":
            table["primary_key"] = _columns(key.group(2))
        else:
            table.setdefault("unique", []).append(_columns(key.group(2)))
    elif foreign := _FOREIGN.match(definition):
        table.setdefault("foreign_keys", []).append(
            {
                "name": name,
                "columns": _columns(foreign.group(1)),
                "references": _table_key(foreign.group(2), foreign.group(3)),
                "ref_columns": _columns(foreign.group(4)),
            }
        )
