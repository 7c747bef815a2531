"""The safe YAML reader: every refusal names file:line:column; scalars are typed predictably."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from hasura_perm.core import yaml_source
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.yaml_source import MAX_DEPTH
from hasura_perm.core.yaml_source import MAX_FILE_BYTES
from hasura_perm.core.yaml_source import load_file
from hasura_perm.core.yaml_source import load_text
from tests.helpers import ROLES_FILE
from tests.helpers import assert_problem
from tests.helpers import make_project
from tests.helpers import problems_of


def refusal(text: str | bytes, tmp_path: Path, name: str = "rules.yaml") -> tuple[Location, str]:
    """The single problem load_file reports for a file holding `text`."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_file(path, name)
    assert len(caught.value.problems) == 1, caught.value.problems
    problem = caught.value.problems[0]
    location, message = problem.location, problem.message
    assert str(caught.value) == f"{location}: {message}"
    return location, message


# ----------------------------------------------------------------- refusals


def test_anchor_is_refused_at_its_position(tmp_path: Path) -> None:
    location, message = refusal("conditions:\n  own: &own {id: {_eq: 1}}\n", tmp_path)
    assert location == Location("rules.yaml", 2, 8)
    assert "anchors (&name) are not allowed" in message
    assert "named conditions" in message


def test_alias_is_refused_at_its_position(tmp_path: Path) -> None:
    # An alias to an undefined anchor still parses as an alias event: it must be refused
    # as an alias, not slip through or crash.
    location, message = refusal("conditions:\n  mine: *own\n", tmp_path)
    assert location == Location("rules.yaml", 2, 9)
    assert "aliases (*name) are not allowed" in message


def test_alias_bomb_is_refused_before_expansion(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    bomb += "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(8)
    )
    location, message = refusal(bomb, tmp_path)
    assert location == Location("rules.yaml", 1, 4)
    assert "anchors" in message


@pytest.mark.parametrize(
    ("text", "column", "tag"),
    [
        ("a: !!str 1\n", 4, "tag:yaml.org,2002:str"),
        ("a: !custom x\n", 4, "!custom"),
        ("a: !!map {}\n", 4, "tag:yaml.org,2002:map"),
        ("a: !!python/object:os.system ls\n", 4, "python/object"),
        ("a:\n  - !!binary aGVsbG8=\n", 5, "binary"),
    ],
)
def test_tags_are_refused(tmp_path: Path, text: str, column: int, tag: str) -> None:
    location, message = refusal(text, tmp_path)
    assert location.file == "rules.yaml"
    assert (location.line, location.column) == (text.count("\n", 0, text.index("!")) + 1, column)
    assert "YAML tags" in message and "not allowed" in message
    assert tag in message


def test_duplicate_key_is_refused_at_the_second_key(tmp_path: Path) -> None:
    location, message = refusal("roles:\n  viewer: {}\n  editor: {}\n  viewer: {}\n", tmp_path)
    assert location == Location("rules.yaml", 4, 3)
    assert message == "duplicate key 'viewer'"


def test_duplicate_key_in_flow_mapping(tmp_path: Path) -> None:
    location, message = refusal("filter: {id: {_eq: 1}, id: {_eq: 2}}\n", tmp_path)
    assert location == Location("rules.yaml", 1, 24)
    assert "duplicate key 'id'" in message


@pytest.mark.parametrize(
    ("text", "line", "column", "found"),
    [
        ("1: a\n", 1, 1, "int 1"),
        ("a:\n  true: x\n", 2, 3, "bool True"),
        ("a:\n  3.5: x\n", 2, 3, "float 3.5"),
        ("? [a, b]\n: c\n", 1, 3, "a list"),
        ("? {a: b}\n: c\n", 1, 3, "a mapping"),
    ],
)
def test_non_string_keys_are_refused(
    tmp_path: Path, text: str, line: int, column: int, found: str
) -> None:
    location, message = refusal(text, tmp_path)
    assert location == Location("rules.yaml", line, column)
    assert message.startswith("keys must be strings")
    assert found in message


def test_null_key_is_refused(tmp_path: Path) -> None:
    location, message = refusal("roles:\n  ~: {}\n", tmp_path)
    assert location == Location("rules.yaml", 2, 3)
    assert message.startswith("keys must be strings")


