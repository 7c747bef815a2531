"""A schema snapshot from SQL text (a `pg_dump --schema-only` or a hand-written schema
file), without a database: for `hasura-perm lint --metadata DIR --schema FILE.sql`.

Why not load it into PostgreSQL: real dumps need extensions that may not be installed
(Moped's needs PostGIS), and lint must work offline. DDL is regular enough to read what
lint needs: CREATE TABLE (columns, types, inline and table constraints, INHERITS),
CREATE [MATERIALIZED] VIEW (output columns and the tables the view reads),
ALTER TABLE ... ADD CONSTRAINT (primary, unique and foreign keys), ADD and DROP COLUMN
(statements are read in order of kind, not of text: a series of migrations reads as its
end state when columns are not dropped and re-added), and which columns
BEFORE row triggers overwrite (`NEW.col := ...` in the trigger function, for the events
the trigger fires on and the function's `TG_OP` tests allow). Everything else is
skipped. Unqualified names are in `public`; unquoted identifiers fold to lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.names import TableName

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>[eE]?'(?:[^']|'')*')
  | (?P<ident>"(?:[^"]|"")*")
  | (?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<punct>::|.)
    """,
    re.S | re.X,
)
_COLUMN_END = {
    "default", "not", "null", "constraint", "primary", "references", "unique", "check",
    "generated", "collate",
}  # fmt: skip
_TABLE_CONSTRAINT = {"constraint", "primary", "foreign", "unique", "check", "exclude", "like"}
_SELECT_END = {"from", "union", "intersect", "except", "where", "group", "order", "limit", "window"}
_TYPE_ALIASES = {
    "int": "integer", "int4": "integer", "int2": "smallint", "int8": "bigint",
    "serial": "integer", "bigserial": "bigint", "smallserial": "smallint",
    "varchar": "character varying", "bool": "boolean", "float8": "double precision",
    "float4": "real", "timestamptz": "timestamp with time zone", "decimal": "numeric",
}  # fmt: skip


@dataclass(frozen=True)
class Token:
    kind: str  # word, ident, string, num, punct
    text: str

    @property
    def name(self) -> str:
        """As PostgreSQL resolves the identifier."""
        if self.kind == "ident":
            return self.text[1:-1].replace('""', '"')
        return self.text.lower()

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


@dataclass
class SqlSchema:
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # snapshot document form
    view_sources: dict[TableName, tuple[TableName, ...]] = field(default_factory=dict)
    # table -> "insert"/"update" -> columns a BEFORE row trigger always overwrites
    filled: dict[TableName, dict[str, set[str]]] = field(default_factory=dict)
    functions: dict[str, dict[str, set[str] | None]] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        """The snapshot document, as `hasura-perm schema pull` writes it."""
        return {"version": 1, "tables": dict(sorted(self.tables.items()))}


def read_sql_schema(sql: str) -> SqlSchema:
    schema = SqlSchema()
    alters, triggers = [], []
    for statement in statements(tokenize(sql)):
        head = [t.text.lower() for t in statement[:6] if t.kind == "word"]
        if head[:1] == ["create"] and "table" in head[:4]:
            _create_table(schema, statement)
        elif head[:1] == ["create"] and "view" in head[:5]:
            _create_view(schema, statement)
        elif head[:1] == ["create"] and "function" in head[:4]:
            _create_function(schema, statement)
        elif head[:1] == ["create"] and "trigger" in head[:4]:
            triggers.append(statement)
        elif head[:2] == ["alter", "table"]:
            alters.append(statement)
    for statement in alters:
        _alter_table(schema, statement)
    for statement in triggers:
        _create_trigger(schema, statement)
    return schema


