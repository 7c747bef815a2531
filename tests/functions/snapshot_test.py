"""The snapshot records the functions Hasura can track; the key stays optional."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.schema.snapshot import load_snapshot

TABLES = "version: 1\ntables:\n  public.articles:\n    columns: {id: integer}\n"


def test_functions_are_read_with_their_return_table(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(
        TABLES + "functions:\n  public.search:\n    returns: public.articles\n"
        "    volatility: stable\n"
    )
    function = load_snapshot(path).functions[TableName("public", "search")]
    assert function.returns == TableName("public", "articles")
    assert function.volatility == "stable"


def test_a_snapshot_without_functions_stays_valid(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(TABLES)
    assert load_snapshot(path).functions == {}


def test_a_malformed_function_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(TABLES + "functions:\n  public.search:\n    returns: articles\n")
    with pytest.raises(SpecError, match=r"schema.yaml:7:\d+: `articles` is not a valid value"):
        load_snapshot(path)
