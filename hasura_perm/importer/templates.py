"""Group the rules of one (action, role) across tables into templates: one rule in our
language that compiles, on every table of the group, to exactly that table's permission.

The only part of a rule that depends on the table is its column list: `all` when it is
every column of the table, else `{all_except: [...]}` or a list, whichever lets the table
share its rule with the most other tables (a table on its own: `all_except` when it leaves
out not much more than it grants).

Tables share one `all_except` only when they leave out the same columns apart from key
columns, and only when the union of everything the group leaves out, applied to each
member, leaves out exactly that member's columns: never more, never less. A member that
grants a column another member leaves out stays out of the group. That is what keeps a
shared default from granting a column to a table that did not grant it (or taking one
away). The round trip (roundtrip.py) proves it again on the written files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.names import TableName
from hasura_perm.importer.normalise import Rule
from hasura_perm.schema.snapshot import Table

ALL, EXCEPT, LIST, NONE = "all", "except", "list", "none"
EXCEPT_SLACK = 2


@dataclass(frozen=True)
class Columns:
    mode: str  # ALL, EXCEPT, LIST, or NONE (delete has no columns)
    names: frozenset[str] = frozenset()


@dataclass
class Template:
    action: str
    rest: dict[str, Any]  # the permission body without `columns`, in normal form
    comment: str | None
    columns: Columns
    tables: list[TableName] = field(default_factory=list)


@dataclass(frozen=True)
class _Item:
    table: Table
    granted: frozenset[str]
    left_out: frozenset[str]
    key: frozenset[str]  # primary key columns


def build_templates(
    action: str, rules: dict[TableName, Rule], tables: dict[TableName, Table]
) -> list[Template]:
    """Templates covering every table of `rules`, largest first (ties: first table name)."""
    groups: dict[str, list[tuple[TableName, Rule]]] = {}
    for name in sorted(rules):
        body, comment = rules[name]
        rest = {k: v for k, v in body.items() if k != "columns"}
        groups.setdefault(json.dumps([rest, comment], sort_keys=True), []).append(
            (name, rules[name])
        )
    out: list[Template] = []
    for members in groups.values():
        body, comment = members[0][1]
        rest = {k: v for k, v in body.items() if k != "columns"}
        if "columns" not in body:
            out.append(Template(action, rest, comment, Columns(NONE), [n for n, _ in members]))
            continue
        items = [_item(tables[name], rule[0]["columns"]) for name, rule in members]
        for columns, group in _cluster(items):
            out.append(Template(action, rest, comment, columns, [i.table.name for i in group]))
    out.sort(key=lambda t: (-len(t.tables), t.tables[0]))
    return out


def _item(table: Table, granted: list[str]) -> _Item:
    columns = frozenset(table.columns)
    given = frozenset(granted)
    return _Item(table, given, columns - given, frozenset(table.primary_key))


def column_mode(granted: frozenset[str], left_out: frozenset[str]) -> str:
    """`all` for every column; `all_except` when what is left out is not much more than
    what is granted (a key and audit columns on a narrow table); a list otherwise."""
    if not left_out:
        return ALL
    return EXCEPT if len(left_out) <= len(granted) + EXCEPT_SLACK else LIST


def _cluster(items: list[_Item]) -> list[tuple[Columns, list[_Item]]]:
    """Each table's column list as `all`, `all_except` or a list, whichever lets it share
    with the most other tables (then: the shorter to read). Greedy: the candidate group
    with the most tables not yet placed takes them."""
    out: list[tuple[Columns, list[_Item]]] = []
    all_items = [i for i in items if not i.left_out]
    if all_items:
        out.append((Columns(ALL), all_items))
    partial = [i for i in items if i.left_out]
    by_list: dict[frozenset[str], list[_Item]] = {}
    for item in partial:
        by_list.setdefault(item.granted, []).append(item)
    candidates = [(LIST, group) for group in by_list.values()]
    candidates += [(EXCEPT, members) for _, members in _cluster_excepts(partial)]
    placed: set[int] = set()
    while len(placed) < len(partial):
        mode, members = max(candidates, key=lambda c: _merit(c[0], c[1], placed))
        kept = [m for m in members if id(m) not in placed]
        placed.update(id(m) for m in kept)
        if mode == LIST:
            out.append((Columns(LIST, kept[0].granted), kept))
        else:
            out.append((Columns(EXCEPT, frozenset().union(*(m.left_out for m in kept))), kept))
    return out


def _merit(mode: str, members: list[_Item], placed: set[int]) -> tuple[int, int, int]:
    """More tables first; then the form column_mode prefers for a lone table; then fewer
    names to read."""
    kept = [m for m in members if id(m) not in placed]
    if not kept:
        return (0, 0, 0)
    names = (
        len(kept[0].granted)
        if mode == LIST
        else len(frozenset().union(*(m.left_out for m in kept)))
    )
    natural = sum(1 for m in kept if column_mode(m.granted, m.left_out) == mode)
    return (len(kept), natural, -names)


def _cluster_excepts(items: list[_Item]) -> list[tuple[Columns, list[_Item]]]:
    """Tables that leave out the same columns apart from their primary keys share one
    `all_except` (the keys go into a column set, see factoring.py), as long as the union of what
    they leave out still fits every member exactly."""
    groups: list[tuple[set[str], list[_Item]]] = []
    by_signature: dict[frozenset[str], list[tuple[set[str], list[_Item]]]] = {}
    keys = frozenset().union(*(i.key for i in items)) if items else frozenset()
    for item in sorted(items, key=lambda i: i.table.name):
        signature = frozenset(item.left_out - keys)
        for union, members in by_signature.get(signature, []):
            candidate = union | item.left_out
            if all(_fits(m, candidate) for m in (*members, item)):
                union |= item.left_out
                members.append(item)
                break
        else:
            group = (set(item.left_out), [item])
            by_signature.setdefault(signature, []).append(group)
            groups.append(group)
    return [(Columns(EXCEPT, frozenset(union)), members) for union, members in groups]


def _fits(item: _Item, left_out: set[str]) -> bool:
    """`all_except: left_out` (names the table lacks ignored, as for a column set's
    members) on this table leaves out exactly what it must."""
    return (left_out & set(item.table.columns)) == set(item.left_out)


def foreign_names(columns: Columns, tables: list[Table]) -> frozenset[str]:
    """Names of an `all_except` that some of the tables do not have: they can only be
    written through a column set (a plain name must exist on every table)."""
    everywhere = set.intersection(*(set(t.columns) for t in tables)) if tables else set()
    return frozenset(columns.names - everywhere)


def ordered_names(names: frozenset[str], tables: list[Table]) -> list[str]:
    """Column names in the order a reader expects: primary keys first (alphabetically),
    then in the column order of the first table that has them."""
    position: dict[str, tuple[int, int, str]] = {}
    for rank, table in enumerate(tables):
        for index, column in enumerate(table.columns):
            if column in names and column not in position:
                if column in table.primary_key:
                    position[column] = (0, 0, column)
                else:
                    position[column] = (1, rank * 10_000 + index, column)
    return sorted(names, key=lambda n: position.get(n, (1, 10**9, n)))