def test_quoted_key_that_looks_like_a_number_is_a_string(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text('"1": a\n', encoding="utf-8")
    assert load_file(path).data == {"1": "a"}


def test_block_nesting_deeper_than_the_limit(tmp_path: Path) -> None:
    levels = MAX_DEPTH + 1
    text = "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "leaf\n"
    location, message = refusal(text, tmp_path)
    # The root mapping is level 1; the mapping under key k63 (line 64) is level 65.
    assert location.file == "rules.yaml"
    assert location.line == MAX_DEPTH + 1
    assert message == f"nesting deeper than {MAX_DEPTH} levels"


def test_nesting_at_the_limit_is_accepted(tmp_path: Path) -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    path = tmp_path / "ok.yaml"
    path.write_text(text, encoding="utf-8")
    value = load_file(path).data["a"]
    depth = 1  # the root mapping
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    assert depth == MAX_DEPTH


@pytest.mark.parametrize("opener", ["[", "{", "a: ["])
def test_100000_levels_of_flow_nesting_fail_fast(tmp_path: Path, opener: str) -> None:
    text = opener * 100_000 if len(opener) == 1 else opener + "[" * 100_000 + "\n"
    started = time.perf_counter()
    location, message = refusal(text, tmp_path)
    elapsed = time.perf_counter() - started
    assert location.file == "rules.yaml" and location.line == 1
    assert location.column in (MAX_DEPTH + 1, MAX_DEPTH + 4)
    assert f"nesting deeper than {MAX_DEPTH} levels" in message
    assert elapsed < 5, f"took {elapsed:.2f}s; it must refuse in well under a second"


def test_100000_levels_of_compact_block_sequences_fail_fast(tmp_path: Path) -> None:
    # `- - - - x` nests block sequences without any bracket, so the bracket pre-scan
    # cannot see it; the event builder must stop it.
    started = time.perf_counter()
    location, message = refusal("- " * 100_000 + "x\n", tmp_path)
    assert time.perf_counter() - started < 5
    assert location == Location("rules.yaml", 1, 2 * MAX_DEPTH + 1)
    assert f"nesting deeper than {MAX_DEPTH} levels" in message


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    text = "# padding\n" * (MAX_FILE_BYTES // 10) + "a: 1\n"
    location, message = refusal(text, tmp_path)
    size = len(text.encode())
    assert size > MAX_FILE_BYTES
    assert location == Location("rules.yaml")
    assert message == f"file is {size} bytes; the limit is {MAX_FILE_BYTES}"


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    text = "a: 1\n" + "#" * (MAX_FILE_BYTES - 6) + "\n"
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_file(path).data == {"a": 1}


def test_text_over_the_size_limit_is_refused_before_parsing(monkeypatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_FILE_BYTES", 100)
    with pytest.raises(SpecError) as caught:
        load_text("a: " + "x" * 200 + "\n", "big.yaml")
    assert str(caught.value) == "big.yaml: file is larger than 100 bytes"


def test_multiple_documents_are_refused_at_the_second(tmp_path: Path) -> None:
    location, message = refusal("roles:\n  viewer: {}\n---\nroles:\n  editor: {}\n", tmp_path)
    assert location == Location("rules.yaml", 3, 1)
    assert "only one YAML document per file" in message
    assert "remove `---`" in message


def test_one_explicit_document_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("---\nroles: {}\n...\n", encoding="utf-8")
    assert load_file(path).data == {"roles": {}}


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("roles: [viewer, editor\n", 2, 1, "did not find expected ',' or ']'"),
        ("roles:\n  viewer: {description: a\n", 3, 1, "did not find expected ',' or '}'"),
        ("roles:\n  viewer: x\n   bad: y\n", 3, 7, "mapping values are not allowed"),
        ("a: 'unterminated\n", 2, 1, "found unexpected end of stream"),
        ("a:\n\t- b\n", 2, 1, "found character that cannot start any token"),
    ],
)
def test_invalid_yaml_names_the_place(
    tmp_path: Path, text: str, line: int, column: int, fragment: str
) -> None:
    location, message = refusal(text, tmp_path)
    assert location == Location("rules.yaml", line, column)
    assert message.startswith("invalid YAML: ")
    assert fragment in message


def test_non_utf8_file_names_the_place(tmp_path: Path) -> None:
    location, message = refusal(b"roles:\n  viewer: {description: caf\xe9}\n", tmp_path)
    assert "not UTF-8" in message
    # The byte 0xE9 sits on line 2, column 28: point there, like every other refusal.
    assert location == Location("rules.yaml", 2, 28)


def test_utf16_file_is_refused_as_not_utf8(tmp_path: Path) -> None:
    location, message = refusal("roles: {}\n".encode("utf-16"), tmp_path)
    assert location.file == "rules.yaml"
    assert "not UTF-8" in message


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfroles: {}\n")
    assert load_file(path).data == {"roles": {}}


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_file(tmp_path / "absent.yaml", "absent.yaml")
    assert str(caught.value).startswith("absent.yaml: cannot read file")


def test_refusal_in_a_project_file_names_the_project_path(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {
            "roles.yaml": ROLES_FILE,
            "conditions.yaml": "conditions:\n  own: &own {id: {_eq: 1}}\n  mine: *own\n",
            "tables/notes.yaml": "table: public.notes\nselect:\n  viewer: {columns: [id], filter: {}}\n  viewer: deny\n",
        },
    )
    problems = problems_of(root)
    # Every file is read before giving up, so both files' problems are reported together.
    assert_problem(problems, "permissions/conditions.yaml", 2, "anchors", column=8)
    assert_problem(problems, "permissions/tables/notes.yaml", 4, "duplicate key 'viewer'")


# ------------------------------------------------------------ scalar typing


SCALARS = """\
quoted_true: "true"
single_quoted_yes: 'yes'
plain_true: true
plain_false: False
word_yes: yes
word_no: no
word_on: on
word_off: off
y_letter: y
n_letter: n
word_null: null
tilde: ~
empty:
int: 12
negative: -3
zero: 0
hex: 0x1F
quoted_int: "12"
float: 1.5
negative_float: -0.25
infinity: .inf
date: 2024-01-31
session: X-Hasura-User-Id
version: 1.0.0
"""


@pytest.fixture(scope="module")
def scalars() -> dict:
    return load_text(SCALARS, "scalars.yaml").data


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("quoted_true", "true"),
        ("single_quoted_yes", "yes"),
        ("plain_true", True),
        ("plain_false", False),
        ("tilde", None),
        ("empty", None),
        ("int", 12),
        ("negative", -3),
        ("zero", 0),
        ("hex", 31),
        ("quoted_int", "12"),
        ("float", 1.5),
        ("negative_float", -0.25),
        ("date", "2024-01-31"),
        ("session", "X-Hasura-User-Id"),
        ("version", "1.0.0"),
        ("y_letter", "y"),
        ("n_letter", "n"),
    ],
)
def test_scalar_types(scalars: dict, key: str, expected: object) -> None:
    assert scalars[key] == expected
    assert type(scalars[key]) is type(expected)


