"""Say which tables a default applies to, in as few words as it takes.

A default matches every table of the schema snapshot that one of its patterns matches and
no `except` entry matches (hasura_perm.spec.resolve). Given the tables a default must cover,
the tables it must not touch, and the tables where it does not matter (a table file or an
exact-name default wins there anyway), pick patterns greedily (`*`, `schema.*`,
`schema.prefix_*`, exact names), list what they wrongly match under `except`, and keep the
result only when it is shorter than naming the tables one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hasura_perm.core.names import TableName
from hasura_perm.spec.resolve import pattern_regex


@dataclass(frozen=True)
class TableSpec:
    patterns: list[str]
    excepts: list[str]

    @property
    def size(self) -> int:
        return len(self.patterns) + len(self.excepts)


def exact(tables: set[TableName]) -> TableSpec:
    return TableSpec([str(t) for t in sorted(tables)], [])


def choose_tables(
    targets: set[TableName], forbidden: set[TableName], universe: list[TableName]
) -> TableSpec:
    """Patterns that match every target and, after `except`, no forbidden table."""
    candidates = _candidates(targets)
    matches = {p: {t for t in universe if _matches(p, t)} for p in candidates}
    chosen: list[str] = []
    covered: set[TableName] = set()
    wrongly: set[TableName] = set()
    while covered != targets:
        best, best_gain = None, 0
        for pattern in candidates:
            gained = (matches[pattern] & targets) - covered
            if not gained:
                continue
            gain = len(gained) - len((matches[pattern] & forbidden) - wrongly) - 1
            if gain > best_gain or (
                gain == best_gain and best is not None and len(pattern) < len(best)
            ):
                best, best_gain = pattern, gain
        if best is None:
            break
        chosen.append(best)
        covered |= matches[best] & targets
        wrongly |= matches[best] & forbidden
    chosen += [str(t) for t in sorted(targets - covered)]
    spec = TableSpec(chosen, _excepts(wrongly, targets, universe))
    plain = exact(targets)
    return spec if spec.size < plain.size else plain


def _candidates(tables: set[TableName]) -> list[str]:
    found = {"*"}
    for table in tables:
        found.add(f"{table.schema}.*")
        words = table.name.split("_")
        for n in range(1, len(words)):
            found.add(f"{table.schema}.{'_'.join(words[:n])}_*")
    return sorted(found, key=lambda p: (len(p), p))


def _excepts(
    wrongly: set[TableName], targets: set[TableName], universe: list[TableName]
) -> list[str]:
    """The wrongly matched tables; a pattern stands in for several when it matches none of
    the targets."""
    left = set(wrongly)
    out: list[str] = []
    for pattern in _candidates(wrongly):
        matched = {t for t in universe if _matches(pattern, t)}
        if pattern != "*" and len(matched & left) >= 2 and not matched & targets:
            out.append(pattern)
            left -= matched
    return sorted(out) + [str(t) for t in sorted(left)]


def _matches(pattern: str, table: TableName) -> bool:
    return _regex(pattern).fullmatch(str(table)) is not None


_CACHE: dict[str, re.Pattern[str]] = {}


def _regex(pattern: str) -> re.Pattern[str]:
    if pattern not in _CACHE:
        _CACHE[pattern] = pattern_regex(pattern)
    return _CACHE[pattern]
