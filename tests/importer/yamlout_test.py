"""The importer's YAML writer: readable, and read back exactly by hasura-perm's own loader."""

from __future__ import annotations

import pytest

from hasura_perm.core.yaml_source import load_text
from hasura_perm.importer import yamlout

TRICKY = [
    "yes",
    "No",
    "on",
    "null",
    "~",
    "123",
    "1e3",
    "0x1F",
    "2024-01-01",
    "",
    " leading",
    "trailing ",
    "*",
    "public.*",
    "&anchor",
    "!tag",
    "a: b",
    "a #b",
    "#x",
    "- x",
    "-x",
    "x-hasura-user-db-id",
    "X-Hasura-User-Id",
    "[x]",
    "{x}",
    "a, b",
    "line\nbreak",
    "tab\there",
    "quote'd",
    'dq"',
    "ünïcode",
    "%bridge%",
    "@at",
    "`tick`",
    "?q",
    "|pipe",
    ">gt",
]


@pytest.mark.parametrize("text", TRICKY)
def test_strings_read_back_as_written_in_block_and_flow_positions(text: str) -> None:
    data = {"key": text, "flow": {"value": text, "list": [text, "x"]}, text or "empty": 1}
    assert load_text(yamlout.dump(data), "t.yaml").data == data


def test_scalars_of_every_type_read_back() -> None:
    data = {"i": 3, "f": 1.5, "t": True, "n": None, "neg": -7, "empty_map": {}, "empty_list": []}
    assert load_text(yamlout.dump(data), "t.yaml").data == data


def test_short_collections_are_flow_and_long_ones_block() -> None:
    data = {
        "sections": {
            "own": {"created_by_user_id": {"_eq": "x-hasura-user-db-id"}},
            "columns": ["a", "b"],
            "long": [f"column_number_{i}" for i in range(12)],
        }
    }
    text = yamlout.dump(data)
    assert text.splitlines()[:4] == [
        "sections:",
        "  own: {created_by_user_id: {_eq: x-hasura-user-db-id}}",
        "  columns: [a, b]",
        "  long:",
    ]
    assert "    - column_number_11" in text
    assert load_text(text, "t.yaml").data == data


def test_items_and_gaps() -> None:
    lines = yamlout.dump_item({"tables": "public.*", "select": {"viewer": {"filter": {}}}}, 2)
    assert lines == ["  - tables: public.*", "    select: {viewer: {filter: {}}}"]
    text = yamlout.dump({"a": {"x": 1}, "b": {"y": 2}}, gaps=("b",))
    assert text == "a:\n  x: 1\n\nb:\n  y: 2\n"
