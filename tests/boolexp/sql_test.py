"""Every operator of Hasura's boolean expressions, translated and run on real PostgreSQL.

Each case is (expression on `item` or another table, session, the ids it must admit), over
the shop rows of conftest.py. Where Hasura's semantics are surprising (nulls, empty lists,
`_or: []`, `_not` of NULL) the expected ids say so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from hasura_perm.boolexp import sql as q
from hasura_perm.boolexp import tree as t
from hasura_perm.core.names import TableName
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.metadata.table_files import TableFile
from hasura_perm.permission_tests.database import _learn_functions
from hasura_perm.permission_tests.relations import schema_from_metadata
from hasura_perm.schema.snapshot import snapshot_from_data
from tests.permission_tests.conftest import SHOP_METADATA

ITEM, ORG, NOTE = (
    TableName("public", "item"),
    TableName("public", "org"),
    TableName("public", "item_note"),
)

CASES: list[tuple[str, TableName, dict[str, Any], dict[str, str], list[int]]] = [
    # implicit _eq and nulls
    ("bare value is _eq", ITEM, {"owner_id": 10}, {}, [1, 4]),
    ("bare null matches NULL rows", ITEM, {"owner_id": None}, {}, [2]),
    ("_eq null on a nullable column matches NULL", ITEM, {"owner_id": {"_eq": None}}, {}, [2]),
    ("_eq null on a NOT NULL column matches nothing", ITEM, {"name": {"_eq": None}}, {}, []),
    ("_neq excludes NULL rows", ITEM, {"owner_id": {"_neq": 10}}, {}, [3]),
    ("_neq null matches non-NULL rows", ITEM, {"owner_id": {"_neq": None}}, {}, [1, 3, 4]),
    ("_ne is _neq", ITEM, {"name": {"_ne": "Alpha"}}, {}, [2, 3, 4]),
    # comparisons
    ("_gt", ITEM, {"qty": {"_gt": 1}}, {}, [1, 3]),
    ("_lt", ITEM, {"qty": {"_lt": 1}}, {}, [2]),
    ("_gte", ITEM, {"qty": {"_gte": 5}}, {}, [1, 3]),
    ("_lte", ITEM, {"qty": {"_lte": 0}}, {}, [2]),
    ("_gt on numeric never matches NULL", ITEM, {"score": {"_gt": 1}}, {}, [1, 3]),
    ("_gte on a date", ITEM, {"created": {"_gte": "2024-01-15"}}, {}, [2]),
    ("_eq on a uuid", ITEM, {"uid": {"_eq": "00000000-0000-0000-0000-000000000002"}}, {}, [2]),
    ("several operators are an AND", ITEM, {"qty": {"_gt": 0, "_lt": 7}}, {}, [1, 4]),
    ("$-prefixed operators", ITEM, {"qty": {"$gt": 4}}, {}, [1, 3]),
    # lists
    ("_in", ITEM, {"owner_id": {"_in": [10, 20]}}, {}, [1, 3, 4]),
    ("_in [] matches nothing", ITEM, {"owner_id": {"_in": []}}, {}, []),
    ("_nin excludes NULL rows", ITEM, {"owner_id": {"_nin": [10]}}, {}, [3]),
    (
        "_nin [] matches every row, NULL included",
        ITEM,
        {"owner_id": {"_nin": []}},
        {},
        [1, 2, 3, 4],
    ),
    # session variables, cast to the column type
    (
        "session variable cast to integer",
        ITEM,
        {"owner_id": {"_eq": "X-Hasura-User-Db-Id"}},
        {"x-hasura-user-db-id": "20"},
        [3],
    ),
    (
        "bare session variable",
        ITEM,
        {"owner_id": "x-hasura-user-db-id"},
        {"x-hasura-user-db-id": "10"},
        [1, 4],
    ),
    ("legacy REQ_USER_ID", ITEM, {"owner_id": "REQ_USER_ID"}, {"x-hasura-user-id": "20"}, [3]),
    (
        "array session variable for _in",
        ITEM,
        {"org_id": {"_in": "x-hasura-org-ids"}},
        {"x-hasura-org-ids": "{2}"},
        [3],
    ),
    (
        "empty array session variable for _in",
        ITEM,
        {"org_id": {"_in": "x-hasura-org-ids"}},
        {"x-hasura-org-ids": "{}"},
        [],
    ),
    (
        "array session variable for _nin",
        ITEM,
        {"org_id": {"_nin": "x-hasura-org-ids"}},
        {"x-hasura-org-ids": "{2}"},
        [1, 2],
    ),
    (
        "session variable for a date",
        ITEM,
        {"created": {"_lt": "x-hasura-day"}},
        {"x-hasura-day": "2024-01-15"},
        [1],
    ),
    # _is_null
    ("_is_null true", ITEM, {"label": {"_is_null": True}}, {}, [2]),
    ("_is_null false", ITEM, {"label": {"_is_null": False}}, {}, [1, 3, 4]),
    # text
    ("_like", ITEM, {"name": {"_like": "%ta"}}, {}, [2, 4]),
    ("_nlike", ITEM, {"name": {"_nlike": "%ta"}}, {}, [1, 3]),
    ("_ilike", ITEM, {"name": {"_ilike": "a%"}}, {}, [1]),
    ("_nilike", ITEM, {"name": {"_nilike": "a%"}}, {}, [2, 3, 4]),
    ("_similar", ITEM, {"name": {"_similar": "(A|G)%"}}, {}, [1, 3]),
    ("_nsimilar", ITEM, {"name": {"_nsimilar": "(A|G)%"}}, {}, [2, 4]),
    ("_regex", ITEM, {"name": {"_regex": "^[a-z]"}}, {}, [2, 4]),
    ("_iregex", ITEM, {"name": {"_iregex": "^g"}}, {}, [3]),
    ("_nregex", ITEM, {"name": {"_nregex": "^[a-z]"}}, {}, [1, 3]),
    ("_niregex", ITEM, {"name": {"_niregex": "^(a|b)"}}, {}, [3, 4]),
    (
        "text operator with a session variable",
        ITEM,
        {"name": {"_ilike": "x-hasura-pattern"}},
        {"x-hasura-pattern": "%A"},
        [1, 2, 3, 4],
    ),
    # jsonb
    ("_contains on jsonb", ITEM, {"attrs": {"_contains": {"color": "red"}}}, {}, [1]),
    (
        "_contained_in on jsonb",
        ITEM,
        {"attrs": {"_contained_in": {"k": 1, "color": "red", "x": 0}}},
        {},
        [1, 3],
    ),
    ("_has_key", ITEM, {"attrs": {"_has_key": "color"}}, {}, [1, 4]),
    ("_has_keys_any", ITEM, {"attrs": {"_has_keys_any": ["k", "zz"]}}, {}, [1, 2]),
    ("_has_keys_all", ITEM, {"attrs": {"_has_keys_all": ["k", "color"]}}, {}, [1]),
    (
        "_has_key with a session variable",
        ITEM,
        {"attrs": {"_has_key": "x-hasura-key"}},
        {"x-hasura-key": "k"},
        [1, 2],
    ),
    (
        "_has_keys_any with an array session variable",
        ITEM,
        {"attrs": {"_has_keys_any": "x-hasura-keys"}},
        {"x-hasura-keys": "{color}"},
        [1, 4],
    ),
    (
        "_contains with a jsonb session variable",
        ITEM,
        {"attrs": {"_contains": "x-hasura-attrs"}},
        {"x-hasura-attrs": '{"k": 2}'},
        [2],
    ),
    (
        "_cast jsonb to text",
        ITEM,
        {"attrs": {"_cast": {"String": {"_ilike": "%color%"}}}},
        {},
        [1, 4],
    ),
    # arrays
    ("_contains on an array", ITEM, {"tags": {"_contains": ["b"]}}, {}, [1, 2]),
    ("_contained_in on an array", ITEM, {"tags": {"_contained_in": ["a", "b"]}}, {}, [1, 2, 3]),
    ("_eq on an array", ITEM, {"tags": {"_eq": ["b"]}}, {}, [2]),
    # column comparisons
    ("_ceq", ITEM, {"owner_id": {"_ceq": "qty"}}, {}, []),
    ("_cgt", ITEM, {"owner_id": {"_cgt": "qty"}}, {}, [1, 3, 4]),
    ("_clt", ITEM, {"qty": {"_clt": ["owner_id"]}}, {}, [1, 3, 4]),
    ("_cgte", ITEM, {"qty": {"_cgte": "qty"}}, {}, [1, 2, 3, 4]),
    ("_clte", ITEM, {"owner_id": {"_clte": "qty"}}, {}, []),
    ("_cne", ITEM, {"owner_id": {"_cne": "qty"}}, {}, [1, 3, 4]),
    (
        "$ names the root row through a relationship",
        NOTE,
        {"item": {"owner_id": {"_ceq": ["$", "author_id"]}}},
        {},
        [1, 2],
    ),
    (
        "$ names the root row inside _exists",
        ITEM,
        {
            "_exists": {
                "_table": {"schema": "public", "name": "item_note"},
                "_where": {"author_id": {"_ceq": ["$", "owner_id"]}},
            }
        },
        {},
        [1, 3, 4],
    ),
    # relationships
    ("object relationship", ITEM, {"org": {"name": {"_eq": "Acme"}}}, {}, [1, 2]),
    ("array relationship", ORG, {"items": {"qty": {"_gt": 5}}}, {}, [2]),
    ("array relationship with {} means: has a related row", ORG, {"items": {}}, {}, [1, 2]),
    ("manual relationship", NOTE, {"item": {"name": {"_eq": "Gamma"}}}, {}, [2]),
    (
        "_not of a relationship admits rows without one",
        ITEM,
        {"_not": {"org": {"name": "Acme"}}},
        {},
        [3, 4],
    ),
    ("relationships chain", NOTE, {"item": {"org": {"id": {"_eq": 2}}}}, {}, [2]),
    # _exists, _and, _or, _not
    (
        "_exists that holds admits every row",
        ITEM,
        {"_exists": {"_table": "public.org", "_where": {"name": {"_eq": "Acme"}}}},
        {},
        [1, 2, 3, 4],
    ),
    (
        "_exists that fails admits none",
        ITEM,
        {"$exists": {"_table": "org", "_where": {"name": {"_eq": "Nope"}}}},
        {},
        [],
    ),
    ("{} is true", ITEM, {}, {}, [1, 2, 3, 4]),
    ("_and [] is true", ITEM, {"_and": []}, {}, [1, 2, 3, 4]),
    ("_or [] is false", ITEM, {"_or": []}, {}, []),
    ("_or", ITEM, {"_or": [{"qty": 0}, {"label": "blue"}]}, {}, [2, 3]),
    (
        "$or and $and",
        ITEM,
        {"$or": [{"$and": [{"qty": {"_gt": 0}}, {"org_id": 1}]}, {"owner_id": 20}]},
        {},
        [1, 3],
    ),
    ("several keys are an AND", ITEM, {"org_id": 1, "owner_id": 10}, {}, [1]),
    (
        "_not of NULL stays NULL: the row is excluded",
        ITEM,
        {"_not": {"label": {"_eq": "red"}}},
        {},
        [3, 4],
    ),
    # computed fields
    ("scalar computed field", ITEM, {"total": {"_gt": 5}}, {}, [1, 3]),
    ("set-returning computed field", ITEM, {"note_rows": {"body": {"_eq": "bye"}}}, {}, [3]),
    # ltree
    ("_ancestor", ITEM, {"path": {"_ancestor": "top.a.b"}}, {}, [1, 2]),
    ("_descendant", ITEM, {"path": {"_descendant": "top.a"}}, {}, [1, 2]),
    ("_ancestor_any", ITEM, {"path": {"_ancestor_any": ["top.c", "top.a.b"]}}, {}, [1, 2, 3]),
    ("_descendant_any", ITEM, {"path": {"_descendant_any": ["top.c"]}}, {}, [3]),
    ("_matches", ITEM, {"path": {"_matches": "top.a.*"}}, {}, [1, 2]),
    ("_matches_any", ITEM, {"path": {"_matches_any": ["*.b", "top.c"]}}, {}, [2, 3]),
    ("_matches_fulltext", ITEM, {"path": {"_matches_fulltext": "c"}}, {}, [3]),
]


@pytest.fixture(scope="module")
def shop(shop_url: str, shop_snapshot: dict[str, Any]) -> Any:
    snapshot = snapshot_from_data(shop_snapshot)
    meta = MetadataDir(Path("metadata"), "default")
    for name, entry in SHOP_METADATA.items():
        meta.tables[TableName.parse(name)] = TableFile(Path(name), entry, None)
    schema = schema_from_metadata(snapshot, meta)
    with psycopg.connect(shop_url) as conn:
        _learn_functions(conn, schema)
        yield conn, schema


def admitted(shop: Any, table: TableName, expression: Any, session: dict[str, str]) -> list[int]:
    conn, schema = shop
    condition = q.Translator(schema).condition(t.parse(expression, table, schema), table)
    with conn.transaction(force_rollback=True):
        conn.execute("SELECT set_config('hasura.user', %s, true)", (json.dumps(session),))
        rows = conn.execute(
            f"SELECT _root.id FROM {q.quote_table(table)} AS _root WHERE {condition} ORDER BY 1"
        ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    ("label", "table", "expression", "session", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_operator(
    shop: Any,
    label: str,
    table: TableName,
    expression: Any,
    session: dict[str, str],
    expected: list[int],
) -> None:
    assert admitted(shop, table, expression, session) == expected, label


def test_or_branches_tell_which_arm_admits_a_row(shop: Any) -> None:
    _conn, schema = shop
    node = t.parse(
        {"_and": [{"qty": {"_gt": 0}}, {"_or": [{"org_id": 1}, {"owner_id": 20}]}]}, ITEM, schema
    )
    branches = t.or_branches(node)
    assert [b.label for b in branches] == ["_and[1]._or[0]", "_and[1]._or[1]"]
    assert admitted(shop, ITEM, t.to_json(branches[0].reduced), {}) == [1]
    assert admitted(shop, ITEM, t.to_json(branches[1].reduced), {}) == [3]


def test_to_json_round_trips_a_parsed_expression(shop: Any) -> None:
    _conn, schema = shop
    expression = {
        "org_id": 1,
        "_or": [{"org": {"name": {"$eq": "Acme"}}}, {"_not": {"owner_id": None}}],
    }
    assert t.to_json(t.parse(expression, ITEM, schema)) == expression


def test_session_variables_of_an_expression(shop: Any) -> None:
    _conn, schema = shop
    node = t.parse(
        {"owner_id": "X-Hasura-User-Db-Id", "org": {"id": {"_in": "x-hasura-org-ids"}}},
        ITEM,
        schema,
    )
    assert t.session_variables(node) == {"x-hasura-user-db-id", "x-hasura-org-ids"}


def test_a_bad_session_value_is_a_postgres_error(shop: Any) -> None:
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        admitted(shop, ITEM, {"owner_id": "x-hasura-user-db-id"}, {"x-hasura-user-db-id": "abc"})


def test_a_json_array_is_not_an_array_session_value(shop: Any) -> None:
    # Hasura wants Postgres array literals ("{1,2}") for _in session variables.
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        admitted(
            shop, ITEM, {"org_id": {"_in": "x-hasura-org-ids"}}, {"x-hasura-org-ids": "[1, 2]"}
        )


def test_postgis_operators_are_reported_as_not_supported(shop: Any) -> None:
    _conn, schema = shop
    node = t.parse({"name": {"_st_within": {"type": "Point"}}}, ITEM, schema)
    with pytest.raises(t.UnsupportedRule, match="PostGIS operator `_st_within`"):
        q.Translator(schema).condition(node, ITEM)


def test_unknown_fields_are_errors(shop: Any) -> None:
    _conn, schema = shop
    with pytest.raises(
        t.ExpressionError, match="`nope` is no column, relationship or computed field"
    ):
        t.parse({"nope": 1}, ITEM, schema)


def test_literals_are_quoted_safely(shop: Any) -> None:
    assert admitted(shop, ITEM, {"name": {"_eq": "x'); DROP TABLE item; --"}}, {}) == []
    assert admitted(shop, ITEM, {}, {}) == [1, 2, 3, 4]
