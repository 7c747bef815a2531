"""Turn a permission set into what a person would have written in our language.

1. Roles: infer inheritance (inherit.py); each role keeps only what it does not inherit.
2. Per (action, role): group the remaining rules into templates (templates.py). A template
   shared by two or more tables becomes a default; the largest one per (action, role) may
   say its tables with patterns (patterns.py), the others name their tables. A rule of one
   table, and every `deny`, goes to that table's file.
3. Name what recurs: presets, conditions and column sets (extract.py).

Pure: no I/O. The result is checked by compiling it (roundtrip.py).
"""

from __future__ import annotations

from typing import Any

from hasura_perm.boolexp.operators import CONNECTIVES
from hasura_perm.core.names import TableName
from hasura_perm.core.names import session_variable
from hasura_perm.importer.extract import name_parts
from hasura_perm.importer.inherit import DENY
from hasura_perm.importer.inherit import infer_inheritance
from hasura_perm.importer.inherit import residual_rules
from hasura_perm.importer.inherit import rules_by_role
from hasura_perm.importer.naming import unique
from hasura_perm.importer.normalise import Rule
from hasura_perm.importer.patterns import choose_tables
from hasura_perm.importer.patterns import exact
from hasura_perm.importer.planned import DefaultEntry
from hasura_perm.importer.planned import Plan
from hasura_perm.importer.planned import RoleRules
from hasura_perm.importer.templates import ALL
from hasura_perm.importer.templates import EXCEPT
from hasura_perm.importer.templates import LIST
from hasura_perm.importer.templates import Columns
from hasura_perm.importer.templates import Template
from hasura_perm.importer.templates import build_templates
from hasura_perm.importer.templates import foreign_names
from hasura_perm.importer.templates import ordered_names
from hasura_perm.metadata.export_format import PERMISSION_FIELDS
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import Table
from hasura_perm.spec import ACTIONS

MIN_SHARED = 2  # a rule on this many tables is a default, not a line in each table file

# Fields of a rule in our language, in the order they are written.
RULE_FIELDS = (*PERMISSION_FIELDS, "comment")


def plan_import(
    permissions: PermissionSet, snapshot: Snapshot, combines: set[str] | None = None
) -> Plan:
    """The permissions/ content that compiles to `permissions` (every table in the snapshot).
    `combines`: Hasura inherited roles, which neither inherit nor are inherited."""
    by_role = rules_by_role(permissions)
    free = {r: rules for r, rules in by_role.items() if r not in (combines or set())}
    plan = Plan(inheritance=infer_inheritance(free))
    parents = {child: i.parent for child, i in plan.inheritance.items()}
    plan.roles = {r: ({"inherits": parents[r]} if r in parents else {}) for r in sorted(by_role)}
    residual = residual_rules(by_role, parents)
    universe = sorted(snapshot.tables)
    templates, in_files = _split(residual, snapshot.tables)
    key_sets = _key_sets(templates, snapshot.tables)
    plan.column_sets = {name: members for name, members in key_sets.values()}
    plan.defaults = _defaults(templates, residual, universe, snapshot.tables, key_sets)
    plan.tables = _table_files(in_files, snapshot.tables)
    name_parts(plan, snapshot)
    plan.session = _session(permissions, snapshot.tables)
    return plan


# ---------------------------------------------------------------------------- split

_ActionRole = tuple[str, str]


def _split(
    residual: dict[str, dict[tuple[TableName, str], Rule | str]], tables: dict[TableName, Table]
) -> tuple[dict[_ActionRole, list[Template]], dict[TableName, dict[_ActionRole, Any]]]:
    """Shared templates per (action, role), and what goes to each table's file."""
    shared: dict[_ActionRole, list[Template]] = {}
    in_files: dict[TableName, dict[_ActionRole, Any]] = {}
    for role in sorted(residual):
        for action in ACTIONS:
            rules = {
                t: r
                for (t, a), r in residual[role].items()
                if a == action and not isinstance(r, str)
            }  # the only text a residual rule holds is DENY
            for table, _ in (k for k, r in residual[role].items() if k[1] == action and r == DENY):
                in_files.setdefault(table, {})[(action, role)] = DENY
            for template in build_templates(action, rules, tables):
                if len(template.tables) >= MIN_SHARED:
                    shared.setdefault((action, role), []).append(template)
                else:
                    in_files.setdefault(template.tables[0], {})[(action, role)] = template
    return shared, in_files


KeySets = dict[int, tuple[str, list[str]]]  # id(template) -> (column set name, members)


