"""The parse cache gives exactly what parsing gives, and never an entry for other text."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hasura_perm.core import parse_cache
from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.metadata.directory import read_metadata
from tests.cache_entries import overwrite
from tests.cache_entries import stored

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path("/work/shared/corpus")
TABLE = """table:
  name: notes
  schema: public
select_permissions:
  - role: user
    permission:
      columns:
        - id
      filter:
        owner_id:
          _eq: X-Hasura-User-Id
      limit: 10
      allow_aggregations: true
    comment: "yes"
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(parse_cache.ENV, str(folder))
    return folder


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1, 1.0 and True are different values)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # NaN


def table_files() -> list[Path]:
    roots = [REPO / "metadata", REPO / "tests", CORPUS]
    found = [p for root in roots if root.is_dir() for p in root.rglob("databases/*/tables/*.yaml")]
    return sorted(p for p in found if p.name != "tables.yaml")


def test_a_miss_and_a_hit_both_give_what_parsing_gives(cache: Path) -> None:
    files = table_files()
    assert len(files) > 100, "the corpus should provide real table files"
    for path in files:
        text = path.read_text(encoding="utf-8")
        expected = yamlfmt.load(text, filename=str(path))
        assert same(parse_cache.load(text, filename=str(path)), expected), path
        assert same(parse_cache.load(text, filename=str(path)), expected), path
    assert len(stored(cache)) > 100


def test_a_hit_is_served_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = parse_cache.load(TABLE, filename="t.yaml")
    monkeypatch.setattr(yamlfmt, "load", lambda *a, **k: pytest.fail("parsed again"))
    assert same(parse_cache.load(TABLE, filename="t.yaml"), first)


def test_changed_text_is_parsed_again(cache: Path) -> None:
    parse_cache.load(TABLE, filename="t.yaml")
    changed = TABLE.replace("limit: 10", "limit: 11")
    assert (
        parse_cache.load(changed, filename="t.yaml")["select_permissions"][0]["permission"]["limit"]
        == 11
    )