def tokenize(sql: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind == "tag":
            kind = "dollar"
        tokens.append(Token(kind or "punct", match.group()))
    return tokens


def statements(tokens: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for token in tokens:
        if token.text == ";":
            out.append([])
        else:
            out[-1].append(token)
    return [s for s in out if s]


# ---------------------------------------------------------------------------- tables


def _qualified(tokens: list[Token], i: int) -> tuple[TableName, int]:
    """A possibly schema-qualified name starting at tokens[i]; returns it and the next index."""
    first = tokens[i].name
    if (
        i + 2 < len(tokens)
        and tokens[i + 1].text == "."
        and tokens[i + 2].kind in ("word", "ident")
    ):
        return TableName(first, tokens[i + 2].name), i + 3
    return TableName("public", first), i + 1


def _skip_words(tokens: list[Token], i: int, *words: str) -> int:
    while i < len(tokens) and tokens[i].is_word(*words):
        i += 1
    return i


def _create_table(schema: SqlSchema, tokens: list[Token]) -> None:
    i = _skip_words(tokens, 1, "unlogged", "temporary", "temp", "global", "local", "foreign")
    if not tokens[i].is_word("table"):
        return
    i = _skip_words(tokens, i + 1, "if", "not", "exists")
    name, i = _qualified(tokens, i)
    if i >= len(tokens) or tokens[i].text != "(":
        return  # CREATE TABLE ... AS / PARTITION OF: not needed
    body, end = _parenthesised(tokens, i)
    table: dict[str, Any] = {"kind": "table", "columns": {}}
    parents = _inherits(tokens[end:])
    for parent in parents:
        inherited = schema.tables.get(str(parent))
        if inherited:
            table["columns"].update(inherited["columns"])
    for element in _split(body):
        _table_element(table, element)
    schema.tables[str(name)] = table


def _parenthesised(tokens: list[Token], i: int) -> tuple[list[Token], int]:
    """The tokens inside the parenthesis opening at tokens[i], and the index after it."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].text == "(":
            depth += 1
        elif tokens[j].text == ")":
            depth -= 1
            if depth == 0:
                return tokens[i + 1 : j], j + 1
    return tokens[i + 1 :], len(tokens)


def _split(tokens: list[Token]) -> list[list[Token]]:
    """Split on commas outside parentheses."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if token.text == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


def _inherits(tokens: list[Token]) -> list[TableName]:
    for i, token in enumerate(tokens):
        if token.is_word("inherits") and i + 1 < len(tokens):
            inner, _ = _parenthesised(tokens, i + 1)
            return [_qualified(part, 0)[0] for part in _split(inner)]
    return []


def _table_element(table: dict[str, Any], element: list[Token]) -> None:
    if element[0].is_word(*_TABLE_CONSTRAINT):
        if not element[0].is_word("like"):
            _constraint(table, element, None)
        return
    column = element[0].name
    end = next(
        (j for j in range(1, len(element)) if element[j].is_word(*_COLUMN_END)), len(element)
    )
    table["columns"][column] = _type(element[1:end])
    _constraint(table, element[end:], column)


def _type(tokens: list[Token]) -> str:
    words, depth = [], 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0:
            words.append(token.name if token.kind == "ident" else token.text.lower())
    text = " ".join(words).replace(" . ", ".").replace(" [ ]", "[]").replace("[ ]", "[]")
    text = re.sub(r"\s*\[\s*\]", "[]", text).removeprefix("public.")
    base, array = (text[:-2], "[]") if text.endswith("[]") else (text, "")
    return _TYPE_ALIASES.get(base, base) + array


def _constraint(table: dict[str, Any], tokens: list[Token], column: str | None) -> None:
    """Primary, unique and foreign keys in a column or table constraint list."""
    i, name = 0, ""
    while i < len(tokens):
        token = tokens[i]
        if token.is_word("constraint") and i + 1 < len(tokens):
            name = tokens[i + 1].name
            i += 2
        elif token.is_word("primary", "unique"):
            columns, i = _key_columns(tokens, _skip_words(tokens, i + 1, "key"), column)
            if token.is_word("primary"):
                table["primary_key"] = columns
            else:
                table.setdefault("unique", []).append(columns)
        elif token.is_word("foreign"):
            columns, i = _key_columns(tokens, _skip_words(tokens, i + 1, "key"), column)
            i = _references(table, tokens, i, columns, name)
        elif token.is_word("references") and column is not None:
            i = _references(table, tokens, i, [column], name)
        else:
            i += 1


def _key_columns(tokens: list[Token], i: int, column: str | None) -> tuple[list[str], int]:
    if i < len(tokens) and tokens[i].text == "(":
        inner, end = _parenthesised(tokens, i)
        return [part[0].name for part in _split(inner)], end
    return ([column] if column else []), i


def _references(
    table: dict[str, Any], tokens: list[Token], i: int, columns: list[str], name: str
) -> int:
    if i >= len(tokens) or not tokens[i].is_word("references"):
        return i
    target, i = _qualified(tokens, i + 1)
    ref_columns: list[str] = []
    if i < len(tokens) and tokens[i].text == "(":
        inner, i = _parenthesised(tokens, i)
        ref_columns = [part[0].name for part in _split(inner)]
    if columns:
        table.setdefault("foreign_keys", []).append(
            {
                "name": name or f"fk_{'_'.join(columns)}",
                "columns": columns,
                "references": str(target),
                "ref_columns": ref_columns or ["id"],
            }
        )
    return i


def _alter_table(schema: SqlSchema, tokens: list[Token]) -> None:
    """ADD CONSTRAINT (keys), ADD COLUMN and DROP COLUMN, so that a chain of migrations
    (`up.sql` files in order) reads as well as a dump."""
    i = _skip_words(tokens, 2, "only", "if", "exists")
    name, i = _qualified(tokens, i)
    table = schema.tables.get(str(name))
    if table is None:
        return
    for action in _split(tokens[i:]):
        if action[0].is_word("add") and len(action) > 1:
            rest = action[1:]
            if rest[0].is_word("column"):
                rest = rest[_skip_words(rest, 1, "if", "not", "exists") :]
            if rest:
                _table_element(table, rest)
        elif action[0].is_word("drop") and len(action) > 1:
            j = _skip_words(action, 1, "column", "if", "exists")
            if j < len(action) and not action[1].is_word("constraint"):
                table["columns"].pop(action[j].name, None)


# ---------------------------------------------------------------------------- views


def _create_view(schema: SqlSchema, tokens: list[Token]) -> None:
    i = next(j for j, t in enumerate(tokens) if t.is_word("view"))
    i = _skip_words(tokens, i + 1, "if", "not", "exists")
    name, i = _qualified(tokens, i)
    explicit: list[str] = []
    if i < len(tokens) and tokens[i].text == "(":
        inner, i = _parenthesised(tokens, i)
        explicit = [part[0].name for part in _split(inner)]
    while i < len(tokens) and not tokens[i].is_word("as"):
        i += 1  # WITH (options)
    query = tokens[i + 1 :]
    sources = _sources(query, schema)
    columns = {}
    for position, item in enumerate(_select_list(query)):
        column, pg_type = _output_column(item, sources, schema)
        if position < len(explicit):
            column = explicit[position]
        columns[column] = pg_type
    is_materialized = any(t.is_word("materialized") for t in tokens[:4])
    schema.tables[str(name)] = {
        "kind": "materialized view" if is_materialized else "view",
        "columns": columns,
    }
    schema.view_sources[name] = tuple(dict.fromkeys(sources.values()))


def _sources(query: list[Token], schema: SqlSchema) -> dict[str, TableName]:
    """Alias (and bare name) -> table, for every known table the query reads."""
    found: dict[str, TableName] = {}
    i = 0
    while i < len(query):
        if query[i].is_word("from", "join") or (query[i].text == "," and _in_from(query, i)):
            i = _source_item(query, i + 1, schema, found)
        else:
            i += 1
    return found


def _in_from(query: list[Token], i: int) -> bool:
    """A comma in a FROM list (`FROM a, b`), not in a select list or call."""
    depth = 0
    for j in range(i - 1, -1, -1):
        text = query[j].text
        if text == ")":
            depth += 1
        elif text == "(":
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0 and query[j].is_word("from"):
            return True
        elif depth == 0 and query[j].is_word("select", "where", "on", "join", "group", "order"):
            return False
    return False


def _source_item(query: list[Token], i: int, schema: SqlSchema, found: dict[str, TableName]) -> int:
    while i < len(query) and query[i].text == "(":
        i += 1  # FROM ((a JOIN b ...
    i = _skip_words(query, i, "lateral", "only")
    if i >= len(query) or query[i].kind not in ("word", "ident"):
        return i
    name, j = _qualified(query, i)
    if j < len(query) and query[j].text == "(":
        return j  # a function call
    if str(name) not in schema.tables:
        return j
    found[name.name] = name
    j = _skip_words(query, j, "as")
    if j < len(query) and query[j].kind in ("word", "ident") and not query[j].is_word(*_ALIAS_STOP):
        found[query[j].name] = name
        j += 1
    return j


_ALIAS_STOP = {
    "where", "join", "left", "right", "inner", "outer", "full", "cross", "on", "group",
    "order", "limit", "union", "natural", "using", "window", "having", "except", "intersect",
}  # fmt: skip


def _select_list(query: list[Token]) -> list[list[Token]]:
    """The items of the outermost SELECT (a UNION's first branch names the columns)."""
    depth, start = 0, None
    for i, token in enumerate(query):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and start is None and token.is_word("select"):
            start = _skip_distinct(query, i + 1)
        elif depth == 0 and start is not None and token.is_word(*_SELECT_END):
            return _split(query[start:i])
    return _split(query[start:]) if start is not None else []


def _skip_distinct(query: list[Token], i: int) -> int:
    if i < len(query) and query[i].is_word("distinct"):
        i += 1
        if i < len(query) and query[i].is_word("on"):
            _, i = _parenthesised(query, i + 1)
    return i


def _output_column(
    item: list[Token], sources: dict[str, TableName], schema: SqlSchema
) -> tuple[str, str]:
    if len(item) >= 2 and item[-1].kind in ("word", "ident") and item[-2].is_word("as"):
        name, expression = item[-1].name, item[:-2]
    else:
        name, expression = "", item
    refs = [t for t in expression if t.text != "."]
    is_reference = all(t.kind in ("word", "ident") for t in refs) and 0 < len(refs) <= 3
    if is_reference:
        name = name or refs[-1].name
        return name, _referenced_type(refs, sources, schema)
    cast = _trailing_cast(expression)
    return name or "?column?", cast or "unknown"


def _referenced_type(refs: list[Token], sources: dict[str, TableName], schema: SqlSchema) -> str:
    column = refs[-1].name
    if len(refs) >= 2 and refs[-2].name in sources:
        candidates = [sources[refs[-2].name]]
    else:
        candidates = list(dict.fromkeys(sources.values()))
    for table in candidates:
        columns = schema.tables.get(str(table), {}).get("columns", {})
        if column in columns:
            return columns[column]
    return "unknown"


def _trailing_cast(expression: list[Token]) -> str | None:
    depth = 0
    for i in range(len(expression) - 1, -1, -1):
        text = expression[i].text
        if text == ")":
            depth += 1
        elif text == "(":
            depth -= 1
        elif depth == 0 and text == "::":
            tail = expression[i + 1 :]
            if any(t.is_word(*_EXPRESSION_WORDS) or t.kind in ("string", "num") for t in tail):
                return None  # the cast is inside a larger expression (CASE ... END)
            return _type(tail)
    return None


_EXPRESSION_WORDS = {"end", "else", "then", "when", "and", "or", "is", "not", "null", "in"}


# ---------------------------------------------------------------------------- triggers


def _create_function(schema: SqlSchema, tokens: list[Token]) -> None:
    """Remember which NEW columns a trigger function always assigns, and on which TG_OPs."""
    i = next(j for j, t in enumerate(tokens) if t.is_word("function"))
    name, _ = _qualified(tokens, i + 1)
    body = next((t.text for t in tokens if t.kind == "dollar"), None)
    if body is None:
        return
    assigned = _unconditional_assignments(tokenize(body[body.index("$", 1) + 1 :]))
    if assigned:
        schema.functions[str(name)] = assigned


def _unconditional_assignments(body: list[Token]) -> dict[str, set[str] | None]:
    """`NEW.col :=` statements that run on every call, or under `IF TG_OP = 'X'` only:
    column -> the operations it runs for (None: all). Other IF, CASE and LOOP branches
    may not run, so what they assign does not count."""
    found: dict[str, set[str] | None] = {}
    frames: list[set[str] | None] = []  # per open block: TG_OPs it runs for, None: unknown
    start_of_statement = True
    rows = {"new"}  # NEW, and variables holding it (`_new := NEW;`, Hasura's console trigger)
    for i, token in enumerate(body):
        if start_of_statement and _copies_new(body, i):
            rows.add(token.name)
        if token.is_word("if", "case", "loop", "while", "for") and not _after_end(body, i):
            frames.append(_tg_ops(body, i) if token.is_word("if") else None)
        elif token.is_word("elsif", "else", "when") and frames:
            frames[-1] = None
        elif (
            token.is_word("end") and i + 1 < len(body) and body[i + 1].is_word("if", "case", "loop")
        ):
            if frames:
                frames.pop()
        elif start_of_statement and token.name in rows and _is_assignment(body, i):
            ops = _frame_ops(frames)
            if ops != "conditional":
                found[body[i + 2].name] = ops  # type: ignore[assignment]
        start_of_statement = token.text == ";" or token.is_word("begin", "then", "else", "loop")
    return found


def _copies_new(body: list[Token], i: int) -> bool:
    """`var := NEW;` (or `var = NEW;`)."""
    rest = [t.text.lower() for t in body[i + 1 : i + 5]]
    return rest[:3] == [":", "=", "new"] and rest[3:4] == [";"] or rest[:3] == ["=", "new", ";"]


def _after_end(body: list[Token], i: int) -> bool:
    return i > 0 and body[i - 1].is_word("end")


def _is_assignment(body: list[Token], i: int) -> bool:
    """`NEW.col := ...` or `NEW.col = ...` (PL/pgSQL accepts both)."""
    if i + 3 >= len(body) or body[i + 1].text != ".":
        return False
    after = body[i + 3].text
    return after == "=" or (after == ":" and i + 4 < len(body) and body[i + 4].text == "=")


def _tg_ops(body: list[Token], i: int) -> set[str] | None:
    """`IF TG_OP = 'UPDATE' [OR TG_OP = 'INSERT'] THEN` -> {"update"}; other conditions None."""
    ops: set[str] = set()
    j = i + 1
    while j < len(body) and not body[j].is_word("then"):
        if body[j].is_word("tg_op") and j + 2 < len(body) and body[j + 1].text == "=":
            ops.add(body[j + 2].text.strip("'").lower())
        elif body[j].kind == "word" and not body[j].is_word("tg_op", "or"):
            return None
        j += 1
    return ops or None


def _frame_ops(frames: list[set[str] | None]) -> set[str] | None | str:
    ops: set[str] | None = None
    for frame in frames:
        if frame is None:
            return "conditional"
        ops = set(frame) if ops is None else ops & frame
    return ops


def _create_trigger(schema: SqlSchema, tokens: list[Token]) -> None:
    words = [t.text.lower() for t in tokens]
    if "before" not in words or "row" not in words or "when" in words:
        return  # AFTER triggers cannot change NEW; WHEN makes it conditional
    before = words.index("before")
    on = words.index("on", before)
    events = {w for w in words[before + 1 : on] if w in ("insert", "update")}
    if "of" in words[before + 1 : on]:
        return  # UPDATE OF cols fires only when the client names those columns
    table, _ = _qualified(tokens, on + 1)
    call = next((j for j, w in enumerate(words) if w in ("function", "procedure") and j > on), None)
    if call is None:
        return
    function, _ = _qualified(tokens, call + 1)
    for column, ops in schema.functions.get(str(function), {}).items():
        for event in events:
            if ops is None or event in ops:
                schema.filled.setdefault(table, {}).setdefault(event, set()).add(column)
