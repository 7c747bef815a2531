"""Lay out a one-line SQL condition over several lines, for people: a parenthesised group
that is too long is opened, one operand of its AND/OR per line. Only whitespace outside
quoted literals and identifiers changes, so the SQL means the same."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

WIDTH = 88
INDENT = "  "
CONNECTORS = (" AND ", " OR ")


@dataclass
class _Group:
    """A parenthesised part: text pieces, nested groups and connectors, in order."""

    items: list[str | _Group | _Connector] = field(default_factory=list)


@dataclass(frozen=True)
class _Connector:
    word: str  # "AND" | "OR"


def pretty_sql(sql: str, width: int = WIDTH) -> str:
    root = _parse(sql)
    if root is None:
        return sql  # unbalanced: leave it as it is
    return "".join(_render(item, 0, width) for item in root.items)


def _parse(sql: str) -> _Group | None:
    stack = [_Group()]
    text: list[str] = []
    i, quote = 0, ""

    def flush() -> None:
        if text:
            stack[-1].items.append("".join(text))
            text.clear()

    while i < len(sql):
        ch = sql[i]
        if quote:
            text.append(ch)
            if ch == quote:
                if sql[i + 1 : i + 2] == quote:  # '' or "" inside: an escaped quote
                    text.append(quote)
                    i += 1
                else:
                    quote = ""
        elif ch in "'\"":
            quote = ch
            text.append(ch)
        elif ch == "(":
            flush()
            stack.append(_Group())
        elif ch == ")":
            flush()
            if len(stack) == 1:
                return None
            group = stack.pop()
            stack[-1].items.append(group)
        elif (word := _connector_at(sql, i)) is not None:
            flush()
            stack[-1].items.append(_Connector(word))
            i += len(word) + 1  # the loop's += 1 covers the last space
        else:
            text.append(ch)
        i += 1
    flush()
    return stack[0] if len(stack) == 1 and not quote else None


def _connector_at(sql: str, i: int) -> str | None:
    for connector in CONNECTORS:
        if sql.startswith(connector, i):
            return connector.strip()
    return None


def _inline(item: str | _Group | _Connector) -> str:
    if isinstance(item, _Connector):
        return f" {item.word} "
    if isinstance(item, _Group):
        return "(" + "".join(_inline(i) for i in item.items) + ")"
    return item


def _render(item: str | _Group | _Connector, depth: int, width: int) -> str:
    if not isinstance(item, _Group):
        return _inline(item)
    flat = _inline(item)
    has_connector = any(isinstance(i, _Connector) for i in item.items)
    if len(flat) + len(INDENT) * depth <= width:
        return flat
    if not has_connector:  # e.g. EXISTS (SELECT ... WHERE (...)): open what is inside
        return "(" + "".join(_render(i, depth, width) for i in item.items) + ")"
    inner = INDENT * (depth + 1)
    lines, current = [], ""
    for part in item.items:
        if isinstance(part, _Connector):
            lines.append(current)
            current = f"{part.word} "
        else:
            current += _render(part, depth + 1, width)
    lines.append(current)
    body = "\n".join(inner + line for line in lines)
    return f"(\n{body}\n{INDENT * depth})"
