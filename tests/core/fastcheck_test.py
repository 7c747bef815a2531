"""The compiled yes/no check must agree with jsonschema on every document, valid or not:
a "valid" where jsonschema finds an error would let a broken file through unreported."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from hasura_perm.core import validate
from hasura_perm.core.fastcheck import UnsupportedSchema
from hasura_perm.core.fastcheck import compile_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = ("permissions", "project", "snapshot", "permission_tests")


def _kind(path: Path) -> str | None:
    if path.name == "hasura-perm.yaml":
        return "project"
    if "permissions" not in path.parts:
        return None
    if path.name == "schema.yaml":
        return "snapshot"
    if "tests" in path.parts[path.parts.index("permissions") :]:
        return "permission_tests"
    return "permissions"


def _documents() -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {name: [] for name in SCHEMAS}
    for path in sorted(REPO.rglob("*.yaml")):
        if ".git" in path.parts or "metadata" in path.parts or ".venv" in path.parts:
            continue
        kind = _kind(path)
        if kind:
            try:
                found[kind].append(yaml.safe_load(path.read_text(encoding="utf-8")))
            except yaml.YAMLError:
                continue
    return found


DOCUMENTS = _documents()
REPLACEMENTS = (None, True, False, 0, 1, 1.0, 2.5, -1, "", "x", "deny", "all", "x-hasura-user-id",
                "public.t", "a b", [], ["a"], ["a", "a"], [1, True], {}, {"_eq": 1},
                {"unknown_key": 1})  # fmt: skip


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*path, index))
    return out


def _mutate(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    path = rng.choice(_paths(doc))
    if not path:
        return rng.choice(REPLACEMENTS)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    move = rng.randrange(4)
    if move == 0 and isinstance(parent, dict):
        del parent[last]
    elif move == 1 and isinstance(parent, dict):
        parent[rng.choice(["extra", "_and", "columns", "filter", "x-hasura-Z", "bad name"])] = (
            copy.deepcopy(parent[last])
        )
    elif move == 2 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    else:
        parent[last] = copy.deepcopy(rng.choice(REPLACEMENTS))
    return doc


@pytest.mark.parametrize("name", SCHEMAS)
def test_verdicts_agree_with_jsonschema_on_real_and_broken_documents(name: str) -> None:
    schema = validate.load_schema(name)
    reference = jsonschema.validators.validator_for(schema)(schema)
    fast = compile_schema(schema)
    docs = DOCUMENTS[name]
    assert docs, f"no {name} documents found in the repository"
    rng = random.Random(18)
    cases = list(docs)
    for _ in range(3000):
        doc = rng.choice(docs)
        for _ in range(rng.randint(1, 3)):
            doc = _mutate(doc, rng)
        cases.append(doc)
    invalid = 0
    for doc in cases:
        expected = reference.is_valid(doc)
        invalid += not expected
        assert fast(doc) is expected, f"fast check says {not expected} for {doc!r}"
    assert invalid > 300, "the mutations should break many documents"


def test_json_equality_rules() -> None:
    fast = compile_schema({"enum": [1, "a", [True]], "type": ["integer", "string", "array"]})
    assert fast(1) and fast(1.0) and fast("a") and fast([True])
    assert not fast(True) and not fast([1]) and not fast("b")
    unique = compile_schema({"type": "array", "uniqueItems": True})
    assert unique([1, True]) and unique([0, False]) and not unique([1, 1.0])
    assert not unique([{"a": 1}, {"a": 1}]) and unique([{"a": 1}, {"a": True}])
    integer = compile_schema({"type": "integer", "minimum": 1})
    assert integer(2.0) and not integer(True) and not integer(0) and not integer(1.5)


def test_ref_beside_other_keywords_applies_both() -> None:
    schema = {"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s", "minLength": 2}
    fast = compile_schema(schema)
    assert fast("ab") and not fast("a") and not fast(1)


def test_unknown_keyword_is_refused_not_ignored() -> None:
    with pytest.raises(UnsupportedSchema, match="patternProperties"):
        compile_schema({"type": "object", "patternProperties": {"^a": {}}})


def test_bounds_counts_and_not() -> None:
    fast = compile_schema(
        {
            "anyOf": [
                {"type": "number", "maximum": 3, "exclusiveMaximum": 5},
                {"type": "array", "maxItems": 1},
                {"type": "object", "minProperties": 1, "maxProperties": 2},
                {"type": "string", "not": {"pattern": "^HASURA_"}},
            ]
        }
    )
    assert fast(3) and not fast(3.5) and fast([1]) and not fast([1, 2])
    assert fast({"a": 1}) and not fast({}) and not fast({"a": 1, "b": 2, "c": 3})
    assert fast("X") and not fast("HASURA_X")


def test_invalid_document_still_reports_file_and_line() -> None:
    from hasura_perm.core.yaml_source import load_text

    doc = load_text(
        "table: public.t\nselect:\n  user:\n    columns: all\n    filtr: {}\n", "t.yaml"
    )
    problems = validate.check(doc, "permissions")
    assert problems and all(p.location.file == "t.yaml" for p in problems)
    assert any(p.location.line in (3, 5) for p in problems), problems
