"""yamlfmt writes metadata YAML byte for byte as `hasura metadata export` does.

The expected texts below were produced by gopkg.in/yaml.v3 v3.0.1 itself, driven
the way the Hasura CLI drives it (cue v0.4.3's quoting, then the CLI's parse and
re-encode hops), and by the committed moped metadata, which the CLI exported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.core.yamlfmt import Include
from hasura_perm.core.yamlfmt import dump
from hasura_perm.core.yamlfmt import dump_include_list
from hasura_perm.core.yamlfmt import include
from hasura_perm.core.yamlfmt import load

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "moped" / "metadata"
CORPUS_FILES = sorted(CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else []


def _kind(path: Path) -> str:
    relative = path.relative_to(CORPUS).as_posix()
    if relative == "databases/databases.yaml":
        return "databases"
    return "table" if relative.startswith("databases/") else "other"


# ----------------------------------------------------------------- real metadata


@pytest.mark.parametrize(
    "path",
    CORPUS_FILES or [pytest.param(None, marks=pytest.mark.skip(reason="no moped corpus"))],
    ids=lambda path: path.relative_to(CORPUS).as_posix() if path else "absent",
)
def test_every_corpus_file_round_trips_byte_for_byte(path: Path) -> None:
    # Every committed file is what the CLI wrote, so no normalisation is needed.
    text = path.read_text(encoding="utf-8")
    assert dump(load(text, filename=str(path)), kind=_kind(path)) == text


@pytest.mark.skipif(not CORPUS_FILES, reason="no moped corpus")
def test_corpus_is_the_whole_metadata_directory() -> None:
    names = {path.relative_to(CORPUS).as_posix() for path in CORPUS_FILES}
    assert {"databases/databases.yaml", "databases/default/tables/tables.yaml"} <= names
    assert sum(name.startswith("databases/default/tables/public_") for name in names) > 60


@pytest.mark.skipif(not CORPUS_FILES, reason="no moped corpus")
def test_corpus_include_references_load_as_include() -> None:
    tables = load((CORPUS / "databases/default/tables/tables.yaml").read_text(), filename="t")
    assert tables[0] == "!include deprecated_moped_funds.yaml"
    assert all(type(entry) is Include for entry in tables)
    names = [entry.removeprefix("!include ") for entry in tables]
    assert dump_include_list(names) == (CORPUS / "databases/default/tables/tables.yaml").read_text()


# ------------------------------------------------------------------ quoting rules

QUOTING = [
    # plain where go-yaml can
    ("user", "user"),
    ("x-hasura-user-id", "x-hasura-user-id"),
    ("X-Hasura-User-Id", "X-Hasura-User-Id"),
    ("_eq", "_eq"),
    ("a:b", "a:b"),
    ("a#b", "a#b"),
    ("-a", "-a"),
    ("?a", "?a"),
    (":a", ":a"),
    ("it's", "it's"),
    ("a\\b", "a\\b"),
    ("a b  c", "a b  c"),
    ("a,b", "a,b"),
    ("=", "="),
    ("+", "+"),
    ("1.2.3", "1.2.3"),
    ("0b2", "0b2"),
    ("infinity", "infinity"),
    ("é", "é"),
    ("日本", "日本"),
    ("\u00a0", "\u00a0"),
    # double quotes: a plain scalar would not be a string for go-yaml v3
    ("", '""'),
    ("true", '"true"'),
    ("True", '"True"'),
    ("false", '"false"'),
    ("null", '"null"'),
    ("Null", '"Null"'),
    ("~", '"~"'),
    ("123", '"123"'),
    ("0", '"0"'),
    ("-1", '"-1"'),
    ("+1", '"+1"'),
    ("0x1F", '"0x1F"'),
    ("0o17", '"0o17"'),
    ("017", '"017"'),
    ("08", '"08"'),
    ("1_000", '"1_000"'),
    ("1e3", '"1e3"'),
    ("1.5", '"1.5"'),
    (".5", '".5"'),
    ("0b101", '"0b101"'),
    (".inf", '".inf"'),
    ("-.Inf", '"-.Inf"'),
    (".nan", '".nan"'),
    (".NaN", '".NaN"'),
    # double quotes: cue's YAML 1.1 and date/time guard
    ("yes", '"yes"'),
    ("no", '"no"'),
    ("on", '"on"'),
    ("off", '"off"'),
    ("y", '"y"'),
    ("n", '"n"'),
    ("Y", '"Y"'),
    ("t", '"t"'),
    ("f", '"f"'),
    (".Nan", '".Nan"'),
    ("2024-01-01", '"2024-01-01"'),
    ("12:30", '"12:30"'),
    ("1:20", '"1:20"'),
    ("1-2", '"1-2"'),
    ("---", '"---"'),
    ("2001-12-14 21:59:43.10", '"2001-12-14 21:59:43.10"'),
    # single quotes: the emitter refuses a plain scalar
    ("*", "'*'"),
    ("!include x.yaml", "'!include x.yaml'"),
    (" leading", "' leading'"),
    ("trailing ", "'trailing '"),
    ("a: b", "'a: b'"),
    ("a:", "'a:'"),
    ("a #b", "'a #b'"),
    ("- a", "'- a'"),
    ("-", "'-'"),
    ("? a", "'? a'"),
    (": a", "': a'"),
    ("&a", "'&a'"),
    ("*a", "'*a'"),
    ("|", "'|'"),
    (">", "'>'"),
    ("%d", "'%d'"),
    ("@timestamp", "'@timestamp'"),
    ("`", "'`'"),
    ("#", "'#'"),
    (",", "','"),
    ("[1, 2]", "'[1, 2]'"),
    ("{a: 1}", "'{a: 1}'"),
    ("...x", "'...x'"),
    ("'quoted'", "'''quoted'''"),
    ('"dq"', "'\"dq\"'"),
    ("a\u2028b", "'a\u2028  b'"),
    # double quotes with escapes: tabs and characters go-yaml finds unprintable
    ("a\tb", '"a\\tb"'),
    ("😀", '"\\U0001F600"'),
    ("\x7f", '"\\x7F"'),
    ("\x00", '"\\0"'),
    ("\x1b", '"\\e"'),
    ("\ufeffab", '"\\uFEFF\\x61\\x62"'),
    # a plain `<<` is read back as a merge key and tagged from then on
    ("<<", "!!merge <<"),
]


@pytest.mark.parametrize(("value", "expected"), QUOTING, ids=[repr(v) for v, _ in QUOTING])
def test_string_quoting(value: str, expected: str) -> None:
    assert dump({"k": value}, kind="other") == f"k: {expected}\n"


@pytest.mark.parametrize(("value", "expected"), QUOTING, ids=[repr(v) for v, _ in QUOTING])
def test_quoted_strings_load_back_unchanged(value: str, expected: str) -> None:
    assert load(f"k: {expected}\n", filename="x.yaml") == {"k": value}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("n", '"n": 1\n'),
        ("on", '"on": 1\n'),
        ("123", '"123": 1\n'),
        ("true", '"true": 1\n'),
        ("*", "'*': 1\n"),
        ("", '"": 1\n'),
        ("k" * 128, "k" * 128 + ": 1\n"),
        ("k" * 129, "? " + "k" * 129 + "\n: 1\n"),
        ("ü" * 64, "ü" * 64 + ": 1\n"),
        ("ü" * 64 + "x", "? " + "ü" * 64 + "x\n: 1\n"),
        ("a\nb", "? |-\n  a\n  b\n: 1\n"),
    ],
)
def test_key_quoting(key: str, expected: str) -> None:
    assert dump({key: 1}, kind="other") == expected


# -------------------------------------------------------------- multi-line strings

MULTILINE = [
    ("a\nb", "|-\n  a\n  b\n"),
    ("a\nb\n", "|\n  a\n  b\n"),
    ("a\nb\n\n", "|+\n  a\n  b\n\n"),
    ("a\n\n\nb", "|-\n  a\n\n\n  b\n"),
    ("line1\n  line2\n", "|\n  line1\n    line2\n"),
    ("a\n\tb", "|-\n  a\n  \tb\n"),
    ("  indented\nnext", "|2-\n    indented\n  next\n"),
    # each CLI re-encoding spends a leading line break on ending the `|` line
    ("\nfoo", "|-\n  foo\n"),
    ("\n\nfoo", "|-\n  foo\n"),
    ("\n\n\nfoo", "|2-\n  foo\n"),
    ("\n", '""\n'),
    ("\n\n", '""\n'),
    # no block possible: double quotes
    ("x \ny", '"x \\ny"\n'),
    ("x\ny ", '"x\\ny "\n'),
    ("a\r\nb", '"a\\r\\nb"\n'),
    ("😀\nx", '"\\U0001F600\\nx"\n'),
]


@pytest.mark.parametrize(("value", "expected"), MULTILINE, ids=[repr(v) for v, _ in MULTILINE])
def test_multiline_strings(value: str, expected: str) -> None:
    assert dump({"k": value}, kind="other") == f"k: {expected}"


def test_literal_block_content_is_indented_under_its_key() -> None:
    data = {"event_triggers": [{"request_transform": {"body": {"template": '{\n  "a": 1\n}'}}}]}
    assert dump(data) == (
        "event_triggers:\n"
        "  - request_transform:\n"
        "      body:\n"
        "        template: |-\n"
        "          {\n"
        '            "a": 1\n'
        "          }\n"
    )


def test_literal_block_ending_the_file_keeps_its_own_line_break() -> None:
    assert dump({"a": "x\ny\n"}, kind="other") == "a: |\n  x\n  y\n"
    assert dump({"a": "x\ny\n", "b": 1}, kind="other") == "a: |\n  x\n  y\nb: 1\n"


def test_indentation_indicator_where_the_cli_can_write_it() -> None:
    assert dump({"a": [" x\ny"]}, kind="other") == "a:\n  - |2-\n     x\n    y\n"
    assert dump({"a": {"b": " x\ny"}}, kind="table") == "a:\n  b: |2-\n     x\n    y\n"
    nested = {"a": [{"b": {"c": "\n\n\nfoo"}}]}
    assert dump(nested, kind="table") == "a:\n  - b:\n      c: |-\n        foo\n"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"comment": " x\ny"}, "table"),  # a table's own keys sit at column 6 in the indent-4 hop
        ({"comment": "\n\n\nfoo"}, "table"),
        ({"a": [" x\ny"]}, "table"),  # sequence items never line up
        ([{"name": "default", "configuration": {"x": [" a\nb"]}}], "databases"),
        ({"k": "\tx\ny"}, "other"),  # go-yaml never reads back a block starting with a tab
        ({"k": "\n\tx"}, "other"),
    ],
)
def test_blocks_the_cli_cannot_read_back_are_refused(data: object, kind: str) -> None:
    with pytest.raises(HasuraPermError, match="cannot write the multi-line string"):
        dump(data, kind=kind)


# ------------------------------------------------------------------- structure


def test_sequences_are_indented_under_their_key() -> None:
    data = {
        "table": {"name": "author", "schema": "public"},
        "insert_permissions": [
            {
                "role": "user",
                "permission": {
                    "check": {"id": {"_eq": "X-Hasura-User-Id"}},
                    "columns": ["id", "name"],
                    "set": {},
                },
                "comment": "",
            }
        ],
    }
    assert dump(data) == (
        "table:\n"
        "  name: author\n"
        "  schema: public\n"
        "insert_permissions:\n"
        "  - role: user\n"
        "    permission:\n"
        "      check:\n"
        "        id:\n"
        "          _eq: X-Hasura-User-Id\n"
        "      columns:\n"
        "        - id\n"
        "        - name\n"
        "      set: {}\n"
        '    comment: ""\n'
    )


def test_nested_empty_containers() -> None:
    data = {"a": {}, "b": [], "c": [{}, [], [[]], {"d": {}}, [{}]]}
    assert dump(data, kind="other") == (
        "a: {}\nb: []\nc:\n  - {}\n  - []\n  - - []\n  - d: {}\n  - - {}\n"
    )


def test_root_containers_and_scalars() -> None:
    assert dump({}) == "{}\n"
    assert dump([]) == "[]\n"
    assert dump([[1, [2, 3]], [], {}, "x"]) == "- - 1\n  - - 2\n    - 3\n- []\n- {}\n- x\n"
    assert dump("root") == "root\n"
    assert dump({"version": 3}) == "version: 3\n"


def test_key_order_is_kept() -> None:
    data = {"zeta": 1, "alpha": 2, "mid": {"z": 1, "a": 2}}
    assert dump(data) == "zeta: 1\nalpha: 2\nmid:\n  z: 1\n  a: 2\n"
    assert list(load(dump(data), filename="x.yaml")) == ["zeta", "alpha", "mid"]


def test_numbers_booleans_and_null() -> None:
    data = {"i": 7, "neg": -3, "big": 2**70, "t": True, "f": False, "n": None, "x": 1.5, "e": 1e-07}
    assert dump(data, kind="other") == (
        'i: 7\nneg: -3\nbig: 1180591620717411303424\n"t": true\n"f": false\n"n": null\n'
        "x: 1.5\ne: 1e-07\n"
    )
    assert load(dump(data), filename="x.yaml") == data


def test_unicode_is_written_raw_except_outside_the_bmp() -> None:
    data = {"name": "café", "jp": "日本語", "emoji": "👍", "mixed": "naïve 😀 text"}
    text = dump(data, kind="other")
    assert text == 'name: café\njp: 日本語\nemoji: "\\U0001F44D"\nmixed: "naïve \\U0001F600 text"\n'
    assert load(text, filename="x.yaml") == data


def test_long_lines_are_never_folded() -> None:
    value = " ".join(["word"] * 60)
    assert dump({"k": value}) == f"k: {value}\n"
    assert dump({"k": "a: " + value}) == f"k: 'a: {value}'\n"


def test_include_references_are_double_quoted() -> None:
    assert dump_include_list(["public_a.yaml", "public_b.yaml"]) == (
        '- "!include public_a.yaml"\n- "!include public_b.yaml"\n'
    )
    assert dump_include_list([]) == "[]\n"
    source = {
        "name": "default",
        "kind": "postgres",
        "tables": include("default/tables/tables.yaml"),
    }
    assert dump([source], kind="databases") == (
        '- name: default\n  kind: postgres\n  tables: "!include default/tables/tables.yaml"\n'
    )
    # A plain string starting with `!` is single-quoted by go-yaml.
    assert dump(["!include x.yaml"]) == "- '!include x.yaml'\n"


def test_unsupported_values_are_programming_errors() -> None:
    with pytest.raises(TypeError):
        dump({"k": object()})
    with pytest.raises(TypeError):
        dump({1: "x"})
    with pytest.raises(ValueError, match="kind"):
        dump({}, kind="tables")  # type: ignore[arg-type]


# ------------------------------------------------------------------------ load


def test_load_resolves_plain_scalars_like_go_yaml_v3() -> None:
    text = (
        "a: yes\nb: on\nc: 2001-12-14\nd: 1e3\ne: 0o17\nf: 017\ng: 08\nh: 1:20\n"
        "i:\nj: ~\nk: 0x1F\nl: 1_000\nm: =\nn: .5\no: true\np: 99999999999999999999\n"
    )
    assert load(text, filename="x.yaml") == {
        "a": "yes",
        "b": "on",
        "c": "2001-12-14",
        "d": 1000.0,
        "e": 15,
        "f": 15,
        "g": 8.0,
        "h": "1:20",
        "i": None,
        "j": None,
        "k": 31,
        "l": 1000,
        "m": "=",
        "n": 0.5,
        "o": True,
        "p": 1e20,
    }


def test_load_keeps_keys_as_written() -> None:
    assert load("1: a\ntrue: b\nnull: c\n", filename="x.yaml") == {
        "1": "a",
        "true": "b",
        "null": "c",
    }


def test_load_reads_include_tags_and_quoted_includes() -> None:
    loaded = load(
        "- tables: !include default/tables/tables.yaml\n- '!include a.yaml'\n", filename="x"
    )
    assert loaded == [{"tables": "!include default/tables/tables.yaml"}, "!include a.yaml"]
    assert type(loaded[0]["tables"]) is Include and type(loaded[1]) is Include
    assert dump(loaded, kind="other") == (
        '- tables: "!include default/tables/tables.yaml"\n- "!include a.yaml"\n'
    )


def test_load_reads_merge_tag_written_for_a_string() -> None:
    assert load(dump({"k": "<<"}), filename="x.yaml") == {"k": "<<"}


def test_merge_key_string_is_refused_as_a_key() -> None:
    with pytest.raises(HasuraPermError, match="merge key"):
        dump({"<<": "x"})


def test_load_returns_none_for_an_empty_file() -> None:
    assert load("", filename="x.yaml") is None


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("a: 1\n  b: 2\n", "2:4", "mapping values are not allowed"),
        ("a: [1\n", "2:1", "did not find expected ',' or ']'"),
        ("k:\n\t- 1\n", "2:1", "cannot start any token"),
        ("a: 1\nb: 2\na: 3\n", "3:1", "duplicate key 'a'"),
        ("a: 1\n---\nb: 2\n", "2:1", "single document"),
    ],
)
def test_load_errors_name_file_line_and_column(text: str, where: str, what: str) -> None:
    path = "metadata/databases/default/tables/public_x.yaml"
    with pytest.raises(SpecError) as caught:
        load(text, filename=path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{where}: invalid YAML: ")
    assert what in message


def test_merge_keys_may_be_overridden_but_own_keys_not_repeated() -> None:
    # Anchors and aliases are refused in metadata (tests/hostile/metadata_aliases_test.py),
    # so a merge key can only bring an inline mapping.
    text = "use:\n  <<: {p: 1, q: 2}\n  p: 3\n"
    assert load(text, filename="x.yaml")["use"] == {"p": 3, "q": 2}


def test_indentless_writes_sequences_at_their_keys_column_as_yaml_v2_does() -> None:
    data = [{"table": {"name": "x"}, "select_permissions": [{"role": "r", "columns": ["a"]}]}]
    assert dump(data, kind="other", indentless=True) == (
        "- table:\n    name: x\n  select_permissions:\n  - role: r\n    columns:\n    - a\n"
    )
    assert dump(data, kind="other") == (
        "- table:\n    name: x\n  select_permissions:\n    - role: r\n      columns:\n        - a\n"
    )


# ----------------------------------------------------------------- the fast reader

ALL_CORPUS_YAML = sorted((CORPUS / ".." / "..").resolve().rglob("*.yaml")) if CORPUS_FILES else []
UNUSUAL = [
    "a: 1\na: 2\n",
    "<<: {a: 1}\nb: 2\n",
    "a: !include x.yaml\n",
    "? [a]\n: b\n",
    "---\na: 1\n---\nb\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "[" * 70 + "]" * 70,
    "{a: 1, a: 2}\n",
    "a: [b\n",
]
USUAL = [
    "",
    "a:\n",
    "~: 1\n1: x\ntrue: y\n'': 1\n",
    "a: \"!include x.yaml\"\nb: '!include y'\n",
    "a: 0o17\nb: 1e3\nc: .5\nd: yes\ne: 1_000\nf: 0x1F\ng: -0\nh: .inf\ni: 2001-01-01\n",
    "a: |\n  x\n  y\nb: >\n  z\n",
    '- a\n- - b\n  - c\n- {d: [e, f]}\n- "<<"\n- \n- ~\n',
    "a: 18446744073709551615\nb: 18446744073709551616\nc: -9223372036854775809\n",
]


def _typed(value: object) -> object:
    """The value with every type spelled out (1, 1.0, True and "1" all differ)."""
    if isinstance(value, dict):
        return [(type(k).__name__, k, _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


@pytest.mark.parametrize("text", [*USUAL, *(p.read_text("utf-8") for p in ALL_CORPUS_YAML)])
def test_the_fast_reader_reads_usual_files_as_the_loader_does(text: str) -> None:
    import yaml

    from hasura_perm.core import yamlfmt

    try:
        expected = yaml.load(text, Loader=yamlfmt._Loader)
    except yaml.YAMLError:
        return
    try:
        fast = yamlfmt._fast_load(text)
    except yamlfmt._Unusual:
        assert "<<" in text or "!include" in text or "&" in text, "an ordinary file fell back"
        return
    assert _typed(fast) == _typed(expected)


@pytest.mark.parametrize("text", UNUSUAL)
def test_the_fast_reader_leaves_unusual_files_to_the_loader(text: str) -> None:
    from hasura_perm.core import yamlfmt

    with pytest.raises(Exception):  # noqa: B017 (any refusal: the loader decides)
        yamlfmt._fast_load(text)
