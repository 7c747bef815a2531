"""`POST /v1/graphql`, minimal: admin-only mutations `insert_<table>_one(object:, on_conflict:)`
over the tracked tables of the source `default`, run on the real PostgreSQL.

Supported: a `mutation` operation with variables, aliases, several root fields (run in order in
one transaction, as Hasura does), `on_conflict {constraint, update_columns, where}` with a
where of `_and/_or/_not` and `_eq/_neq/_gt/_lt/_gte/_lte/_in/_nin/_is_null`, and a selection
of plain columns. Root field names follow Hasura's defaults (`insert_<name>_one` for schema
public, `insert_<schema>_<name>_one` otherwise). Errors come back as Hasura's GraphQL errors
(`{"errors": [{"message", "extensions": {"path", "code"}}]}`, HTTP 200).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

# -- a tiny GraphQL reader (the subset above)

_TOKEN = re.compile(
    r"""(?P<skip>[\s,]+|\#[^\n]*)
      | (?P<punct>[{}()\[\]:!$=@])
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
    """,
    re.X,
)


class GraphQLError(Exception):
    def __init__(self, message: str, code: str = "validation-failed", path: str = "$") -> None:
        super().__init__(message)
        self.message, self.code, self.path = message, code, path

    def to_json(self) -> dict[str, Any]:
        return {
            "errors": [
                {"message": self.message, "extensions": {"path": self.path, "code": self.code}}
            ]
        }


@dataclass
class _Variable:
    name: str


@dataclass
class _Enum:
    name: str


@dataclass
class Field:
    alias: str
    name: str
    arguments: dict[str, Any]
    selection: list[str]


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise GraphQLError(f"parse error at character {pos}", "parse-failed")
        pos = match.end()
        if match.lastgroup != "skip":
            out.append((match.lastgroup or "", match.group()))
    return out


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token[1] != expected):
            got = token[1] if token else "end of input"
            raise GraphQLError(f"expected {expected or 'more input'}, found {got}", "parse-failed")
        self.i += 1
        return token[1]

    def at(self, value: str) -> bool:
        token = self.peek()
        return token is not None and token[1] == value

    def operation(self) -> list[Field]:
        if self.at("{"):
            raise GraphQLError("the stand-in serves mutations only", "not-supported")
        kind = self.take()
        if kind != "mutation":
            raise GraphQLError(f"the stand-in serves mutations only, not {kind}", "not-supported")
        if self.peek() and self.peek()[0] == "name":  # type: ignore[index]
            self.take()
        if self.at("("):
            self.variable_definitions()
        return self.selection_set()

    def variable_definitions(self) -> None:
        self.take("(")
        while not self.at(")"):
            self.take("$")
            self.take()
            self.take(":")
            self.type_ref()
            if self.at("="):
                self.take("=")
                self.value()
        self.take(")")

    def type_ref(self) -> None:
        if self.at("["):
            self.take("[")
            self.type_ref()
            self.take("]")
        else:
            self.take()
        if self.at("!"):
            self.take("!")

    def selection_set(self) -> list[Field]:
        self.take("{")
        fields = []
        while not self.at("}"):
            fields.append(self.field())
        self.take("}")
        return fields

    def field(self) -> Field:
        name = self.take()
        alias = name
        if self.at(":"):
            self.take(":")
            name = self.take()
        arguments: dict[str, Any] = {}
        if self.at("("):
            self.take("(")
            while not self.at(")"):
                key = self.take()
                self.take(":")
                arguments[key] = self.value()
            self.take(")")
        selection = [f.name for f in self.selection_set()] if self.at("{") else []
        return Field(alias, name, arguments, selection)

    def value(self) -> Any:
        kind, text = self.peek() or ("", "")
        if text == "$":
            self.take()
            return _Variable(self.take())
        if text == "[":
            self.take()
            items = []
            while not self.at("]"):
                items.append(self.value())
            self.take("]")
            return items
        if text == "{":
            self.take()
            obj = {}
            while not self.at("}"):
                key = self.take()
                self.take(":")
                obj[key] = self.value()
            self.take("}")
            return obj
        self.take()
        if kind == "string":
            return json.loads(text)
        if kind == "number":
            return json.loads(text)
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        return _Enum(text)


def _resolve(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, _Variable):
        if value.name not in variables:
            raise GraphQLError(f"missing variable `{value.name}`")
        return variables[value.name]
    if isinstance(value, _Enum):
        return value.name
    if isinstance(value, list):
        return [_resolve(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, variables) for k, v in value.items()}
    return value


# -- execution


def execute(server: Any, body: Any, role: str) -> tuple[int, Any]:
    """Run one GraphQL request; (HTTP status, JSON body)."""
    try:
        if role != "admin":
            raise GraphQLError(
                "the stand-in's GraphQL endpoint serves the admin role only", "access-denied"
            )
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise GraphQLError("the key 'query' was not present", "parse-failed")
        fields = _Reader(body["query"]).operation()
        variables = body.get("variables") or {}
        tables = _tracked_tables(server)
        return 200, {"data": _run(server.sources["default"], fields, variables, tables)}
    except GraphQLError as err:
        return 200, err.to_json()


def _tracked_tables(server: Any) -> dict[str, tuple[str, str]]:
    """`insert_<...>_one` root field -> (schema, table) for the tracked tables of `default`."""
    out = {}
    for source in server.export()["sources"]:
        if source["name"] != "default":
            continue
        for entry in source.get("tables", []):
            schema, name = entry["table"]["schema"], entry["table"]["name"]
            prefix = name if schema == "public" else f"{schema}_{name}"
            out[f"insert_{prefix}_one"] = (schema, name)
    return out


def _run(
    url: str, fields: list[Field], variables: dict[str, Any], tables: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    with psycopg.connect(url, autocommit=False) as conn:
        try:
            for field in fields:
                if field.name not in tables:
                    raise GraphQLError(
                        f"field '{field.name}' not found in type: 'mutation_root'",
                        path=f"$.selectionSet.{field.name}",
                    )
                arguments = _resolve(field.arguments, variables)
                data[field.alias] = _insert_one(conn, tables[field.name], field, arguments)
        except GraphQLError:
            conn.rollback()
            raise
        except psycopg.errors.UniqueViolation as err:
            conn.rollback()
            raise GraphQLError(
                f"Uniqueness violation. {err.diag.message_primary}", "constraint-violation"
            ) from None
        except psycopg.errors.NotNullViolation as err:
            conn.rollback()
            raise GraphQLError(
                f"Not-NULL violation. {err.diag.message_primary}", "constraint-violation"
            ) from None
        except psycopg.Error as err:
            conn.rollback()
            raise GraphQLError(
                f"database query error: {err.diag.message_primary}", "unexpected"
            ) from None
        conn.commit()
    return data


def _insert_one(
    conn: psycopg.Connection, table: tuple[str, str], field: Field, args: dict[str, Any]
) -> Any:
    path = f"$.selectionSet.{field.alias}.args"
    columns = _columns(conn, table)
    obj = args.get("object")
    if not isinstance(obj, dict):
        raise GraphQLError("missing required field 'object'", path=path)
    for name in [*obj, *field.selection]:
        if name not in columns:
            raise GraphQLError(
                f"field '{name}' not found in type: '{table[1]}_insert_input'",
                path=f"{path}.object",
            )
    target = sql.Identifier(*table)
    names = list(obj)
    query = sql.SQL("INSERT INTO {} AS _t ({}) VALUES ({})").format(
        target,
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(_param(columns[n]) for n in names),
    )
    params = [_value(obj[n]) for n in names]
    conflict = args.get("on_conflict")
    if conflict is not None:
        clause, extra = _on_conflict(conn, table, columns, conflict, f"{path}.on_conflict")
        query += clause
        params += extra
    selection = field.selection or names[:1]
    query += sql.SQL(" RETURNING json_build_object({})").format(
        sql.SQL(", ").join(
            sql.SQL("{}, _t.{}").format(sql.Literal(c), sql.Identifier(c)) for c in selection
        )
    )
    row = conn.execute(query, params).fetchone()
    return None if row is None else row[0]


def _on_conflict(
    conn: psycopg.Connection,
    table: tuple[str, str],
    columns: dict[str, str],
    conflict: dict[str, Any],
    path: str,
) -> tuple[sql.Composable, list[Any]]:
    constraint = conflict.get("constraint")
    if constraint not in _constraints(conn, table):
        raise GraphQLError(
            f"unexpected value {json.dumps(constraint)} for enum: '{table[1]}_constraint'",
            path=f"{path}.constraint",
        )
    update = conflict.get("update_columns") or []
    unknown = [c for c in update if c not in columns]
    if unknown:
        raise GraphQLError(
            f"unexpected value {json.dumps(unknown[0])} for enum: '{table[1]}_update_column'",
            path=f"{path}.update_columns",
        )
    head = sql.SQL(" ON CONFLICT ON CONSTRAINT {}").format(sql.Identifier(constraint))
    if not update:
        return head + sql.SQL(" DO NOTHING"), []
    sets = sql.SQL(", ").join(
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in update
    )
    params: list[Any] = []
    clause = head + sql.SQL(" DO UPDATE SET ") + sets
    where = conflict.get("where")
    if where:
        clause += sql.SQL(" WHERE ") + _boolexp(where, columns, params, f"{path}.where")
    return clause, params


_OPERATORS = {"_eq": "=", "_neq": "<>", "_gt": ">", "_lt": "<", "_gte": ">=", "_lte": "<="}


def _boolexp(expr: Any, columns: dict[str, str], params: list[Any], path: str) -> sql.Composable:
    if not isinstance(expr, dict):
        raise GraphQLError("expected an object for a boolean expression", path=path)
    parts: list[sql.Composable] = []
    for key, value in expr.items():
        if key in ("_and", "_or"):
            items = [_boolexp(v, columns, params, f"{path}.{key}") for v in value]
            joiner = " AND " if key == "_and" else " OR "
            default = "true" if key == "_and" else "false"
            inner = sql.SQL(joiner).join(items) if items else sql.SQL(default)
            parts.append(sql.SQL("({})").format(inner))
        elif key == "_not":
            parts.append(sql.SQL("NOT ({})").format(_boolexp(value, columns, params, path)))
        elif key in columns:
            parts.append(_column_ops(key, value, columns, params, f"{path}.{key}"))
        else:
            raise GraphQLError(f"field '{key}' not found in the boolean expression", path=path)
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")


def _column_ops(
    column: str, ops: dict[str, Any], columns: dict[str, str], params: list[Any], path: str
) -> sql.Composable:
    ref = sql.SQL("_t.{}").format(sql.Identifier(column))
    parts: list[sql.Composable] = []
    for op, value in ops.items():
        if op == "_is_null":
            parts.append(sql.SQL("{} IS {}NULL").format(ref, sql.SQL("" if value else "NOT ")))
        elif op in _OPERATORS:
            params.append(_value(value))
            parts.append(
                sql.SQL("{} {} {}").format(ref, sql.SQL(_OPERATORS[op]), _param(columns[column]))
            )
        elif op in ("_in", "_nin"):
            params.append([_value(v) for v in value])
            cast = sql.SQL("%s::{}[]").format(sql.SQL(columns[column]))
            template = "{} = ANY({})" if op == "_in" else "NOT ({} = ANY({}))"
            parts.append(sql.SQL(template).format(ref, cast))
        else:
            raise GraphQLError(f"the stand-in does not support operator {op}", path=path)
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")


def _param(pg_type: str) -> sql.Composable:
    return sql.SQL("%s::{}").format(sql.SQL(pg_type))


def _value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (dict, list)) else value


def _columns(conn: psycopg.Connection, table: tuple[str, str]) -> dict[str, str]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        [sql.Identifier(*table).as_string(conn)],
    ).fetchall()
    return dict(rows)


def _constraints(conn: psycopg.Connection, table: tuple[str, str]) -> set[str]:
    rows = conn.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
        [sql.Identifier(*table).as_string(conn)],
    ).fetchall()
    return {r[0] for r in rows}
