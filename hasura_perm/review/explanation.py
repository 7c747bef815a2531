"""`explain`: one resolved rule, where each part came from, what it compiles to, and the SQL
it amounts to.

Resolution is told step by step as the compiler does it (compiler/permissions.py): the table file's rule,
else the most specific matching default, else the parents' resolved rules; `deny` stops the
search. The SQL comes from the permission-test engine's translator
(permission_tests.sql, Hasura's own translation rules); `--session` values replace the
session lookups Hasura would make.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.boolexp import sql as q
from hasura_perm.boolexp.tree import parse as parse_expression
from hasura_perm.compiler.build import Build
from hasura_perm.compiler.derived import derived_permissions
from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.terminal import lines_text
from hasura_perm.core.validate import did_you_mean
from hasura_perm.metadata.directory import file_of
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import permission_entry
from hasura_perm.metadata.permission import Permission
from hasura_perm.permission_tests.relations import schema_from_metadata
from hasura_perm.report.common import compact
from hasura_perm.review.rules import EXPRESSION_FIELDS
from hasura_perm.review.rules import Named
from hasura_perm.review.rules import RuleSource
from hasura_perm.review.rules import SpecIndex
from hasura_perm.review.sqlformat import pretty_sql
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec.project import Project
from hasura_perm.spec.resolve import default_rules
from hasura_perm.spec.resolve import index_defaults
from hasura_perm.spec.resolve import role_parents

SQL_MEANING = {
    "filter": "rows it may {verb}: WHERE",
    "check": "rows it may write must satisfy: CHECK",
}
VERBS = {"select": "read", "update": "update", "delete": "delete", "insert": "insert"}


@dataclass
class Explanation:
    table: TableName
    action: str
    role: str
    permission: Permission | None
    steps: list[str]
    source: RuleSource | None = None
    named: list[Named] = field(default_factory=list)
    metadata_file: str = ""
    sql: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    session: dict[str, str] = field(default_factory=dict)
    derived: bool = False  # a `combines` role's permission Hasura derives (not in metadata/)

    def to_json(self) -> dict[str, Any]:
        p = self.permission
        return {
            "table": str(self.table),
            "action": self.action,
            "role": self.role,
            "allowed": p is not None,
            "resolution": list(self.steps),
            "origin": p.origin if p else None,
            "location": str(p.location) if p else None,
            "rule": self.source.rule if self.source else None,
            "named": [n.to_json() for n in self.named],
            "metadata_file": self.metadata_file or None,
            "permission": p.body if p else None,
            "comment": p.comment if p else None,
            "session": dict(self.session),
            "sql": dict(self.sql),
            "notes": list(self.notes),
            "derived_by_hasura": self.derived,
        }


def explain(
    project: Project,
    result: Build,
    index: SpecIndex,
    snapshot: Snapshot,
    *,
    table: str,
    action: str,
    role: str,
    session: dict[str, str] | None = None,
) -> Explanation:
    name = _table(table, result, snapshot)
    _check_role(role, result)
    _check_session(session or {}, index)
    permission = result.compiled.get(name, action, role)
    derived = None
    if permission is None:
        derived = derived_permissions(result.compiled).get(name, action, role)
    steps = resolution(index, result, name, action, role)
    out = Explanation(name, action, role, permission or derived, steps, derived=bool(derived))
    out.session = {k.lower(): v for k, v in (session or {}).items()}
    if derived is not None:  # no rule as written, no metadata entry: Hasura derives it
        out.sql, out.notes = permission_sql(derived, result, snapshot, out.session)
        return out
    if permission is None:
        return out
    out.source = index.source(permission)
    out.named = named_parts(index, out.source, name)
    path = file_of(result.metadata, name)
    out.metadata_file = project.relative(path)
    out.sql, out.notes = permission_sql(permission, result, snapshot, out.session)
    return out


def _table(text: str, result: Build, snapshot: Snapshot) -> TableName:
    name = TableName.parse(text)
    if name in result.compiled.tables:
        return name
    if name in snapshot.tables:
        raise HasuraPermError(
            f"{name} is in the schema snapshot but not managed: no table file or default "
            f"matches it; add permissions/tables/{name}.yaml (`table: {name}`) or a default"
        )
    raise HasuraPermError(f"{name} is not a managed table{_table_hint(name, result)}")


def _table_hint(name: TableName, result: Build) -> str:
    """A close managed table, compared by name within the schema (the shared `public.`
    prefix would make every table look close), else the managed tables."""
    managed = sorted(result.compiled.tables)
    same_schema = {t.name: t for t in managed if t.schema == name.schema}
    close = difflib.get_close_matches(name.name, list(same_schema), n=1, cutoff=0.75)
    if close:
        return f"; did you mean `{same_schema[close[0]]}`?"
    shown = ", ".join(str(t) for t in managed[:8]) + (" ..." if len(managed) > 8 else "")
    return f" (managed: {shown or 'none'}); a table needs a table file or a matching default"


def _check_session(session: dict[str, str], index: SpecIndex) -> None:
    declared = list(index.spec.session)
    for name in session:
        if name.lower() not in index.spec.session:
            hint = did_you_mean(name.lower(), declared)
            raise HasuraPermError(
                f"--session {name}: not a session variable of the project"
                f"{hint or '; declared: ' + (', '.join(declared) or 'none')}"
            )


def _check_role(role: str, result: Build) -> None:
    if role not in result.compiled.roles:
        hint = did_you_mean(role, result.compiled.roles)
        known = ", ".join(result.compiled.roles)
        raise HasuraPermError(f"unknown role `{role}`{hint or f' (roles: {known})'}")


# ---------------------------------------------------------------- where it came from


def resolution(
    index: SpecIndex, result: Build, table: TableName, action: str, role: str
) -> list[str]:
    """How the compiler found the rule (or found none), one step per line."""
    steps: list[str] = []
    if _from_table_file(index, table, action, role, steps):
        return steps
    if _from_default(index, table, action, role, steps):
        return steps
    combines = dict(getattr(result.compiled.surface, "combines", None) or {})
    if role in combines:
        return steps + _combines_steps(result, table, action, role, combines[role])
    parents = role_parents(index.spec, []).get(role, ())
    if not parents:
        steps.append(f"`{role}` inherits from no role: no {action} permission on {table}")
        return steps
    for parent in parents:
        found = result.compiled.get(table, action, parent)
        if found is None:
            steps.append(f"parent `{parent}` has no {action} permission on {table}")
        else:
            steps.append(
                f"parent `{parent}` has one ({found.origin}, {found.location}): `{role}` inherits it"
            )
    if result.compiled.get(table, action, role) is None:
        steps.append(f"so `{role}` has no {action} permission on {table}")
    return steps


def _from_table_file(
    index: SpecIndex, table: TableName, action: str, role: str, steps: list[str]
) -> bool:
    table_file = index.spec.tables.get(table)
    if table_file is None:
        steps.append(f"no table file for {table}")
        return False
    rules = table_file.value.get(action) or {}
    if role not in rules:
        steps.append(f"{table_file.doc.file}: the table file has no {action} rule for `{role}`")
        return False
    location = table_file.child(action, role).location
    if rules[role] == "deny":
        steps.append(f"{location}: the table file says `deny`; defaults and parents are not asked")
    else:
        steps.append(f"{location}: the table file's {action} rule for `{role}`")
    return True


def _from_default(
    index: SpecIndex, table: TableName, action: str, role: str, steps: list[str]
) -> bool:
    rule = default_rules(table, index_defaults(index.spec), []).get((action, role))
    if rule is None:
        steps.append(f"no default matching {table} has {_a(action)} rule for `{role}`")
        return False
    tables = rule.doc.data["defaults"][rule.path[1]]["tables"]
    pattern = tables if isinstance(tables, str) else ", ".join(tables)
    if rule.value == "deny":
        steps.append(f"{rule.location}: default `{pattern}` says `deny`; parents are not asked")
    else:
        steps.append(
            f"{rule.location}: default `{pattern}`, the most specific default matching "
            f"{table} with {_a(action)} rule for `{role}`"
        )
    return True


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def named_parts(index: SpecIndex, source: RuleSource, table: TableName) -> list[Named]:
    rule = source.rule if isinstance(source.rule, dict) else {}
    parts = index.column_sets_in(rule.get("columns"))
    for key in EXPRESSION_FIELDS:
        parts += [index.condition(n) for n in source.conditions.get(key, ())]
    parts += index.presets_in(rule.get("set"))
    return list({(p.kind, p.name): p for p in parts}.values())


# ---------------------------------------------------------------- SQL


def permission_sql(
    permission: Permission, result: Build, snapshot: Snapshot, session: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The filter and check as PostgreSQL conditions on the table's row, and notes."""
    schema = schema_from_metadata(snapshot, result.metadata)
    table, body = permission.table, permission.body
    out: dict[str, str] = {}
    notes: list[str] = []
    used: set[str] = set()
    for key in EXPRESSION_FIELDS:
        if key not in body or (key == "check" and body[key] is None):
            continue
        try:
            node = parse_expression(body[key], table, schema)
            translator = q.Translator(schema)
            text = translator.condition(node, table, table.name)
        except HasuraPermError as error:
            notes.append(f"the {key} cannot be shown as SQL: {error}")
            continue
        used |= translator.session_used
        out[key] = pretty_sql(with_session(text, session))
    missing = sorted(used - set(session))
    if missing:
        notes.append(
            "not given with --session, so read from the request's session at run time: "
            + ", ".join(missing)
        )
    unused = sorted(set(session) - used)
    if unused:
        notes.append("given but not used by this rule: " + ", ".join(unused))
    return out, notes