def _key_sets(shared: dict[_ActionRole, list[Template]], tables: dict[TableName, Table]) -> KeySets:
    """Column sets for the primary keys that shared `all_except` templates leave out.

    Tables named differently keys (`id`, `project_id`) cannot share a plain `all_except`
    list: a plain name must exist on every table, a column set's members need not. One set
    `primary_keys` serves every template it fits; a template it does not fit (a listed key
    is an ordinary column it grants) gets its own."""
    needing: list[tuple[Template, list[Table], frozenset[str], frozenset[str]]] = []
    for templates in shared.values():
        for template in templates:
            members = [tables[t] for t in template.tables]
            if template.columns.mode != EXCEPT or not foreign_names(template.columns, members):
                continue
            keys = frozenset(c for t in members for c in t.primary_key) & template.columns.names
            keys |= foreign_names(template.columns, members)
            needing.append((template, members, keys, template.columns.names - keys))
    if not needing:
        return {}
    taken = {c for table in tables.values() for c in table.columns}
    everything = frozenset().union(*(keys for _, _, keys, _ in needing))
    names: dict[frozenset[str], str] = {}
    out: KeySets = {}
    for template, members, keys, rest in needing:
        fits = all(_same_left_out(m, rest | everything, template) for m in members)
        chosen = everything if fits else keys
        if chosen not in names:
            names[chosen] = unique("primary_keys", taken, "keys")
        out[id(template)] = (names[chosen], sorted(chosen))
    return out


def _same_left_out(table: Table, names: frozenset[str], template: Template) -> bool:
    columns = set(table.columns)
    return columns & names == columns & template.columns.names


def _defaults(
    shared: dict[_ActionRole, list[Template]],
    residual: dict[str, dict[tuple[TableName, str], Rule | str]],
    universe: list[TableName],
    tables: dict[TableName, Table],
    key_sets: KeySets,
) -> list[DefaultEntry]:
    """One entry per set of tables; the entry may use patterns when each of its templates is
    the largest of its (action, role), so no other default of that pair can tie with it."""
    by_tables: dict[tuple[TableName, ...], list[tuple[_ActionRole, Template, bool]]] = {}
    for key, templates in shared.items():
        for index, template in enumerate(templates):
            by_tables.setdefault(tuple(sorted(template.tables)), []).append(
                (key, template, index == 0)
            )
    entries = []
    for table_tuple, members in by_tables.items():
        targets = set(table_tuple)
        if all(largest for _, _, largest in members):
            # Where every pair of the entry has its rule written elsewhere (a table file or
            # an exact-name default, both more specific), matching the table is harmless.
            handled = set.intersection(
                *(
                    {t for (t, a) in residual[role] if a == action}
                    for (action, role), _, _ in members
                )
            )
            forbidden = set(universe) - targets - handled
            spec = choose_tables(targets, forbidden, universe)
        else:
            spec = exact(targets)
        rules: RoleRules = {}
        for (action, role), template, _ in members:
            member_tables = [tables[t] for t in table_tuple]
            rules.setdefault(action, {})[role] = rule_of(
                template, member_tables, key_sets.get(id(template))
            )
        entries.append(DefaultEntry(spec, _in_action_order(rules), sorted(targets)))
    entries = _merge_same_tables(entries)
    entries.sort(key=_entry_order)
    return entries


def _merge_same_tables(entries: list[DefaultEntry]) -> list[DefaultEntry]:
    """Entries whose patterns and exceptions read the same become one (each pair of action
    and role matches the same tables as before, so nothing changes but the text)."""
    merged: dict[tuple[tuple[str, ...], tuple[str, ...]], DefaultEntry] = {}
    out: list[DefaultEntry] = []
    for entry in entries:
        key = (tuple(entry.spec.patterns), tuple(entry.spec.excepts))
        other = merged.get(key)
        pairs = {(a, r) for a, by_role in entry.rules.items() for r in by_role}
        if other is not None and not pairs & {
            (a, r) for a, by_role in other.rules.items() for r in by_role
        }:
            for action, by_role in entry.rules.items():
                other.rules.setdefault(action, {}).update(by_role)
            other.rules = _in_action_order(other.rules)
            other.tables = sorted(set(other.tables) | set(entry.tables))
            continue
        merged[key] = entry
        out.append(entry)
    return out


