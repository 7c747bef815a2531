"""Hasura boolean expressions: expand condition names, check every field and operator
against the catalog, and normalise to what Hasura stores.

The rules follow shared/reference/hasura-v2-permissions-and-metadata-api.md section 2
(Hasura's Backends/Postgres/DDL/BoolExp.hs): operator families by column type, session
variables in operand positions, `$`/`_` prefixes, column comparisons with `$` roots.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple

from hasura_perm.boolexp.operators import ALL_OPERATORS
from hasura_perm.boolexp.operators import COLUMN_COMPARISON
from hasura_perm.boolexp.operators import CONTAINMENT
from hasura_perm.boolexp.operators import GEO_ANY_OPS
from hasura_perm.boolexp.operators import GEOMETRY_OPS
from hasura_perm.boolexp.operators import JSONB_KEY_OPS
from hasura_perm.boolexp.operators import LIST_OPS
from hasura_perm.boolexp.operators import LTREE_OPS
from hasura_perm.boolexp.operators import TEXT_OPS
from hasura_perm.boolexp.operators import logical_name
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.names import TableName
from hasura_perm.core.names import is_session_variable
from hasura_perm.core.names import session_variable
from hasura_perm.core.names import table_ref
from hasura_perm.core.validate import did_you_mean
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.catalog import missing_relationship_note
from hasura_perm.schema.catalog import type_category
from hasura_perm.schema.literals import value_fits
from hasura_perm.spec import Node

MAX_CONDITION_DEPTH = 64  # conditions using conditions; keeps compile's recursion bounded

# Operator family -> the column type categories it works on.
_ALLOWED_CATEGORIES = {
    TEXT_OPS: {"text"},
    CONTAINMENT: {"jsonb", "array"},
    JSONB_KEY_OPS: {"jsonb"},
    GEOMETRY_OPS: {"geometry"},
    GEO_ANY_OPS: {"geometry", "geography"},
    LTREE_OPS: {"ltree"},
}
_CASTS = {("geometry", "geography"), ("geography", "geometry"), ("jsonb", "text")}


@dataclass
class ExprContext:
    """Everything needed to compile expressions, and where problems are collected."""

    catalog: Catalog
    conditions: dict[str, Node]
    session: dict[str, Node]
    problems: list[Diagnostic] = field(default_factory=list)
    session_used: set[str] = field(default_factory=set)
    # Tables Hasura tracks: those with a metadata table file, and the managed ones (compile
    # writes theirs; plan refuses a server that does not track them). None: not known.
    tracked: set[TableName] | None = None
    conditions_used: set[str] = field(default_factory=set)

    def report(self, node: Node, message: str) -> None:
        self.problems.append(Diagnostic(node.location, message))


class _Where(NamedTuple):  # a NamedTuple: one is made per condition and relationship walked
    table: TableName  # the table this part of the expression is evaluated on
    root: TableName  # the permission's table (`$` in column comparisons)
    shared: bool  # the rule is not in the table's own file (a default), say which table
    conditions_open: tuple[str, ...] = ()  # the conditions we are inside, outermost first

    @property
    def usage(self) -> str:
        """Context for a message about a part that is shared between tables."""
        parts = []
        if self.conditions_open:
            parts.append("in condition " + " -> ".join(f"`{c}`" for c in self.conditions_open))
        if self.shared or self.conditions_open:
            parts.append(f"for the rule on {self.root}")
        return f" ({', '.join(parts)})" if parts else ""

    def inside(self, table: TableName) -> _Where:
        return _Where(table, self.root, self.shared, self.conditions_open)


def compile_boolexp(node: Node, table: TableName, ctx: ExprContext, shared: bool = False) -> Any:
    """The Hasura form of a rule's expression; problems go to ctx.problems.
    `shared`: the rule comes from a default, so messages name the table."""
    try:
        return _expr(node, _Where(table, table, shared), ctx)
    except RecursionError:  # conditions within conditions, each nested to the YAML limit
        ctx.report(node, "expression nested too deeply (through conditions); simplify it")
        return {}


def _expr(node: Node, where: _Where, ctx: ExprContext) -> Any:
    value = node.value
    if isinstance(value, str):
        return _condition(node, where, ctx)
    if not isinstance(value, dict):
        ctx.report(
            node, f"expected a boolean expression (a mapping or a condition name){where.usage}"
        )
        return {}
    out: dict[str, Any] = {}
    for key in value:
        child = node.child(key)
        name = logical_name(key)
        if name is not None:
            out[name] = _logical(name, child, where, ctx)
        else:
            out[key] = _field(key, child, where, ctx)
    return out


def _logical(name: str, node: Node, where: _Where, ctx: ExprContext) -> Any:
    if name == "_not":
        return _expr(node, where, ctx)
    if name == "_exists":
        return _exists(node, where, ctx)
    if not isinstance(node.value, list):
        ctx.report(node, f"`{name}` takes a list of boolean expressions{where.usage}")
        return []
    return [_expr(node.child(i), where, ctx) for i in range(len(node.value))]


def _exists(node: Node, where: _Where, ctx: ExprContext) -> Any:
    spec = node.value
    if not isinstance(spec, dict) or set(spec) != {"_table", "_where"}:
        ctx.report(node, f"`_exists` takes {{_table: schema.table, _where: ...}}{where.usage}")
        return {}
    written = table_ref(spec["_table"], dotted=True)
    target = written
    if written is not None and ctx.catalog.table(written) is None:
        target = written.beside(where.table)  # several sources seen at once (import)
    if target is None or written is None or ctx.catalog.table(target) is None:
        ctx.report(
            node.child("_table"),
            f"unknown table `{_show(spec['_table'])}` in `_exists`{where.usage}",
        )
        return {"_table": spec["_table"], "_where": {}}
    if ctx.tracked is not None and target not in ctx.tracked:
        # askFieldInfoMapSource (Hasura's RQL/Types/SchemaCache.hs) refuses the permission.
        ctx.report(
            node.child("_table"),
            f"`{target}` in `_exists` is not tracked by Hasura (it has no table file in "
            f"metadata/ and no rule manages it){where.usage}; Hasura refuses the permission: "
            "track the table first",
        )
    inner = where.inside(target)
    return {
        "_table": {"name": written.name, "schema": written.schema},
        "_where": _expr(node.child("_where"), inner, ctx),
    }


def _condition(node: Node, where: _Where, ctx: ExprContext) -> Any:
    name = node.value
    definition = ctx.conditions.get(name)
    if definition is None:
        hint = did_you_mean(name, list(ctx.conditions))
        ctx.report(
            node,
            f"unknown condition `{name}`{where.usage}{hint or '; define it under `conditions:`'}",
        )
        return {}
    if name in where.conditions_open:
        chain = " -> ".join((*where.conditions_open, name))
        ctx.report(definition, f"condition `{name}` refers to itself ({chain})")
        return {}
    if len(where.conditions_open) >= MAX_CONDITION_DEPTH:
        chain = " -> ".join(where.conditions_open[:3])
        ctx.report(
            node,
            f"conditions use each other more than {MAX_CONDITION_DEPTH} deep "
            f"({chain} -> ...); the limit is {MAX_CONDITION_DEPTH}",
        )
        return {}
    ctx.conditions_used.add(name)
    inner = _Where(where.table, where.root, where.shared, (*where.conditions_open, name))
    return _expr(definition, inner, ctx)


def _field(key: str, node: Node, where: _Where, ctx: ExprContext) -> Any:
    table = ctx.catalog.table(where.table)
    if table is not None and key in table.columns:
        return _column(table.columns[key], key, node, where, ctx)
    relationship = ctx.catalog.relationships.get(where.table, {}).get(key)
    if relationship is not None:
        if relationship.target is None or ctx.catalog.table(relationship.target) is None:
            return node.value  # we cannot see the target; Hasura will check it
        return _expr(node, where.inside(relationship.target), ctx)
    if key in ctx.catalog.computed_fields.get(where.table, ()):
        return node.value
    if key.startswith(("_", "$")):
        ctx.report(node, f"unknown operator `{key}` where a column was expected{where.usage}")
        return node.value
    hint = missing_relationship_note(
        ctx.catalog, where.table, key, did_you_mean(key, ctx.catalog.fields(where.table))
    )
    ctx.report(node, f"unknown column or relationship `{key}` on {where.table}{where.usage}{hint}")
    return node.value


def _column(pg_type: str, column: str, node: Node, where: _Where, ctx: ExprContext) -> Any:
    category = type_category(pg_type)
    if pg_type.lower() == "json":
        ctx.report(
            node,
            f"column `{column}` is of type json, which Hasura cannot use in a boolean "
            f"expression; make it jsonb{where.usage}",
        )
        return node.value
    if not isinstance(node.value, dict):  # a bare value means _eq
        _operand("_eq", node, pg_type, where, ctx)
        return node.value
    for op in node.value:
        _operator(op, node.child(op), column, pg_type, category, where, ctx)
    return node.value


def _operator(
    op: str, node: Node, column: str, pg_type: str, category: str, where: _Where, ctx: ExprContext
) -> None:
    name = f"_{op[1:]}" if op.startswith("$") else op
    if name not in ALL_OPERATORS:
        hint = did_you_mean(name, sorted(ALL_OPERATORS))
        ctx.report(node, f"unknown operator `{op}` on column `{column}`{where.usage}{hint}")
        return
    for family, categories in _ALLOWED_CATEGORIES.items():
        if name in family and category not in categories:
            kinds = " or ".join(sorted(categories))
            ctx.report(
                node,
                f"operator `{op}` works only on {kinds} columns; `{column}` is {pg_type}{where.usage}",
            )
            return
    if name in COLUMN_COMPARISON:
        _column_comparison(op, node, pg_type, where, ctx)
    elif name == "_cast":
        _cast(node, column, pg_type, where, ctx)
    elif name == "_is_null":
        if not isinstance(node.value, bool):
            ctx.report(node, f"`{op}` takes true or false{where.usage}")
    elif name in GEOMETRY_OPS | GEO_ANY_OPS:
        if _mentions_session(node.value):
            ctx.report(node, f"session variables cannot be used with `{op}`{where.usage}")
    else:
        _operand(name, node, pg_type, where, ctx)


def _operand(op: str, node: Node, pg_type: str, where: _Where, ctx: ExprContext) -> None:
    value = node.value
    if is_session_variable(value):
        _session_variable(node, where, ctx)
        _session_type(op, node, pg_type, where, ctx)
        return
    if op in LIST_OPS or op in ("_has_keys_any", "_has_keys_all"):
        if not isinstance(value, list):
            ctx.report(node, f"`{op}` takes a list or a session variable{where.usage}")
            return
        element_type = "text" if op.startswith("_has") else pg_type
        for i in range(len(value)):
            _literal(node.child(i), element_type, where, ctx)
        return
    if op in CONTAINMENT or op == "_has_key":
        return
    _literal(node, pg_type, where, ctx)


def literal_fits(value: Any, pg_type: str) -> bool:
    """Whether Hasura can read `value` as a literal of `pg_type` (None is NULL); a string
    counts when Postgres can cast it to the type (hasura_perm/schema/literals.py)."""
    return value_fits(value, pg_type)


def _literal(node: Node, pg_type: str, where: _Where, ctx: ExprContext) -> None:
    value = node.value
    if value is None or is_session_variable(value):
        if value is not None:
            _session_variable(node, where, ctx)
        return
    if isinstance(value, bool) and type_category(pg_type) == "text":
        ctx.report(
            node,
            f"this value was read as the YAML boolean {str(value).lower()} (unquoted yes, no, "
            f"on, off, true and false are booleans), but the column is {pg_type}: quote it "
            f'(e.g. "yes") if you mean the text{where.usage}',
        )
    elif not literal_fits(value, pg_type):
        ctx.report(node, f"{value!r} is not a valid {pg_type} value{where.usage}")


def _session_variable(node: Node, where: _Where, ctx: ExprContext) -> None:
    name = session_variable(node.value)
    assert name is not None
    ctx.session_used.add(name)
    if name not in ctx.session:
        hint = did_you_mean(name, list(ctx.session))
        ctx.report(
            node,
            f"session variable `{node.value}` is not declared{where.usage}"
            f"{hint or '; declare it under `session:`'}",
        )


def _session_type(op: str, node: Node, pg_type: str, where: _Where, ctx: ExprContext) -> None:
    """A list operator needs an array variable, and one value an array only for an array
    column; checked when the variable's `type:` is declared (Hasura would fail at query time)."""
    declared = ctx.session.get(node.value.lower())
    var_type = declared.value.get("type") if declared and isinstance(declared.value, dict) else None
    if not isinstance(var_type, str):
        return
    is_array = var_type.strip().endswith("[]")
    if op in LIST_OPS and not is_array:
        ctx.report(
            node,
            f"`{op}` needs an array session variable; `{node.value}` is declared as {var_type}: "
            f"use `_eq`, or declare an array variable (`type: {var_type}[]`){where.usage}",
        )
    elif op not in LIST_OPS and op not in CONTAINMENT and is_array and not pg_type.endswith("[]"):
        if op.startswith("_has_keys"):
            return
        ctx.report(
            node,
            f"`{op}` compares one value, but `{node.value}` is declared as {var_type}: "
            f"use `_in`{where.usage}",
        )


