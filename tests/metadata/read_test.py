"""Reading a metadata directory or an export: the sources it lists, and refusals of shapes
that list none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hasura_perm.core.errors import SpecError
from hasura_perm.metadata.read import source_names

REPO = Path(__file__).resolve().parents[2]


def test_the_example_lists_default(tmp_path: Path) -> None:
    assert source_names(REPO / "metadata") == ["default"]


@pytest.mark.parametrize("text", ["5\n", "name: default\n", "true\n"])
def test_a_databases_file_that_is_no_list_is_an_error_naming_it(tmp_path: Path, text: str) -> None:
    metadata = tmp_path / "metadata"
    (metadata / "databases").mkdir(parents=True)
    (metadata / "version.yaml").write_text("version: 3\n", encoding="utf-8")
    (metadata / "databases" / "databases.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as error:
        source_names(metadata)
    assert "databases.yaml:1:1: expected a list of sources" in str(error.value)


def test_an_export_whose_sources_are_no_list_is_an_error_naming_it(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 3, "sources": 5}), encoding="utf-8")
    with pytest.raises(SpecError) as error:
        source_names(export)
    assert "export.json" in str(error.value) and "expected a list of sources" in str(error.value)