def test_yaml_11_booleans_are_booleans(scalars: dict) -> None:
    # The reader resolves plain scalars with YAML 1.1 rules: yes/no/on/off are booleans.
    assert (scalars["word_yes"], scalars["word_no"], scalars["word_on"], scalars["word_off"]) == (
        True,
        False,
        True,
        False,
    )


def test_yaml_11_boolean_words_as_keys_are_refused() -> None:
    with pytest.raises(SpecError) as caught:
        load_text("roles:\n  yes: {}\n", "roles.yaml")
    assert str(caught.value) == "roles.yaml:2:3: keys must be strings, found bool True"


def test_null_as_a_key_word_is_text_when_quoted(scalars: dict) -> None:
    assert scalars["word_null"] is None
    assert load_text('"null": 1\n', "x.yaml").data == {"null": 1}


def test_infinity(scalars: dict) -> None:
    assert math.isinf(scalars["infinity"])


def test_multi_line_strings() -> None:
    data = load_text("a: |\n  one\n  two\nb: >-\n  folded\n  text\n", "x.yaml").data
    assert data == {"a": "one\ntwo\n", "b": "folded text"}


def test_empty_and_comment_only_files_are_none() -> None:
    assert load_text("", "x.yaml").data is None
    assert load_text("# nothing here\n", "x.yaml").data is None


# ---------------------------------------------------------------- locations


def test_every_key_and_item_is_located() -> None:
    doc = load_text(
        "roles:\n  viewer: {inherits: [a, b]}\n  editor:\n    description: x\n", "r.yaml"
    )
    assert doc.locate(()) == Location("r.yaml", 1, 1)
    assert doc.locate(("roles",)) == Location("r.yaml", 1, 1)
    assert doc.locate(("roles", "viewer")) == Location("r.yaml", 2, 3)
    assert doc.locate(("roles", "viewer", "inherits")) == Location("r.yaml", 2, 12)
    assert doc.locate(("roles", "viewer", "inherits", 1)) == Location("r.yaml", 2, 26)
    assert doc.locate(("roles", "editor", "description")) == Location("r.yaml", 4, 5)


def test_unknown_path_falls_back_to_the_nearest_ancestor() -> None:
    doc = load_text("roles:\n  viewer: {}\n", "r.yaml")
    assert doc.locate(("roles", "viewer", "inherits", 3)) == Location("r.yaml", 2, 3)
    assert str(doc.locate(("nothing",))) == "r.yaml:1:1"


@pytest.mark.parametrize(
    ("text", "place", "fix"),
    [
        ("a:\n\tb: 1\n", (2, 1), "YAML indents with spaces, never tabs: replace the tab(s)"),
        ("a:\n  b: 1\n   c: 2\n", (3, 5), "check this line's indentation (a child is indented"),
        ("a:\n  b: 1\n c: 2\n", (3, 2), "check the indentation: this line does not line up"),
        ("a:\n  - x\n  y: 1\n", (3, 3), "every item of a list starts with `- ` in the same column"),
    ],
    ids=["tab", "deeper", "shallower", "list"],
)
def test_yaml_syntax_errors_say_the_usual_fix(text: str, place: tuple[int, int], fix: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_text(text, "f.yaml")
    [problem] = caught.value.problems
    location, message = problem.location, problem.message
    assert (location.line, location.column) == place
    assert message.startswith("invalid YAML: ")
    assert fix in message