def _entry_order(entry: DefaultEntry) -> tuple[Any, ...]:
    exact_only = all("*" not in p for p in entry.spec.patterns)
    first_action = min(ACTIONS.index(a) for a in entry.rules)
    return (exact_only, first_action, -len(entry.tables), entry.tables[0])


def _table_files(
    in_files: dict[TableName, dict[_ActionRole, Any]], tables: dict[TableName, Table]
) -> dict[TableName, RoleRules]:
    out: dict[TableName, RoleRules] = {}
    for table in sorted(in_files):
        rules: RoleRules = {}
        for (action, role), item in sorted(in_files[table].items()):
            rule = DENY if item == DENY else rule_of(item, [tables[table]])
            rules.setdefault(action, {})[role] = rule
        out[table] = _in_action_order(rules)
    return out


def _in_action_order(rules: RoleRules) -> RoleRules:
    return {a: dict(sorted(rules[a].items())) for a in ACTIONS if a in rules}


# ---------------------------------------------------------------------------- rules


def rule_of(
    template: Template, tables: list[Table], key_set: tuple[str, list[str]] | None = None
) -> dict[str, Any]:
    """The rule in our language; `tables` are those it is written for (column order);
    `key_set` names the column set standing for the primary keys it leaves out."""
    rule: dict[str, Any] = {}
    columns = _columns(template.columns, tables, key_set)
    if columns is not None:
        rule["columns"] = columns
    for key, value in template.rest.items():
        if key == "check" and value is None:
            continue  # an update without a post-update check: leave `check` out
        rule[key] = language_boolexp(value) if key in ("filter", "check") else value
    if template.comment:
        rule["comment"] = template.comment
    return {k: rule[k] for k in RULE_FIELDS if k in rule} | {
        k: v for k, v in rule.items() if k not in RULE_FIELDS
    }


def language_boolexp(expr: Any) -> Any:
    """A boolean expression as our language spells it: `_exists` names its table as
    `schema.table` (the export form is {name, schema})."""
    if isinstance(expr, list):
        return [language_boolexp(item) for item in expr]
    if not isinstance(expr, dict):
        return expr
    out = {}
    for key, value in expr.items():
        if key == "_exists" and isinstance(value, dict) and isinstance(value.get("_table"), dict):
            table = value["_table"]
            value = {**value, "_table": f"{table.get('schema', 'public')}.{table['name']}"}
        out[key] = language_boolexp(value)
    return out


def _columns(columns: Columns, tables: list[Table], key_set: tuple[str, list[str]] | None) -> Any:
    if columns.mode == ALL:
        return "all"
    if columns.mode == EXCEPT and key_set is not None:
        name, members = key_set
        return {"all_except": [name, *ordered_names(columns.names - set(members), tables)]}
    if columns.mode == EXCEPT:
        return {"all_except": ordered_names(columns.names, tables)}
    if columns.mode == LIST:
        return ordered_names(columns.names, tables[:1])
    return None


# ---------------------------------------------------------------------------- session


def _session(
    permissions: PermissionSet, tables: dict[TableName, Table]
) -> dict[str, dict[str, Any]]:
    """Every session variable the permissions use, typed by the first column it meets."""
    found: dict[str, str | None] = {}
    for table in permissions.tables():
        columns = tables[table].columns if table in tables else {}
        for body in (p.body for p in permissions.on(table)):
            for key in ("filter", "check"):
                _variables_in(body.get(key), columns, found)
            for column, value in (body.get("set") or {}).items():
                _note(found, value, columns.get(column))
    return {name: ({"type": pg_type} if pg_type else {}) for name, pg_type in sorted(found.items())}


def _variables_in(expr: Any, columns: dict[str, str], found: dict[str, str | None]) -> None:
    if isinstance(expr, list):
        for item in expr:
            _variables_in(item, columns, found)
    elif isinstance(expr, dict):
        for key, value in expr.items():
            if key in columns and isinstance(value, dict):
                for op, operand in value.items():
                    list_op = op in ("_in", "_nin")
                    pg_type = columns[key] + ("[]" if list_op else "")
                    _note(found, operand, pg_type)
            elif key in columns:
                _note(found, value, columns[key])
            _variables_in(value, {} if key not in _SAME_TABLE else columns, found)
    else:
        _note(found, expr, None)


# Parts evaluated on the same table (`_exists` moves to another, with other columns).
_SAME_TABLE = CONNECTIVES | {"_not"}


def _note(found: dict[str, str | None], value: Any, pg_type: str | None) -> None:
    name = session_variable(value)
    if name is not None:
        if found.get(name) is None:
            found[name] = pg_type
