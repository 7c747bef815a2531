"""GraphQL schema documents (SDL), parsed into plain tuples so two texts can be compared.

Hasura parses a role-based remote schema (`definition.schema`) into a `SchemaDocument`
(graphql-parser-hs, Language/GraphQL/Draft/Syntax.hs) and exports it printed again, so the
text the server gives back is not the text that was sent, so the parsed forms are compared.
Comments, commas and layout are not part of the document; descriptions, directives and default
values are. The order of definitions and of a type's fields does not change what a role may
reach, so `canonical` sorts them (the server would keep the order, and print it back). This is a parser of the type system part of the GraphQL
spec (October 2021), enough to refuse text the server would refuse; whether the schema is a
subset of the remote schema needs the remote schema itself, which only the server has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r'(?P<block>"""(?:\\"""|[^"]|"(?!""))*""")'
    r'|(?P<string>"(?:\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})|[^"\\\n\r])*")'
    r"|(?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![_A-Za-z.0-9])"
    r"|(?P<name>[_A-Za-z][_0-9A-Za-z]*)"
    r"|(?P<punct>\.\.\.|[!$&():=@\[\]{|}])"
)
_IGNORED = re.compile(r"(?:[\s,\ufeff]|#[^\n\r]*)*")
_TYPE_KINDS = ("scalar", "type", "interface", "union", "enum", "input")


class SdlError(ValueError):
    """A syntax error at a 1-based line and column of the document."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.line, self.column, self.message = line, column, message


@dataclass(frozen=True)
class Token:
    kind: str  # block, string, number, name, punct, end
    text: str
    offset: int


def tokens(text: str) -> list[Token]:
    out, pos = [], 0
    while True:
        pos = _IGNORED.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            out.append(Token("end", "", pos))
            return out
        match = _TOKEN.match(text, pos)
        if match is None:
            line, column = _position(text, pos)
            raise SdlError(line, column, f"unexpected character {text[pos]!r}")
        kind = match.lastgroup or ""
        out.append(Token(kind, match.group(), pos))
        pos = match.end()


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.toks, self.i = text, tokens(text), 0

    # -- tokens
    def peek(self, ahead: int = 0) -> Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def fail(self, what: str) -> SdlError:
        tok = self.peek()
        found = "the end of the document" if tok.kind == "end" else repr(tok.text)
        line, column = _position(self.text, tok.offset)
        return SdlError(line, column, f"expected {what}, found {found}")

    def take(self, text: str) -> bool:
        if self.peek().kind in ("punct", "name") and self.peek().text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.take(text):
            raise self.fail(f"`{text}`")

    def name(self) -> str:
        tok = self.peek()
        if tok.kind != "name":
            raise self.fail("a name")
        self.i += 1
        return tok.text

    # -- document
    def document(self) -> tuple[Any, ...]:
        definitions = []
        while self.peek().kind != "end":
            definitions.append(self.definition())
        if not definitions:
            raise self.fail("a definition")
        return tuple(definitions)

    def description(self) -> str | None:
        tok = self.peek()
        if tok.kind in ("string", "block"):
            self.i += 1
            return string_value(tok)
        return None

    def definition(self) -> tuple[Any, ...]:
        desc = self.description()
        extend = self.take("extend")
        keyword = self.peek().text if self.peek().kind == "name" else ""
        if keyword == "schema":
            self.i += 1
            return ("extend schema" if extend else "schema", desc, self.directives(), self.ops())
        if keyword == "directive" and not extend:
            self.i += 1
            return self.directive_definition(desc)
        if keyword not in _TYPE_KINDS:
            raise self.fail("schema, scalar, type, interface, union, enum, input or directive")
        self.i += 1
        kind = ("extend " if extend else "") + keyword
        name = self.name()
        body: tuple[Any, ...] = ()
        if keyword in ("type", "interface"):
            body = (self.implements(), self.directives(), self.block(self.field))
        elif keyword == "union":
            body = (self.directives(), self.members())
        elif keyword == "enum":
            body = (self.directives(), self.block(self.enum_value))
        elif keyword == "input":
            body = (self.directives(), self.block(self.input_value))
        else:
            body = (self.directives(),)
        return (kind, desc, name, *body)

    def ops(self) -> tuple[Any, ...]:
        if self.peek().text != "{":
            return ()
        return self.block(self._op)

    def _op(self) -> tuple[str, str]:
        """`query: Query`: an operation and its root type."""
        operation = self.name()
        self.expect(":")
        return operation, self.name()

    def directive_definition(self, desc: str | None) -> tuple[Any, ...]:
        self.expect("@")
        name = self.name()
        args = self.arguments_definition()
        repeatable = self.take("repeatable")
        self.expect("on")
        self.take("|")
        locations = [self.name()]
        while self.take("|"):
            locations.append(self.name())
        return ("directive", desc, name, args, repeatable, tuple(locations))

    def implements(self) -> tuple[str, ...]:
        if not self.take("implements"):
            return ()
        self.take("&")
        names = [self.name()]
        while self.take("&"):
            names.append(self.name())
        return tuple(names)

    def members(self) -> tuple[str, ...]:
        if not self.take("="):
            return ()
        self.take("|")
        names = [self.name()]
        while self.take("|"):
            names.append(self.name())
        return tuple(names)

    def block(self, item: Any) -> tuple[Any, ...]:
        if not self.take("{"):
            return ()
        items = []
        while not self.take("}"):
            if self.peek().kind == "end":
                raise self.fail("`}`")
            items.append(item())
        return tuple(items)

    def field(self) -> tuple[Any, ...]:
        desc = self.description()
        name = self.name()
        args = self.arguments_definition()
        self.expect(":")
        return (desc, name, args, self.type_ref(), self.directives())

    def arguments_definition(self) -> tuple[Any, ...]:
        if not self.take("("):
            return ()
        args = []
        while not self.take(")"):
            args.append(self.input_value())
        if not args:
            raise self.fail("an argument")
        return tuple(args)

    def input_value(self) -> tuple[Any, ...]:
        desc = self.description()
        name = self.name()
        self.expect(":")
        kind = self.type_ref()
        default = self.value() if self.take("=") else None
        return (desc, name, kind, default, self.directives())

    def enum_value(self) -> tuple[Any, ...]:
        desc = self.description()
        name = self.name()
        if name in ("true", "false", "null"):
            raise SdlError(*_position(self.text, self.peek(-1).offset), f"{name} is no enum value")
        return (desc, name, self.directives())

    def type_ref(self) -> str:
        if self.take("["):
            inner = self.type_ref()
            self.expect("]")
            text = f"[{inner}]"
        else:
            text = self.name()
        return text + "!" if self.take("!") else text

    def directives(self) -> tuple[Any, ...]:
        found = []
        while self.take("@"):
            name = self.name()
            args: tuple[Any, ...] = ()
            if self.take("("):
                items = []
                while not self.take(")"):
                    key = self.name()
                    self.expect(":")
                    items.append((key, self.value()))
                args = tuple(items)
            found.append((name, args))
        return tuple(found)

    def value(self) -> Any:
        tok = self.peek()
        if tok.kind in ("string", "block"):
            self.i += 1
            return ("string", string_value(tok))
        if tok.kind == "number":
            self.i += 1
            return ("number", tok.text)
        if tok.kind == "name":
            self.i += 1
            return ("literal" if tok.text in ("true", "false", "null") else "enum", tok.text)
        if self.take("["):
            items = []
            while not self.take("]"):
                items.append(self.value())
            return ("list", tuple(items))
        if self.take("{"):
            fields = []
            while not self.take("}"):
                key = self.name()
                self.expect(":")
                fields.append((key, self.value()))
            return ("object", tuple(fields))
        raise self.fail("a value")


def string_value(tok: Token) -> str:
    if tok.kind == "block":
        return _block_string(tok.text[3:-3].replace('\\"""', '"""'))
    body = tok.text[1:-1]
    return re.sub(r'\\(u[0-9A-Fa-f]{4}|["\\/bfnrt])', _unescape, body)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] == "u":
        return chr(int(code[1:], 16))
    return {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}.get(code, code)


def _block_string(raw: str) -> str:
    """The spec's BlockStringValue: common indentation and blank first/last lines removed."""
    lines = re.split(r"\r\n|\n|\r", raw)
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines[1:] if line.strip(" \t")]
    common = min(indents) if indents else 0
    lines = lines[:1] + [line[common:] for line in lines[1:]]
    while lines and not lines[0].strip(" \t"):
        lines.pop(0)
    while lines and not lines[-1].strip(" \t"):
        lines.pop()
    return "\n".join(lines)