def with_session(sql: str, session: dict[str, str]) -> str:
    """Replace the translator's session lookups by the given values, typed as Hasura
    types them (the column's type, or its array type for `_in`)."""
    for name, value in session.items():
        prefix = f"(({q.SESSION_SQL} ->> {q.quote_literal(name)})::"
        sql = _replace_lookups(sql, prefix, value)
    return sql


def _replace_lookups(sql: str, prefix: str, value: str) -> str:
    out, start = [], 0
    while (at := sql.find(prefix, start)) >= 0:
        type_start = at + len(prefix)
        end = _closing(sql, type_start)
        if end < 0:
            break
        pg_type = sql[type_start:end]
        out += [sql[start:at], f"{q.quote_literal(value)}::{pg_type}"]
        start = end + 1
    out.append(sql[start:])
    return "".join(out)


def _closing(sql: str, start: int) -> int:
    """The index of the `)` closing the group a type name starts in (types may hold
    parentheses: numeric(10,2))."""
    depth = 1
    for i in range(start, len(sql)):
        if sql[i] == "(":
            depth += 1
        elif sql[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


# ---------------------------------------------------------------- text


def _combines_steps(
    result: Build, table: TableName, action: str, role: str, parents: tuple[str, ...]
) -> list[str]:
    derived = derived_permissions(result.compiled)
    steps = [f"`{role}` is a Hasura inherited role (`combines`): the server derives it"]
    for parent in parents:
        found = result.compiled.get(table, action, parent)
        found = found or derived.get(table, action, parent)
        if found is None:
            steps.append(f"parent `{parent}` has no {action} permission on {table}")
        else:
            steps.append(f"parent `{parent}` has one ({found.origin}, {found.location})")
    how = (
        "the union of its parents' (filters ORed, columns joined)"
        if action == "select"
        else "its parents' one permission, only if every parent that has one has the same"
    )
    mine = derived.get(table, action, role)
    steps.append(
        f"Hasura gives `{role}` {how} at request time"
        if mine is not None
        else f"so Hasura derives no {action} permission on {table} for `{role}`"
    )
    return steps


def render_text(e: Explanation) -> str:
    lines = [f"{e.table} · {e.action} · {e.role}", "", "How the rule was found:"]
    lines += [f"  {i}. {step}" for i, step in enumerate(e.steps, 1)]
    p = e.permission
    if p is None:
        lines += ["", f"`{e.role}` has no {e.action} permission on {e.table}."]
        return lines_text(lines)
    lines += ["", f"Result: {p.origin}, rule at {p.location}"]
    if e.source is not None and isinstance(e.source.rule, dict):
        lines += ["", "The rule as written:"]
        lines += [f"  {k}: {compact(v)}" for k, v in e.source.rule.items()]
    if e.named:
        lines += ["", "Named parts it uses:"]
        for part in e.named:
            lines.append(
                f"  {part.kind} `{part.name}` ({part.location}): {compact(part.definition)}"
            )
    if e.derived:
        lines += ["", "Derived by Hasura at request time (compile writes nothing for it):"]
        entry = permission_entry(e.role, p.body, p.comment)
        text = yamlfmt.dump({PERMISSION_KEYS[e.action]: [entry]}, kind="other")
        lines += [f"  {line}" for line in text.rstrip("\n").splitlines()]
        return lines_text(lines + _sql_lines(e))
    lines += ["", f"Compiles to (in {e.metadata_file}):"]
    entry = permission_entry(e.role, p.body, p.comment)
    text = yamlfmt.dump({PERMISSION_KEYS[e.action]: [entry]}, kind="other")
    lines += [f"  {line}" for line in text.rstrip("\n").splitlines()]
    lines += _sql_lines(e)
    return lines_text(lines)


def _sql_lines(e: Explanation) -> list[str]:
    lines: list[str] = []
    if e.sql:
        given = ", ".join(f"{k}={v}" for k, v in sorted(e.session.items()))
        lines += [
            "",
            f"As SQL on a row `{e.table.name}` of {e.table}"
            + (f" ({given})" if given else "")
            + ":",
        ]
    for key, text in e.sql.items():
        meaning = SQL_MEANING[key].format(verb=VERBS[e.action])
        if e.action == "update" and key == "check":
            meaning = "rows after the update must satisfy: CHECK"
        lines.append(f"  {meaning}")
        lines += [f"    {line}" for line in text.splitlines()]
    if e.notes:
        lines += [""] + [f"note: {n}" for n in e.notes]
    return lines
