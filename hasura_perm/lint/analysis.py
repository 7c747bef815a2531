"""What a Hasura boolean expression says, as far as the lint rules need to know.

Expressions are in Hasura's stored form (`_and`/`$and`, relationships as nested objects,
`_exists`, column operators with a session variable or literal operand). Facts:

- `always_true`: `{}` and what reduces to it (`_and: []`, an `_or` with a true branch);
- `caller_scoped`: every row it admits is tied to the caller by a session variable
  (`_and` needs one scoped part, `_or` needs every branch scoped, `_not` never is);
- `comparisons`: which columns are compared with which session variable;
- `depends_on`: the columns of the permission's table whose values decide the result
  (directly, or as the keys of a relationship it follows);
- `reaches`: the tables it reads through relationships and `_exists`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hasura_perm.boolexp.operators import COLUMN_COMPARISON
from hasura_perm.boolexp.operators import LOGICAL
from hasura_perm.boolexp.operators import spelled
from hasura_perm.boolexp.walk import exists_parts
from hasura_perm.boolexp.walk import parts
from hasura_perm.core.names import TableName
from hasura_perm.core.names import is_session_variable
from hasura_perm.lint.context import Grant
from hasura_perm.lint.context import LintContext

# Operators whose session-variable operand ties the row to the caller's value.
_SCOPING = {
    "_eq",
    "_in",
    "_contains",
    "_contained_in",
    "_has_key",
    "_has_keys_any",
    "_has_keys_all",
}


@dataclass(frozen=True)
class Comparison:
    table: TableName  # where the column is
    column: str
    operator: str
    value: Any
    path: tuple[str, ...]  # relationships followed from the permission's table


def always_true(expr: Any) -> bool:
    if expr is None or expr == {}:
        return True
    if not isinstance(expr, dict):
        return False
    return all(_part_always_true(spelled(k), v) for k, v in expr.items())


def _part_always_true(key: str, value: Any) -> bool:
    if key == "_and":
        return isinstance(value, list) and all(always_true(v) for v in value)
    if key == "_or":
        return isinstance(value, list) and any(always_true(v) for v in value)
    return False


def caller_scoped(
    expr: Any, ctx: LintContext, table: TableName, *, any_branch: bool = False
) -> bool:
    """True when the rows it admits depend on who is asking. `any_branch`: an `_or`
    counts when one branch does (partly scoped: the other branches admit rows through
    data, such as a group open to everyone)."""
    if not isinstance(expr, dict) or not expr:
        return False
    return any(_part_scoped(spelled(k), v, ctx, table, any_branch) for k, v in expr.items())


def _part_scoped(key: str, value: Any, ctx: LintContext, table: TableName, any_: bool) -> bool:
    if key in ("_and", "_or"):
        if not isinstance(value, list) or not value:
            return False
        scoped = [caller_scoped(v, ctx, table, any_branch=any_) for v in value]
        return any(scoped) if key == "_and" or any_ else all(scoped)
    if key == "_not":
        return False
    if key == "_exists":
        target, where = exists_parts(value)
        return caller_scoped(where, ctx, target or table, any_branch=any_)
    info = ctx.table(table)
    relation = info.relationships.get(key)
    if relation is not None:
        return caller_scoped(value, ctx, relation.target or _UNKNOWN, any_branch=any_)
    if looks_like_relationship(value):
        # a relationship we cannot resolve (no schema for its target): its shape says so
        return caller_scoped(value, ctx, _UNKNOWN, any_branch=any_)
    if key in info.session_computed_fields or (
        table == _UNKNOWN and key in ctx.session_computed_fields()
    ):
        return True  # the function sees the session: its result depends on the caller
    return _column_scoped(value)


_UNKNOWN = TableName("", "")  # a table we know nothing about


def looks_like_relationship(value: Any) -> bool:
    """A nested boolean expression rather than a column's operators: some key is a
    logical operator, or does not start with `_` (a column or relationship of the
    target). Column operators all start with `_` (or `$`)."""
    if not isinstance(value, dict) or not value:
        return False
    return any(spelled(k) in LOGICAL or not spelled(k).startswith("_") for k in value)


def _column_scoped(value: Any) -> bool:
    if is_session_variable(value):  # bare value: implicit _eq
        return True
    if not isinstance(value, dict):
        return False
    return any(spelled(op) in _SCOPING and is_session_variable(v) for op, v in value.items())


def comparisons(expr: Any, ctx: LintContext, table: TableName) -> Iterator[Comparison]:
    """Every column test in the expression, with the table it is on."""
    yield from _walk(expr, ctx, table, ())


def _walk(
    expr: Any, ctx: LintContext, table: TableName, path: tuple[str, ...]
) -> Iterator[Comparison]:
    for key, value in parts(expr):
        if key == "_exists":
            target, where = exists_parts(value)
            if target is not None:
                yield from _walk(where, ctx, target, (*path, f"_exists {target}"))
        elif key in ctx.table(table).relationships:
            relation = ctx.table(table).relationships[key]
            yield from _walk(value, ctx, relation.target or _UNKNOWN, (*path, key))
        elif looks_like_relationship(value):
            yield from _walk(value, ctx, _UNKNOWN, (*path, key))
        else:
            yield from _column_tests(table, key, value, path)


def _column_tests(
    table: TableName, column: str, value: Any, path: tuple[str, ...]
) -> Iterator[Comparison]:
    if not isinstance(value, dict):
        yield Comparison(table, column, "_eq", value, path)
        return
    for op, operand in value.items():
        yield Comparison(table, column, spelled(op), operand, path)


def user_comparisons(expr: Any, ctx: LintContext, table: TableName) -> set[str]:
    """Columns of `table` itself that the expression ties to the caller's user id."""
    return {
        c.column
        for c in comparisons(expr, ctx, table)
        if not c.path
        and c.operator in _SCOPING
        and is_session_variable(c.value)
        and ctx.is_user_variable(c.value)
    }


