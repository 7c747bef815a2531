"""The expression tree: parsed against a schema, written back as it was, walked with paths,
rewritten (one `_or` arm at a time), and what it refuses."""

from __future__ import annotations

import pytest

from hasura_perm.boolexp import tree as t
from hasura_perm.core.names import TableName
from hasura_perm.schema.snapshot import Table

ITEM, ORG = TableName("public", "item"), TableName("public", "org")


def _table(name: TableName, *columns: str) -> Table:
    return Table(name, "table", dict.fromkeys(columns, "integer"), frozenset(), ("id",), (), ())


SCHEMA = t.Schema(
    {ITEM: _table(ITEM, "id", "org_id", "owner_id", "qty"), ORG: _table(ORG, "id", "size")},
    relationships={ITEM: {"org": t.Relationship("org", "object", ORG, (("org_id", "id"),))}},
)


def test_parse_gives_the_tree_and_to_json_writes_it_back_as_written() -> None:
    expression = {
        "qty": {"$gt": 0},
        "_or": [{"org": {"size": 3}}, {"_not": {"owner_id": None}}],
        "$exists": {"_table": {"schema": "public", "name": "org"}, "_where": {"id": 1}},
    }
    node = t.parse(expression, ITEM, SCHEMA)
    assert isinstance(node, t.And) and node.implicit
    compare, either, exists = node.items
    assert isinstance(compare, t.Compare) and compare.ops == (t.Op("$gt", "_gt", 0),)
    assert isinstance(either, t.Or) and isinstance(either.items[0], t.Related)
    assert isinstance(exists, t.Exists) and exists.table == ORG
    # Written back as given, except that logical operators are spelled with `_`.
    written = {k: v for k, v in expression.items() if k != "$exists"}
    assert t.to_json(node) == written | {"_exists": expression["$exists"]}


def test_exists_names_its_table_as_text_or_schema_and_name() -> None:
    by_text = t.parse({"_exists": {"_table": "org", "_where": {}}}, ITEM, SCHEMA)
    by_object = t.parse({"_exists": {"_table": {"name": "org"}, "_where": {}}}, ITEM, SCHEMA)
    assert isinstance(by_text, t.Exists) and isinstance(by_object, t.Exists)
    assert by_text.table == by_object.table == ORG


def test_walk_gives_readable_paths_and_or_branches_reduce_one_arm() -> None:
    node = t.parse({"_and": [{"qty": {"_gt": 0}}, {"_or": [{"org_id": 1}, {"org": {"size": 2}}]}]}, ITEM, SCHEMA)  # fmt: skip
    paths = [path for _, path in t.walk(node)]
    assert paths == ["", "_and[0]", "_and[1]", "_and[1]._or[0]", "_and[1]._or[1]", "_and[1]._or[1].org"]  # fmt: skip
    branches = t.or_branches(node)
    assert [b.label for b in branches] == ["_and[1]._or[0]", "_and[1]._or[1]"]
    assert t.to_json(branches[1].reduced) == {"_and": [{"qty": {"_gt": 0}}, {"_or": [{"org": {"size": 2}}]}]}  # fmt: skip


def test_session_variables_are_read_case_insensitively() -> None:
    node = t.parse({"owner_id": "X-Hasura-User-Id", "org": {"id": {"_in": "x-hasura-org-ids"}}}, ITEM, SCHEMA)  # fmt: skip
    assert t.session_variables(node) == {"x-hasura-user-id", "x-hasura-org-ids"}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ({"nope": 1}, "`nope` is no column, relationship or computed field of public.item"),
        ({"_and": {"qty": 1}}, "`_and` takes a list of boolean expressions"),
        ({"_exists": {"_table": 5, "_where": {}}}, "`_exists` names no table: 5"),
        ({"_exists": {"_table": "ghost", "_where": {}}}, "table public.ghost is not in the schema snapshot"),
        ([], "expected a boolean expression (a mapping), found []"),
    ],
)  # fmt: skip
def test_what_the_schema_does_not_have_is_an_expression_error(
    expression: object, message: str
) -> None:
    with pytest.raises(t.ExpressionError) as caught:
        t.parse(expression, ITEM, SCHEMA)
    assert str(caught.value) == message
