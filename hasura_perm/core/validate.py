"""Check YAML documents against the shipped JSON Schemas; report problems at file:line."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
from collections.abc import Callable
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING
from typing import Any

from hasura_perm.core import parse_cache
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import excerpt
from hasura_perm.core.fastcheck import UnsupportedSchema
from hasura_perm.core.fastcheck import compile_schema
from hasura_perm.core.yaml_source import Document

if TYPE_CHECKING:  # jsonschema is imported only to explain an invalid document
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in hasura_perm/schemas/ (also usable by editors)."""
    text = resources.files("hasura_perm.schemas").joinpath(f"{name}.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _schema(name: str, definition: str | None) -> dict[str, Any]:
    schema = load_schema(name)
    if definition:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    return schema


@functools.cache
def _is_valid(name: str, definition: str | None) -> Callable[[Any], bool]:
    try:
        return compile_schema(_schema(name, definition))
    except UnsupportedSchema:  # a keyword fastcheck lacks (its test says which): jsonschema decides
        return lambda value: False


@functools.cache
def _validator(name: str, definition: str | None) -> Any:
    import jsonschema

    schema = _schema(name, definition)
    cls = jsonschema.validators.validator_for(schema)
    return cls(_inline_refs(schema))


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every non-recursive `$ref` replaced by its target.

    Same meaning, but jsonschema then skips a reference lookup per node, which halves
    validation time on large projects. Recursive definitions (boolean expressions) keep
    their `$ref`.
    """
    defs = schema.get("$defs", {})

    def expand(node: Any, trail: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [expand(item, trail) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/") and len(node) == 1:
            target = ref.removeprefix("#/$defs/")
            if target not in trail and target in defs:
                return expand(defs[target], (*trail, target))
            return node
        return {k: v if k == "$defs" else expand(v, trail) for k, v in node.items()}

    return {k: v if k == "$defs" else expand(v, ()) for k, v in schema.items()}


def check(doc: Document, schema: str, definition: str | None = None) -> list[Diagnostic]:
    """Problems of `doc` against a schema (or one of its $defs), in file order."""
    marker = _valid_marker(doc, schema, definition)
    if marker is not None and parse_cache.get(marker) == b"true":
        return []  # this very text was found valid by this very code before
    if _is_valid(schema, definition)(doc.data):
        if marker is not None:
            parse_cache.put(marker, True)
        return []  # the common case, decided by compiled code; jsonschema only explains errors
    validator = _validator(schema, definition)
    problems = []
    for error in validator.iter_errors(doc.data):
        error = _most_useful(error)
        path = tuple(error.absolute_path)
        if "propertyNames" in error.schema_path:  # a bad key: point at the key itself
            problems.append(Diagnostic(doc.locate((*path, error.instance)), _bad_name(error)))
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = _schema_of(error).get("properties", {})
            unknown = [k for k in error.instance if k not in known]
            path = (*path, unknown[0]) if unknown else path
        problems.append(Diagnostic(doc.locate(path), _message(error)))
    return sorted(set(problems))


def _valid_marker(doc: Document, schema: str, definition: str | None) -> str | None:
    """Where the parse cache remembers that a document was valid: keyed by its digest (its
    text and the reader's code: its data), the schema, and every file of the package (the
    schemas and the validator's code), so another text or another validator has another key.
    None without a digest (a document the located cache did not read) or a cache."""
    if doc.digest is None or parse_cache.store() is None:
        return None
    part = f"valid\0{doc.digest}\0{schema}\0{definition or ''}".encode()
    return hashlib.sha256(parse_cache.package_salt() + part).hexdigest()


def _most_useful(error: ValidationError) -> ValidationError:
    from jsonschema.exceptions import best_match

    # For oneOf/anyOf, explain the branch that fits the value's type best, not all branches.
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for e in error.context:
            branches.setdefault(e.relative_schema_path[0], []).append(e)
        # A branch whose type (or const) the value does not even have is not what was meant.
        fitting = [
            errors
            for errors in branches.values()
            if not any(
                not e.relative_path and e.validator in ("type", "const", "enum") for e in errors
            )
        ]
        if len(fitting) == 1:
            return _most_useful(best_match(fitting[0]))
        same_type = [e for e in error.context if e.validator != "type"]
        if same_type:
            return _most_useful(best_match(same_type))
    return error


def _schema_of(error: ValidationError) -> Mapping[str, Any]:
    # Our schemas are mappings throughout; jsonschema also allows true/false schemas.
    return error.schema if isinstance(error.schema, Mapping) else {}


def _message(error: ValidationError) -> str:
    kind = error.validator
    where = _where(error)
    # A failed keyword always has its value and instance (Unset is only for a bare error).
    value: Any = error.validator_value
    instance: Any = error.instance
    if kind == "additionalProperties":
        allowed = sorted(_schema_of(error).get("properties", {}))
        unknown = sorted(set(instance) - set(allowed))
        hint = _did_you_mean(unknown[0], allowed) if unknown else ""
        keys = ", ".join(f"`{k}`" for k in unknown)
        expected = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {keys}{where}{hint or expected}"
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required key `{missing}`{where}"
    if kind == "type":
        wanted = value
        names = [wanted] if isinstance(wanted, str) else wanted
        expected = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return f"expected {expected}{where}, found {_describe(error.instance)}"
    if kind == "const":
        return f"expected `{error.validator_value}`{where}, found {_describe(error.instance)}"
    if kind == "enum":
        options = ", ".join(str(v) for v in value)
        hint = _did_you_mean(str(instance), [str(v) for v in value])
        return (
            f"`{excerpt(error.instance)}` is not allowed{where}; expected one of: {options}{hint}"
        )
    if kind == "pattern":
        return f"`{excerpt(error.instance)}` is not a valid {_field_name(error)}"
    if kind in ("oneOf", "anyOf"):
        return f"{_describe(error.instance)} is not valid{where}: {_describe_schema(_schema_of(error))}"
    if kind == "uniqueItems":
        return f"the list{where} contains duplicates"
    if kind == "minimum":
        return f"{error.instance} is too small{where}; the minimum is {error.validator_value}"
    if kind == "minLength":
        return f"empty text is not allowed{where}"
    return f"{error.message}{where}"


_NAME_RULES = {
    "session": "session variable name (must start with x-hasura-)",
    "roles": "role name (no spaces or commas)",
    "environments": "environment name (letters, digits, _ and -)",
    "tables": "table name (schema.table)",
}


def _bad_name(error: ValidationError) -> str:
    parent = next((p for p in reversed(error.absolute_path) if isinstance(p, str)), "")
    rule = _NAME_RULES.get(parent, "name (letters, digits, _ and -, not starting with a digit)")
    return f"`{excerpt(error.instance)}` is not a valid {rule}"


def _where(error: ValidationError) -> str:
    path = [p for p in error.absolute_path if isinstance(p, str)]
    return f" in `{path[-1]}`" if path else ""


def _field_name(error: ValidationError) -> str:
    schema = _schema_of(error)
    description = schema.get("description", "")
    if "session" in description or "x-hasura" in str(schema.get("pattern", "")).lower():
        return "session variable name (must start with x-hasura-)"
    path = [p for p in error.absolute_path if isinstance(p, str)]
    return f"value for `{path[-1]}`" if path else "name"


def _describe_schema(schema: Mapping[str, Any]) -> str:
    return str(schema.get("description", "see the language reference in the README"))


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return f"`{excerpt(value)}`"


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


did_you_mean = _did_you_mean
