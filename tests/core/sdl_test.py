"""The SDL parser that compares role-based schemas: what it accepts, refuses and equates."""

from __future__ import annotations

import pytest

from hasura_perm.core import sdl
from tests.hasura_standin.remote_schemas import printed

RICH = '''
# a comment the document does not hold
"""
  The root.
    Indented line kept relative.
"""
schema @tag(name: "x") { query: Query mutation: Mutation }

type Query implements Node & Named @key(fields: "id") {
  "one line" node(id: ID!, first: Int = 10, tags: [String!] = ["a", "b"]): Node
  users(where: UserWhere = {name: {_eq: "x\\u00e9"}, ok: true, n: null, e: ASC}): [User!]!
}
type Mutation { ping: Boolean }
interface Node { id: ID! }
interface Named implements Node { id: ID! name: String }
type User implements Node { id: ID! name: String @deprecated(reason: "use fullName") }
union Result = | User | Query
enum Order { ASC DESC @deprecated }
input UserWhere {
  name: StringCmp
  org: ID @preset(value: "x-hasura-org-id")
  ok: Boolean, n: Int, e: Order
}
input StringCmp { _eq: String }
scalar Date @specifiedBy(url: "https://example.org")
directive @preset(value: String, static: Boolean = false) repeatable on
  | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
extend type User { email: String }
extend schema { subscription: Query }
'''


def test_a_rich_document_parses_and_survives_a_reprint() -> None:
    parsed = sdl.parse(RICH)
    assert [d[0] for d in parsed][:3] == ["schema", "type", "type"]
    assert parsed[0][1] == "The root.\n  Indented line kept relative."
    assert sdl.canonical(printed(parsed)) == sdl.canonical(RICH)
    assert sdl.same_schema(printed(parsed), RICH)


def test_graphql_core_reads_the_same_document() -> None:
    graphql = pytest.importorskip("graphql")  # not in the locked test environment
    assert sdl.canonical(graphql.print_ast(graphql.parse(RICH))) == sdl.canonical(RICH)
    assert sdl.canonical(printed(sdl.parse(RICH))) == sdl.canonical(
        graphql.print_ast(graphql.parse(printed(sdl.parse(RICH))))
    )


def test_layout_comments_commas_and_order_do_not_matter_but_content_does() -> None:
    a = "type Q { a: Int, b(x: Int): [String!] }\ntype R { c: ID }"
    b = "# r first\ntype R {\n  c: ID\n}\n\ntype Q {\n  a: Int\n  b(x: Int): [String!]\n}\n"
    assert sdl.same_schema(a, b)
    assert not sdl.same_schema(a, b.replace("[String!]", "[String]"))
    assert not sdl.same_schema(a, b.replace("x: Int", "x: Int = 1"))
    assert not sdl.same_schema('"d" type Q { a: Int }', "type Q { a: Int }")
    assert sdl.same_schema("type Q { a: Int b: Int }", "type Q { b: Int a: Int }")
    assert sdl.same_schema("enum E { A B }", "enum E { B A }")


@pytest.mark.parametrize(
    ("text", "line", "column", "says"),
    [
        ("type Q {\n  a: Int\n", 3, 1, "expected `}`, found the end of the document"),
        ("type Q {\n  a Int\n}", 2, 5, "expected `:`"),
        ("query { a }", 1, 1, "expected schema, scalar, type"),
        ("", 1, 1, "expected a definition"),
        ("type Q { a: Int } }", 1, 19, "expected schema"),
        ('type Q { a: "x" }', 1, 13, "expected a name"),
        ("type Q { a: Int ~ }", 1, 17, "unexpected character '~'"),
        ('type Q { a: Int = "unterminated }', 1, 19, "unexpected character"),
        ("enum E { true }", 1, 10, "true is no enum value"),
    ],
)
def test_errors_say_where(text: str, line: int, column: int, says: str) -> None:
    with pytest.raises(sdl.SdlError) as caught:
        sdl.parse(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert says in caught.value.message


def test_fields_and_session_presets() -> None:
    assert sdl.fields(RICH) >= {("Query", "node"), ("User", "email"), ("Order", ""), ("Date", "")}
    assert sdl.session_presets(RICH) == [("UserWhere", "org", "x-hasura-org-id")]
    static = 'type Q { a(id: ID @preset(value: "X-Hasura-User-Id", static: true)): Int }'
    assert sdl.session_presets(static) == []
    assert sdl.session_presets(static.replace("static: true", "static: false")) == [
        ("Q", "a(id)", "x-hasura-user-id")
    ]
