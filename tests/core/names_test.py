from __future__ import annotations

import pytest

from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_name_of
from hasura_perm.core.names import table_ref


def test_a_mapping_names_schema_and_table_and_schema_defaults_to_public() -> None:
    assert table_ref({"schema": "audit", "name": "log"}) == TableName("audit", "log")
    assert table_ref({"name": "users"}) == TableName("public", "users")


def test_a_plain_string_is_a_table_in_public_as_hasura_reads_it() -> None:
    assert table_ref("a.b") == TableName("public", "a.b")


def test_dotted_reads_a_string_as_schema_dot_table() -> None:
    assert table_ref("audit.log", dotted=True) == TableName("audit", "log")
    assert table_ref("users", dotted=True) == TableName("public", "users")


def test_anything_else_names_no_table() -> None:
    for value in (None, 3, [], {"schema": "public"}, {"name": 5}):
        assert table_ref(value) is None


def test_table_name_of_refuses_a_value_that_names_no_table() -> None:
    assert table_name_of({"name": "x"}) == TableName("public", "x")
    with pytest.raises(ValueError, match="not a Hasura table name"):
        table_name_of({"schema": "public"})