def depends_on(expr: Any, ctx: LintContext, table: TableName) -> set[str]:
    """Columns of `table` whose values the expression reads, directly or as relationship keys."""
    found: set[str] = set()
    info = ctx.table(table)
    for key, value in parts(expr):
        if key == "_exists":
            found |= _root_references(exists_parts(value)[1])
        elif key in info.relationships:
            found |= set(info.relationships[key].local_columns)
            found |= _root_references(value)
        else:
            found.add(key)
            found |= _compared_columns(value)
    return found


def _compared_columns(value: Any) -> set[str]:
    """Right-hand columns of `_ceq` and friends on the same table (`"col"` or `["col"]`)."""
    found: set[str] = set()
    if not isinstance(value, dict):
        return found
    for op, operand in value.items():
        if spelled(op) in COLUMN_COMPARISON:
            if isinstance(operand, str):
                found.add(operand)
            elif isinstance(operand, list) and len(operand) == 1:
                found.add(operand[0])
    return found


def _root_references(expr: Any) -> set[str]:
    """`["$", "col"]` operands anywhere below: columns of the permission's own table."""
    found: set[str] = set()
    if isinstance(expr, dict):
        for key, value in expr.items():
            if spelled(key) in COLUMN_COMPARISON and isinstance(value, list) and value[:1] == ["$"]:
                found.update(value[1:2])
            else:
                found |= _root_references(value)
    elif isinstance(expr, list):
        for item in expr:
            found |= _root_references(item)
    return found


def reaches(expr: Any, ctx: LintContext, table: TableName) -> Iterator[tuple[TableName, str]]:
    """(table, how) for every other table the expression reads rows of."""
    info = ctx.table(table)
    for key, value in parts(expr):
        if key == "_exists":
            target, where = exists_parts(value)
            if target is not None:
                yield target, "_exists"
                yield from reaches(where, ctx, target)
        elif key in info.relationships and info.relationships[key].target is not None:
            target = info.relationships[key].target
            assert target is not None
            yield target, f"relationship `{key}`"
            yield from reaches(value, ctx, target)