def _column_comparison(op: str, node: Node, pg_type: str, where: _Where, ctx: ExprContext) -> None:
    value = node.value
    table, column = where.table, None
    if isinstance(value, str):
        column = value
    elif isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        column = value[0]
    elif isinstance(value, list) and len(value) == 2 and value[0] == "$":
        table, column = where.root, value[1]
    if not isinstance(column, str):
        ctx.report(node, f'`{op}` takes "column", ["column"] or ["$", "column"]{where.usage}')
        return
    other = ctx.catalog.table(table)
    if other is None or column not in other.columns:
        hint = did_you_mean(column, list(other.columns) if other else [])
        ctx.report(node, f"unknown column `{column}` on {table} in `{op}`{where.usage}{hint}")
        return
    if other.columns[column].lower() != pg_type.lower():
        ctx.report(
            node,
            f"incompatible column types in `{op}`: {pg_type} and {other.columns[column]}{where.usage}",
        )


def _cast(node: Node, column: str, pg_type: str, where: _Where, ctx: ExprContext) -> None:
    if not isinstance(node.value, dict):
        ctx.report(node, f"`_cast` takes {{type: {{operators}}}}{where.usage}")
        return
    source = type_category(pg_type)
    for target in node.value:
        if (source, target.lower()) not in _CASTS:
            ctx.report(
                node.child(target),
                f"cannot cast `{column}` ({pg_type}) to {target}; Hasura allows only "
                f"geometry<->geography and jsonb->text{where.usage}",
            )
            continue
        inner = node.child(target)
        for op in inner.value if isinstance(inner.value, dict) else ():
            _operator(op, inner.child(op), column, target, type_category(target), where, ctx)


def _mentions_session(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_mentions_session(v) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_session(v) for v in value)
    return is_session_variable(value)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def condition_references(
    value: Any, names: set[str] | dict[str, Any], columns: set[str]
) -> list[str]:
    """The condition names an expression uses, found without a table (for unused
    conditions): a string where an expression may stand that names a condition. Under a
    key that is a column somewhere (`{status: active}`) a string is a value, not a name."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item in names:
                found.append(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                name = logical_name(key) if isinstance(key, str) else None
                if name in ("_and", "_or") and isinstance(child, list):
                    stack.extend(child)
                elif name == "_not":
                    stack.append(child)
                elif name == "_exists" and isinstance(child, dict):
                    stack.append(child.get("_where"))
                elif name is None and not str(key).startswith(("_", "$")):
                    if key not in columns or isinstance(child, dict):
                        stack.append(child)  # a relationship's expression (or a column's)
    return found