def test_another_loader_version_does_not_see_old_entries(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse_cache.load(TABLE, filename="t.yaml")
    overwrite(cache, lambda _: b'{"table": "stale"}')  # what an old loader said
    monkeypatch.setattr(parse_cache, "_salt", lambda: b"a changed yamlfmt.py")
    assert parse_cache.load(TABLE, filename="t.yaml")["table"] == {
        "name": "notes",
        "schema": "public",
    }


def test_a_corrupt_entry_is_ignored_and_replaced(cache: Path) -> None:
    parse_cache.load(TABLE, filename="t.yaml")
    assert len(stored(cache)) == 1
    overwrite(cache, lambda _: b'{"table": {"na')
    assert same(parse_cache.load(TABLE, filename="t.yaml"), yamlfmt.load(TABLE, filename="t"))
    assert same(parse_cache.load(TABLE, filename="t.yaml"), yamlfmt.load(TABLE, filename="t"))


def test_values_json_cannot_give_back_are_not_cached(cache: Path) -> None:
    text = 'table: {name: t, schema: public}\nfunctions: "!include functions.yaml"\n'
    value = parse_cache.load(text, filename="t.yaml")
    assert isinstance(value["functions"], yamlfmt.Include)
    assert isinstance(parse_cache.load(text, filename="t.yaml")["functions"], yamlfmt.Include)
    assert stored(cache) == {}


def test_invalid_yaml_is_reported_at_its_line_and_not_cached(cache: Path) -> None:
    for _ in range(2):
        with pytest.raises(SpecError) as error:
            parse_cache.load("table:\n  name: [t\n", filename="bad.yaml")
        assert "bad.yaml:" in str(error.value)
    assert stored(cache) == {}


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parse_cache.ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parse_cache.load(TABLE, filename="t.yaml")["table"]["name"] == "notes"
    assert list(tmp_path.rglob("*")) == []


def test_read_metadata_sees_an_edited_table_file(cache: Path, tmp_path: Path) -> None:
    metadata = tmp_path / "metadata"
    shutil.copytree(REPO / "metadata", metadata)
    before = read_metadata(metadata, "default")
    table, table_file = next(iter(before.tables.items()))
    assert same(read_metadata(metadata, "default").tables[table].entry, table_file.entry)
    edited = table_file.text.replace("schema: public", "schema: public\nis_enum: true", 1)
    table_file.path.write_text(edited, encoding="utf-8")
    assert read_metadata(metadata, "default").tables[table].entry["is_enum"] is True


def test_dump_gives_what_yamlfmt_gives_on_a_miss_and_a_hit(cache: Path) -> None:
    for path in table_files():
        entry = yamlfmt.load(path.read_text(encoding="utf-8"), filename=str(path))
        try:
            expected = yamlfmt.dump(entry)
        except HasuraPermError:
            continue
        assert parse_cache.dump(entry) == expected, path
        assert parse_cache.dump(entry) == expected, path


def test_dump_tells_apart_values_that_python_finds_equal(cache: Path) -> None:
    values = [1, True, 1.0, "1", "true", None, "null", 0, False, 0.0, "yes"]
    texts = [parse_cache.dump({"table": {"name": "t", "schema": "s"}, "x": v}) for v in values]
    again = [parse_cache.dump({"table": {"name": "t", "schema": "s"}, "x": v}) for v in values]
    expected = [yamlfmt.dump({"table": {"name": "t", "schema": "s"}, "x": v}) for v in values]
    assert texts == expected == again
    assert len(set(texts)) == len(values)
    swapped = {"x": 1, "table": {"schema": "s", "name": "t"}}
    assert parse_cache.dump(swapped) == yamlfmt.dump(swapped)


def test_dump_of_an_include_is_never_taken_for_a_plain_string(cache: Path) -> None:
    plain = {"table": {"name": "t", "schema": "s"}, "f": "!include x.yaml"}
    marked = {"table": {"name": "t", "schema": "s"}, "f": yamlfmt.include("x.yaml")}
    assert parse_cache.dump(plain) == yamlfmt.dump(plain)
    assert parse_cache.dump(marked) == yamlfmt.dump(marked)
    assert parse_cache.dump(plain) != parse_cache.dump(marked)


def test_dump_with_another_writer_version_does_not_see_old_texts(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = {"table": {"name": "t", "schema": "s"}}
    parse_cache.dump(entry)
    overwrite(cache, lambda _: b'"stale text"')
    assert parse_cache.dump(entry) == "stale text"  # the same writer: the stored text
    monkeypatch.setattr(parse_cache, "_salt", lambda: b"a changed yamlfmt.py")
    assert parse_cache.dump(entry) == yamlfmt.dump(entry)


def test_merge_keeps_the_files_entry_when_identical_or_only_reordered() -> None:
    from hasura_perm.metadata.directory import _unless_only_order

    ours = {"role": "r", "permission": {"columns": ["a", "b"], "filter": {}}}
    same = {"role": "r", "permission": {"columns": ["a", "b"], "filter": {}}}
    reordered = {"role": "r", "permission": {"columns": ["b", "a"], "filter": {}}}
    other_type = {"role": "r", "permission": {"columns": ["a", "b"], "filter": {}, "limit": True}}
    ours_limit = {"role": "r", "permission": {"columns": ["a", "b"], "filter": {}, "limit": 1}}
    assert _unless_only_order(same, ours) is same
    assert _unless_only_order(reordered, ours) is reordered
    assert _unless_only_order(None, ours) is ours
    changed = {"role": "r", "permission": {"columns": ["a"], "filter": {}}}
    assert _unless_only_order(changed, ours) is ours
    # equal in Python (True == 1) but not the same value: decided as before, not by ==
    from hasura_perm.metadata.export_format import same_but_order

    expected = other_type if same_but_order(other_type, ours_limit) else ours_limit
    assert _unless_only_order(other_type, ours_limit) is expected


TRICKY = [
    *["", " x", "x ", "yes", "no", "on", "y", "~", "null", "NULL", "true", "True", "1e3"],
    *["0o17", "0x1F", "1_000", ".5", "+1", "-", "1:20", "2001-01-01", "12:30:00", "'", '"'],
    *["#", "a #b", "- a", "a: b", "? x", "*x", "&x", "!x", "%x", "@x", "`x", "|", ">"],
    *["\x7f", "\x85", "\u2028", "\ufeff", "\ufeffx", "🙂", "é", "a\tb", "a\nb", "\nb", "a\n"],
    *["!include x.yaml", "<<", "!!merge <<", "x" * 200, "[a]", "{a: b}", "a,b", "a, b"],
    *[0, 1, -1, 2**63 - 1, -(2**63), 2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30],
    *[0.0, -0.0, 1.0, 1e16, 1e-7, 1.5e300, float("inf"), float("nan"), True, False, None],
    *[[], {}, ["a", 1], {"k": "v"}, {"1": 2}, {"yes": "no"}, {"a b": {"c": []}}],
]


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_dump_remembers_only_parses_that_parsing_gives(cache: Path, value: Any) -> None:
    entry = {"table": {"name": "t", "schema": "s"}, "x": value, value_key(value): 1}
    try:
        text = parse_cache.dump(entry)
    except HasuraPermError:
        return  # a value dump refuses
    expected = yamlfmt.load(text, filename="t.yaml")
    assert same(parse_cache.load(text, filename="t.yaml"), expected)


def value_key(value: Any) -> str:
    return value if isinstance(value, str) and value != "<<" else "k"


def test_a_file_compile_wrote_is_read_back_without_parsing(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = 0
    for path in table_files():
        entry = yamlfmt.load(path.read_text(encoding="utf-8"), filename=str(path))
        try:
            text = parse_cache.dump(entry)
        except HasuraPermError:
            continue
        expected = yamlfmt.load(text, filename=str(path))
        with monkeypatch.context() as patched:
            patched.setattr(yamlfmt, "load", refuse_to_parse)
            try:
                remembered = parse_cache.load(text, filename=str(path))
            except AssertionError:
                continue  # not remembered (a value that may read back otherwise)
        assert same(remembered, expected), path
        checked += 1
    assert checked > 100


def refuse_to_parse(text: str, *, filename: str) -> object:
    raise AssertionError(f"{filename} was parsed")


class _Int(int):
    pass


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ({"a": [1, 2.5, None, True, "x", {"b": []}]}, True),
        ([[[[]]]], True),
        ({"a": (1, 2)}, False),
        ([1, [2, (3,)]], False),
        ({"a": {"b": yamlfmt.include("x.yaml")}}, False),
        ({1: "a"}, False),
        ({"a": [_Int(1)]}, False),
        ({"a": {"b": {1, 2}}}, False),
        (_Int(1), False),
    ],
    ids=repr,
)
def test_plain_means_json_gives_it_back(value: Any, plain: bool) -> None:
    assert parse_cache.is_plain(value) is plain