def parse(text: str) -> tuple[Any, ...]:
    """The definitions of a schema document, in order; SdlError when it does not parse."""
    return _Parser(text).document()


def canonical(text: str) -> tuple[Any, ...]:
    """What two documents are compared by: the definitions and the fields, enum values and
    input fields of each, sorted (their order means nothing to what a role may reach)."""
    return tuple(sorted((_sorted_members(d) for d in parse(text)), key=repr))


def _sorted_members(definition: tuple[Any, ...]) -> tuple[Any, ...]:
    base = definition[0].split()[-1]
    at = {"type": 5, "interface": 5, "input": 4, "enum": 4}.get(base)
    if at is None or len(definition) <= at:
        return definition
    members = tuple(sorted(definition[at], key=repr))
    return (*definition[:at], members, *definition[at + 1 :])


def same_schema(a: str, b: str) -> bool:
    """Whether two texts are the same schema document; text that does not parse is compared
    as text (the server would not hold it)."""
    try:
        return canonical(a) == canonical(b)
    except SdlError:
        return a == b


def fields(text: str) -> set[tuple[str, str]]:
    """(type, field) pairs of the object and interface types, and the other type names as
    (name, ""): what a role-based schema lets the role reach."""
    out: set[tuple[str, str]] = set()
    for definition in parse(text):
        kind, name = definition[0], definition[2] if len(definition) > 2 else ""
        if kind.endswith(("type", "interface")):
            out |= {(name, f[1]) for f in definition[5]}
        elif kind.split()[-1] in _TYPE_KINDS:
            out.add((name, ""))
    return out


def session_presets(text: str) -> list[tuple[str, str, str]]:
    """(type, field or argument, session variable) for every `@preset(value: "x-hasura-...")`
    without `static: true`: the engine reads such a value from the session
    (RemoteSchema/SchemaCache/Permission.hs, Note [Remote Schema Argument Presets])."""
    found = []
    for definition in parse(text):
        kind = definition[0].split()[-1]
        if kind in ("type", "interface"):
            for field in definition[5]:
                found += _presets(definition[2], field[1], field[2])
        elif kind == "input":
            found += _presets(definition[2], "", definition[4])
    return found


def _presets(owner: str, field: str, inputs: tuple[Any, ...]) -> list[tuple[str, str, str]]:
    out = []
    for _desc, name, _kind, _default, directives in inputs:
        for directive, args in directives:
            values = dict(args)
            value, static = values.get("value"), values.get("static")
            if directive != "preset" or static == ("literal", "true"):
                continue
            if value and value[0] == "string" and value[1].lower().startswith("x-hasura-"):
                where = f"{field}({name})" if field else name
                out.append((owner, where, value[1].lower()))
    return out
