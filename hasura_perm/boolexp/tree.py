"""Hasura boolean expressions as a small tree: parsed against the schema (tables from the
snapshot, relationships and computed fields from the metadata), written back in Hasura's
form, walked with readable paths, and rewritten (coverage reduces an `_or` to one arm,
mutation testing drops a conjunct)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

from hasura_perm.boolexp.operators import logical_name
from hasura_perm.boolexp.operators import spelled
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.core.names import session_variable
from hasura_perm.core.names import table_ref
from hasura_perm.schema.snapshot import Table


class UnsupportedRule(HasuraPermError):
    """The rule uses something the test engine cannot evaluate (yet)."""


class ExpressionError(HasuraPermError):
    """An expression names something the schema does not have."""


# --------------------------------------------------------------------------- schema model


@dataclass(frozen=True)
class Relationship:
    name: str
    kind: str  # "object" | "array"
    target: TableName
    mapping: tuple[tuple[str, str], ...]  # (column here, column there)


@dataclass(frozen=True)
class ComputedField:
    name: str
    function: TableName  # schema-qualified function name
    table_argument: str | None = None
    session_argument: str | None = None
    returns: str | None = None  # scalar return type, when known
    returns_table: TableName | None = None  # set when it returns rows of a table


@dataclass
class Schema:
    """What an expression may name: tables (snapshot), relationships and computed fields
    (metadata), with the column mappings a translation needs."""

    tables: dict[TableName, Table]
    relationships: dict[TableName, dict[str, Relationship]] = field(default_factory=dict)
    computed_fields: dict[TableName, dict[str, ComputedField]] = field(default_factory=dict)

    def table(self, name: TableName) -> Table:
        found = self.tables.get(name)
        if found is None:
            raise ExpressionError(f"table {name} is not in the schema snapshot")
        return found


# --------------------------------------------------------------------------- expression tree


class Node:
    """A parsed boolean expression. Identity matters: rewrites replace nodes by identity."""


@dataclass(frozen=True, eq=False)
class And(Node):
    items: tuple[Node, ...]
    implicit: bool = False  # several keys of one object, rather than `_and: [...]`


@dataclass(frozen=True, eq=False)
class Or(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Not(Node):
    item: Node


@dataclass(frozen=True, eq=False)
class Exists(Node):
    table: TableName
    where: Node
    raw_table: Any


@dataclass(frozen=True, eq=False)
class Related(Node):
    relationship: Relationship
    where: Node


@dataclass(frozen=True, eq=False)
class SetComputed(Node):
    """A computed field returning rows of a table, used like a relationship."""

    field: ComputedField
    where: Node


@dataclass(frozen=True)
class Op:
    key: str  # as written (`$eq` or `_eq`)
    name: str  # normalised (`_eq`)
    value: Any


@dataclass(frozen=True, eq=False)
class Compare(Node):
    """Operators on one column or scalar computed field of the current table."""

    name: str
    ops: tuple[Op, ...]
    bare: Any = None  # the value of `{column: value}` (implicit `_eq`); ops is then empty
    is_bare: bool = False
    computed: ComputedField | None = None


def parse(value: Any, table: TableName, schema: Schema) -> Node:
    """Parse a Hasura boolean expression evaluated on rows of `table`."""
    if not isinstance(value, dict):
        raise ExpressionError(f"expected a boolean expression (a mapping), found {value!r}")
    parts = [_parse_key(key, item, table, schema) for key, item in value.items()]
    if len(parts) == 1:
        return parts[0]
    return And(tuple(parts), implicit=True)


def _parse_key(key: str, value: Any, table: TableName, schema: Schema) -> Node:
    logical = logical_name(key)
    if logical == "_and":
        return And(tuple(parse(v, table, schema) for v in _list(value, key)))
    if logical == "_or":
        return Or(tuple(parse(v, table, schema) for v in _list(value, key)))
    if logical == "_not":
        return Not(parse(value, table, schema))
    if logical == "_exists":
        return _parse_exists(value, table, schema)
    return _parse_field(key, value, table, schema)


def _list(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise ExpressionError(f"`{key}` takes a list of boolean expressions")
    return value


def _parse_exists(value: Any, table: TableName, schema: Schema) -> Node:
    if not isinstance(value, dict) or "_table" not in value or "_where" not in value:
        raise ExpressionError("`_exists` takes {_table: ..., _where: ...}")
    raw = value["_table"]
    target = table_ref(raw, dotted=True)
    if target is None:
        raise ExpressionError(f"`_exists` names no table: {raw!r}")
    schema.table(target)
    return Exists(target, parse(value["_where"], target, schema), raw)


def _parse_field(key: str, value: Any, table: TableName, schema: Schema) -> Node:
    info = schema.table(table)
    if key in info.columns:
        return parse_compare(key, value, None)
    relationship = schema.relationships.get(table, {}).get(key)
    if relationship is not None:
        return Related(relationship, parse(value, relationship.target, schema))
    computed = schema.computed_fields.get(table, {}).get(key)
    if computed is not None:
        if computed.returns_table is not None:
            return SetComputed(computed, parse(value, computed.returns_table, schema))
        return parse_compare(key, value, computed)
    raise ExpressionError(f"`{key}` is no column, relationship or computed field of {table}")


def parse_compare(name: str, value: Any, computed: ComputedField | None) -> Compare:
    if not isinstance(value, dict):
        return Compare(name, (), bare=value, is_bare=True, computed=computed)
    ops = tuple(Op(key, spelled(key), v) for key, v in value.items())
    return Compare(name, ops, computed=computed)


def to_json(node: Node) -> Any:
    """The Hasura form of a (possibly rewritten) tree."""
    if isinstance(node, And):
        if node.implicit:
            merged: dict[str, Any] = {}
            for item in node.items:
                merged.update(to_json(item))
            return merged
        return {"_and": [to_json(item) for item in node.items]}
    if isinstance(node, Or):
        return {"_or": [to_json(item) for item in node.items]}
    if isinstance(node, Not):
        return {"_not": to_json(node.item)}
    if isinstance(node, Exists):
        return {"_exists": {"_table": node.raw_table, "_where": to_json(node.where)}}
    if isinstance(node, Related):
        return {node.relationship.name: to_json(node.where)}
    if isinstance(node, SetComputed):
        return {node.field.name: to_json(node.where)}
    assert isinstance(node, Compare)
    if node.is_bare:
        return {node.name: node.bare}
    return {node.name: {op.key: op.value for op in node.ops}}


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (And, Or)):
        return node.items
    if isinstance(node, Not):
        return (node.item,)
    if isinstance(node, (Exists, Related, SetComputed)):
        return (node.where,)
    return ()


def rebuild(node: Node, new_children: tuple[Node, ...]) -> Node:
    if isinstance(node, (And, Or)):
        return replace(node, items=new_children)
    if isinstance(node, Not):
        return replace(node, item=new_children[0])
    if isinstance(node, (Exists, Related, SetComputed)):
        return replace(node, where=new_children[0])
    return node


def substitute(root: Node, target: Node, replacement: Node) -> Node:
    """`root` with the node `target` (by identity) replaced."""
    if root is target:
        return replacement
    kids = children(root)
    if not kids:
        return root
    new = tuple(substitute(kid, target, replacement) for kid in kids)
    if all(a is b for a, b in zip(new, kids, strict=True)):
        return root
    return rebuild(root, new)


def walk(root: Node, path: str = "") -> Iterator[tuple[Node, str]]:
    """Every node with a readable path (`_and[1]._or[0].project`)."""
    yield root, path
    if isinstance(root, (And, Or)):
        for i, item in enumerate(root.items):
            yield from walk(item, _join(path, walk_step(root, i, item)))
    elif children(root):
        yield from walk(children(root)[0], _join(path, step_name(root)))


def walk_step(parent: And | Or, index: int, item: Node) -> str:
    """The path step from an `_and`/`_or` to one of its items."""
    if isinstance(parent, Or):
        return f"_or[{index}]"
    return next(iter(to_json(item)), "?") if parent.implicit else f"_and[{index}]"


def step_name(node: Node) -> str:
    """The path step into the one child of `_not`, `_exists` or a relationship."""
    if isinstance(node, Not):
        return "_not"
    if isinstance(node, Exists):
        return "_exists"
    if isinstance(node, Related):
        return node.relationship.name
    if isinstance(node, SetComputed):
        return node.field.name
    return "?"


def _join(path: str, step: str) -> str:
    return f"{path}.{step}" if path else step


@dataclass(frozen=True)
class Branch:
    """One arm of an `_or`, and the whole expression with that `_or` reduced to the arm:
    a row is admitted *through* the arm when the reduced expression holds for it."""

    label: str  # e.g. `_or[1]` or `_and[0]._or[2]`
    expression: Any  # the arm, in Hasura form (for reports)
    reduced: Node


def or_branches(root: Node) -> list[Branch]:
    found = []
    for node, path in walk(root):
        if isinstance(node, Or):
            for i, item in enumerate(node.items):
                reduced = substitute(root, node, Or((item,)))
                found.append(Branch(_join(path, f"_or[{i}]"), to_json(item), reduced))
    return found


def session_variables(root: Node) -> set[str]:
    """Every session variable the expression reads (lower case)."""
    names: set[str] = set()
    for node, _path in walk(root):
        if isinstance(node, Compare):
            values = [node.bare] if node.is_bare else [op.value for op in node.ops]
            for value in values:
                names |= _session_names(value)
    return names


def _session_names(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_session_names(v) for v in value.values())) if value else set()
    name = session_variable(value)
    return {name} if name else set()
