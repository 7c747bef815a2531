"""The shape of metadata files we read, checked before anything uses them.

Hand-edited or hostile metadata (`tables: 5`, `table: 5`, a permission that is a number,
`columns: 5`, a relationship named 5) must give a message at file:line, not an internal
error deep inside compile, lint or import. Only what hasura-perm relies on is checked;
everything else in a table file is kept as it is.
"""

from __future__ import annotations

from typing import Any

import yaml

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.errors import excerpt
from hasura_perm.core.paths import file_name_problem
from hasura_perm.metadata.export_format import PERMISSION_KEYS

Problem = tuple[tuple[Any, ...], str]
_NAMED_LISTS = (
    "object_relationships",
    "array_relationships",
    "computed_fields",
    "remote_relationships",
)


def table_entry_problems(entry: Any) -> list[Problem]:
    """What is wrong with one table entry, by path inside the entry."""
    if not isinstance(entry, dict) or "table" not in entry:
        return [((), f"expected a table entry with a `table:` key, found {_kind(entry)}")]
    problems = _table_name_problems(entry["table"])
    for key in _NAMED_LISTS:
        problems += _named_list(entry, key)
    for key in PERMISSION_KEYS.values():
        problems += _permissions(entry, key)
    return problems


def _table_name_problems(value: Any) -> list[Problem]:
    if isinstance(value, str):
        parts = {"table": value}
    elif isinstance(value, dict) and isinstance(value.get("name"), str):
        schema = value.get("schema", "public")
        if not isinstance(schema, str):
            return [(("table", "schema"), f"`schema` must be text, found {_kind(schema)}")]
        parts = {"schema": schema, "table": value["name"]}
    else:
        found = "a mapping without `name`" if isinstance(value, dict) else _kind(value)
        return [(("table",), f"`table` must be `{{name: ..., schema: ...}}`, found {found}")]
    problems = []
    for what, name in parts.items():
        problem = file_name_problem(name, what)
        if problem:
            problems.append((("table",), problem))
    return problems


def _named_list(entry: dict[str, Any], key: str) -> list[Problem]:
    items = entry.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        return [((key,), f"`{key}` must be a list, found {_kind(items)}")]
    problems = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            found = _kind(item.get("name")) if isinstance(item, dict) else _kind(item)
            problems.append(((key, index), f"each of `{key}` needs a text `name`, found {found}"))
        elif key in ("object_relationships", "array_relationships"):
            problems += _using(item.get("using"), (key, index, "using"))
    return problems


def _using(using: Any, where: tuple[Any, ...]) -> list[Problem]:
    """A relationship's `using`: what compile reads to find the target table."""
    if using is None:
        return []
    if not isinstance(using, dict):
        return [(where, f"`using` must be a mapping, found {_kind(using)}")]
    fk = using.get("foreign_key_constraint_on")
    names = isinstance(fk, list) and all(isinstance(c, str) for c in fk)
    if fk is not None and not (isinstance(fk, str | dict) or names):
        return [
            (
                (*where, "foreign_key_constraint_on"),
                f"`foreign_key_constraint_on` must be a column, a list of columns or a "
                f"mapping, found {_kind(fk)}",
            )
        ]
    manual = using.get("manual_configuration")
    if manual is not None and not isinstance(manual, dict):
        return [
            (
                (*where, "manual_configuration"),
                f"`manual_configuration` must be a mapping, found {_kind(manual)}",
            )
        ]
    return []


def _permissions(entry: dict[str, Any], key: str) -> list[Problem]:
    items = entry.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        return [((key,), f"`{key}` must be a list, found {_kind(items)}")]
    problems: list[Problem] = []
    for index, item in enumerate(items):
        where = (key, index)
        if not isinstance(item, dict):
            problems.append((where, f"a permission must be a mapping, found {_kind(item)}"))
            continue
        if not isinstance(item.get("role"), str) or not item["role"]:
            problems.append(
                (where, f"a permission needs a text `role`, found {_kind(item.get('role'))}")
            )
        body = item.get("permission")
        if not isinstance(body, dict):
            problems.append(
                ((*where, "permission"), f"`permission` must be a mapping, found {_kind(body)}")
            )
            continue
        problems += _body(body, (*where, "permission"))
    return problems


def _body(body: dict[str, Any], where: tuple[Any, ...]) -> list[Problem]:
    problems = []
    columns = body.get("columns")
    if columns is not None and columns != "*":
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            problems.append(
                (
                    (*where, "columns"),
                    f'`columns` must be a list of names or "*", found {_kind(columns)}',
                )
            )
    for key in ("filter", "check", "set"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            problems.append(((*where, key), f"`{key}` must be a mapping, found {_kind(body[key])}"))
    for key in ("computed_fields", "query_root_fields", "subscription_root_fields"):
        value = body.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            problems.append(
                ((*where, key), f"`{key}` must be a list of names, found {_kind(value)}")
            )
    limit = body.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        problems.append(
            ((*where, "limit"), f"`limit` must be a whole number, found {_kind(limit)}")
        )
    return problems


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    return f"`{excerpt(value)}`"


def raise_located(
    problems: list[Problem], text: str | None, file: str, base: tuple[Any, ...] = ()
) -> None:
    """Raise SpecError for `problems`, each at the line of its path in `text` (a YAML file)."""
    if not problems:
        return
    root = _compose(text) if text is not None else None
    located = [
        Diagnostic(_locate(root, (*base, *path), file), message) for path, message in problems
    ]
    raise SpecError(located)


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def _locate(node: yaml.Node | None, path: tuple[Any, ...], file: str) -> Location:
    """The line and column of the node at `path` (or its nearest ancestor that exists)."""
    if node is None:
        return Location(file)
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        node = child
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


def _child(node: yaml.Node, step: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    return None
