"""The spec parse cache gives exactly the Document the reader gives, or reads the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core import located_cache as parse_cache
from hasura_perm.core import parse_cache as shared
from hasura_perm.core import yaml_source
from hasura_perm.core.errors import SpecError
from tests.cache_entries import overwrite
from tests.cache_entries import stored
from tests.core.parse_cache_test import same

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(shared.ENV, str(folder))
    return folder


def spec_files() -> list[Path]:
    found = [
        p for p in REPO.rglob("*.yaml") if "permissions" in p.parts and "metadata" not in p.parts
    ]
    return sorted(p for p in found if ".git" not in p.parts)


def test_a_miss_and_a_hit_give_the_readers_document(cache: Path) -> None:
    files = spec_files()
    assert len(files) > 50
    for path in files:
        try:
            expected = yaml_source.load_file(path, "shown.yaml")
        except SpecError:
            continue
        for _ in range(2):
            doc = parse_cache.load_file(path, "shown.yaml")
            assert doc.file == "shown.yaml"
            assert same(doc.data, expected.data), path
            assert doc.locations == expected.locations, path
    assert len(stored(cache)) > 50


def test_a_hit_does_not_read_the_yaml_again(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  user: {}\n  editor:\n    inherits: user\n", encoding="utf-8")
    first = parse_cache.load_file(path, "roles.yaml")
    monkeypatch.setattr(yaml_source, "load_file", lambda *a: pytest.fail("read again"))
    again = parse_cache.load_file(path, "roles.yaml")
    assert again.data == first.data and again.locate(("roles", "editor", "inherits")).line == 4


def test_an_edited_file_is_read_again(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  user: {}\n", encoding="utf-8")
    parse_cache.load_file(path, "roles.yaml")
    path.write_text("roles:\n  user: {}\n  admin2: {}\n", encoding="utf-8")
    assert list(parse_cache.load_file(path, "roles.yaml").data["roles"]) == ["user", "admin2"]


def test_another_reader_version_does_not_see_old_entries(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  user: {}\n", encoding="utf-8")
    parse_cache.load_file(path, "roles.yaml")
    overwrite(cache, lambda _: b'{"data": {"roles": {"stale": {}}}, "marks": [1,1,1,1,2,3,2,9]}')
    monkeypatch.setattr(parse_cache, "_salt", lambda: b"a changed yaml_source.py")
    assert list(parse_cache.load_file(path, "roles.yaml").data["roles"]) == ["user"]


def test_a_corrupt_entry_is_ignored(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  user: {}\n", encoding="utf-8")
    parse_cache.load_file(path, "roles.yaml")
    overwrite(cache, lambda _: b'{"data": {"roles": {}}, "marks": [1, 1]}')  # marks too short
    assert list(parse_cache.load_file(path, "roles.yaml").data["roles"]) == ["user"]


@pytest.mark.parametrize(
    "raw",
    [
        b"roles:\n  a: &x {}\n  b: *x\n",  # aliases
        b"roles: [\n",  # invalid YAML
        b"roles:\n  a: \xff\n",  # not UTF-8
    ],
)
def test_refused_files_are_refused_every_time_and_never_stored(
    cache: Path, tmp_path: Path, raw: bytes
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    for _ in range(2):
        with pytest.raises(SpecError) as error:
            parse_cache.load_file(path, "bad.yaml")
        assert "bad.yaml:" in str(error.value)
    assert stored(cache) == {}


def test_crlf_files_read_as_the_reader_reads_them(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "roles.yaml"
    path.write_bytes(b"roles:\r\n  user:\r\n    description: a\r\n")
    for _ in range(2):
        doc = parse_cache.load_file(path, "roles.yaml")
        assert doc.data == {"roles": {"user": {"description": "a"}}}
        assert doc.locate(("roles", "user", "description")).line == 3


def test_a_hit_locates_as_the_file_was_even_after_its_value_changed(
    cache: Path, tmp_path: Path
) -> None:
    """Locations of a cached document are rebuilt lazily, from the entry as stored: a caller
    that changed the value first (permission tests' mutants do) still gets the file's."""
    path = tmp_path / "roles.yaml"
    path.write_text("roles:\n  user: {}\n  editor:\n    inherits: user\n", encoding="utf-8")
    parse_cache.load_file(path, "roles.yaml")
    doc = parse_cache.load_file(path, "roles.yaml")
    doc.data["roles"]["editor"] = "deny"
    doc.data["roles"]["added"] = {}
    assert doc.locate(("roles", "editor", "inherits")).line == 4
    assert doc.locate(("roles", "editor")).line == 3


NESTED = """\
a:
  - {b: [1, {c: d}], e: []}
  - - x
    - y: {z: [~, 2.5]}
  -
f: {g: {h: {}}}
'quoted key': "v"
"""


def test_locations_come_back_in_the_order_the_reader_recorded_them(
    cache: Path, tmp_path: Path
) -> None:
    path = tmp_path / "nested.yaml"
    path.write_text(NESTED, encoding="utf-8")
    expected = yaml_source.load_file(path, "nested.yaml")
    parse_cache.load_file(path, "nested.yaml")  # a miss: stored
    hit = parse_cache.load_file(path, "nested.yaml")
    assert type(hit).__name__ == "_StoredDocument"
    assert list(hit.locations.items()) == list(expected.locations.items())