def scoping_columns(expr: Any, ctx: LintContext, table: TableName) -> set[str]:
    """Columns of `table` that tie a row to the caller: compared with a session variable,
    or the keys of a relationship under which such a comparison sits."""
    found: set[str] = set()
    relationships = ctx.table(table).relationships
    for c in comparisons(expr, ctx, table):
        if c.operator not in _SCOPING or not is_session_variable(c.value):
            continue
        if not c.path:
            found.add(c.column)
        elif c.path[0] in relationships:
            found.update(relationships[c.path[0]].local_columns)
    return found


def owner_columns(ctx: LintContext, table: TableName, *, for_writes: bool) -> dict[str, str]:
    """Columns that say which user a row belongs to -> the evidence, for messages.

    For reads only the project's own statement counts: some rule of the table compares the
    column with the caller's user id. For writes, also a preset from the user id, and a
    foreign key (or a column named like the users table's key) to the users table, unless
    an insert rule attributes rows to their creator (presets a column from the caller's
    id): then such a column names whom the row is about (an assignee, a team member),
    not whose it is. Audit columns (created_by and the like) record provenance, not
    ownership, and never count.
    """
    found: dict[str, str] = {}
    for grant in ctx.grants_on(table):
        for expr in (grant.filter, grant.check):
            for column in sorted(user_comparisons(expr, ctx, table)):
                found.setdefault(
                    column, f"{grant.role}'s {grant.action} rule compares it with the caller's id"
                )
    if for_writes:
        for column, why in _user_links(ctx, table).items():
            if not ctx.is_audit_column(column):
                found.setdefault(column, why)
    return found


def _user_links(ctx: LintContext, table: TableName) -> dict[str, str]:
    info = ctx.table(table)
    links: dict[str, str] = {}
    attributed = False
    for grant in ctx.grants_on(table):
        for column, value in grant.presets.items():
            if is_session_variable(value) and ctx.is_user_variable(value):
                links.setdefault(
                    column, f"{grant.role}'s {grant.action} rule presets it to {value}"
                )
                attributed = attributed or grant.action == "insert"
    if attributed:
        return links
    for fk in info.foreign_keys:
        if len(fk.columns) == 1 and ctx.is_users_table(fk.references) and fk.references != table:
            links.setdefault(fk.columns[0], f"a foreign key to {fk.references}")
    if info.columns is None or ctx.is_users_table(table):
        return links
    keyed = {fk.columns[0] for fk in info.foreign_keys if len(fk.columns) == 1}
    for users in ctx.tables.values():
        key = users.primary_key or ()
        if ctx.is_users_table(users.name) and len(key) == 1 and key[0] != "id":
            if key[0] in info.columns and key[0] not in keyed:
                links.setdefault(key[0], f"named like the key of {users.name}")
    return links


def unclaimed_only(expr: Any, owners: set[str]) -> bool:
    """The expression requires an owner column to be null (`{user_id: {_is_null: true}}`,
    alone or as a part of `_and`): it admits only rows nobody owns yet, such as an unused
    invitation or demo code a user is about to claim."""
    if not isinstance(expr, dict):
        return False
    for raw_key, value in expr.items():
        key = spelled(raw_key)
        if key == "_and" and isinstance(value, list):
            if any(unclaimed_only(item, owners) for item in value):
                return True
        elif key in owners and isinstance(value, dict):
            if any(spelled(op) == "_is_null" and operand is True for op, operand in value.items()):
                return True
    return False


def write_scoped(ctx: LintContext, grant: Grant) -> bool:
    """The rows an update or delete may change depend on the caller: its filter is caller
    scoped, or (update) its post-update check is and reads no column the update writes.
    Hasura rolls the whole mutation back when a changed row fails the check, so a check
    the caller cannot make true by writing restricts the rows as a filter would."""
    if caller_scoped(grant.filter, ctx, grant.table):
        return True
    if grant.action != "update" or not caller_scoped(grant.check, ctx, grant.table):
        return False
    writable = ctx.writable(grant)
    if writable is None:
        return False
    return not (depends_on(grant.check, ctx, grant.table) & writable)
