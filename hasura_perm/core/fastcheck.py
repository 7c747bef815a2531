"""A yes/no JSON Schema check compiled to Python code, for the common case: a valid file.

jsonschema interprets the schema for every node of every document, which was half of a
1,000-table compile. Here each schema node becomes one generated Python function, made
once per schema, that answers only "valid or not". When the answer is "not", validate.py
asks jsonschema for the errors, so messages (with file:line) come from one place.

Only the keywords our shipped schemas use are supported, with draft 2020-12 meaning
(`$ref` beside other keywords, `items` as one schema); an unknown keyword is an error when
compiling, never a silent pass. tests/core/fastcheck_test.py compares the verdicts with
jsonschema's on many valid and broken documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# Keywords that only annotate; they never make a value invalid.
_ANNOTATIONS = {
    "$schema",
    "$id",
    "$defs",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
}
_SUPPORTED = _ANNOTATIONS | {
    "$ref", "type", "enum", "const", "properties", "required", "additionalProperties",
    "propertyNames", "minProperties", "maxProperties", "items", "minItems", "maxItems",
    "uniqueItems", "pattern", "minLength", "maxLength", "minimum", "exclusiveMinimum",
    "maximum", "exclusiveMaximum", "anyOf", "oneOf", "not", "if", "then", "else",
}  # fmt: skip

_TYPE_TESTS = {
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
    "string": "type({v}) is str",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
    "number": "_is_number({v})",
    "integer": "_is_integer({v})",
}


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this compiler does not know."""


def _is_number(value: Any) -> bool:
    return type(value) is not bool and isinstance(value, int | float)


def _is_integer(value: Any) -> bool:
    # JSON Schema: 1.0 is an integer; true is not.
    if type(value) is bool:
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _equal(one: Any, two: Any) -> bool:
    """JSON equality: true is not 1, and lists and mappings compare item by item."""
    if type(one) is bool or type(two) is bool:
        return type(one) is type(two) and one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    if isinstance(one, list | dict) or isinstance(two, list | dict):
        return False
    return bool(one == two)


def _unique(items: list[Any]) -> bool:
    if all(type(i) is str for i in items):
        return len(set(items)) == len(items)
    return not any(_equal(a, b) for n, a in enumerate(items) for b in items[n + 1 :])


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self.tables: dict[str, dict[str, str]] = {}  # property -> function name, per node
        self.refs: dict[str, str] = {}  # "#/$defs/x" -> function name
        self.count = 0

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def function(self, schema: Any) -> str:
        """The name of a generated function `f(x) -> bool` checking `schema`."""
        self.count += 1
        name = f"_f{self.count}"
        if schema is True or schema == {}:
            self.lines += [f"def {name}(x):", "    return True", ""]
            return name
        if schema is False:
            self.lines += [f"def {name}(x):", "    return False", ""]
            return name
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"a schema must be a mapping or a boolean, not {schema!r}")
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise UnsupportedSchema(f"unsupported keywords: {', '.join(sorted(unknown))}")
        body = self.body(schema)
        self.lines += [f"def {name}(x):", *("    " + line for line in body), "    return True", ""]
        return name

    def ref(self, ref: str) -> str:
        if ref not in self.refs:
            if not ref.startswith("#/$defs/"):
                raise UnsupportedSchema(f"only local #/$defs/ references are supported: {ref}")
            self.refs[ref] = f"_r{len(self.refs)}"
            target = self.root["$defs"][ref.removeprefix("#/$defs/")]
            inner = self.function(target)
            self.lines += [f"{self.refs[ref]} = {inner}", ""]
        return self.refs[ref]

    def body(self, s: dict[str, Any]) -> list[str]:
        out: list[str] = []
        if "$ref" in s:
            out.append(f"if not {self.ref(s['$ref'])}(x): return False")
        if "type" in s:
            types = [s["type"]] if isinstance(s["type"], str) else s["type"]
            test = " or ".join(_TYPE_TESTS[t].format(v="x") for t in types)
            out.append(f"if not ({test}): return False")
        if "const" in s:
            out.append(f"if not _equal(x, {self.constant(s['const'])}): return False")
        if "enum" in s:
            options = self.constant(list(s["enum"]))
            out.append(f"if not any(_equal(x, o) for o in {options}): return False")
        out += self.object_checks(s)
        out += self.array_checks(s)
        out += self.string_checks(s)
        out += self.number_checks(s)
        out += self.combinators(s)
        return out

    def object_checks(self, s: dict[str, Any]) -> list[str]:
        keys = {"properties", "required", "additionalProperties", "propertyNames"}
        keys |= {"minProperties", "maxProperties"}
        if not keys & set(s):
            return []
        out = ["if type(x) is dict:"]
        if "minProperties" in s:
            out.append(f"    if len(x) < {int(s['minProperties'])}: return False")
        if "maxProperties" in s:
            out.append(f"    if len(x) > {int(s['maxProperties'])}: return False")
        for key in s.get("required", []):
            out.append(f"    if {key!r} not in x: return False")
        properties = s.get("properties", {})
        checks = {k: self.function(v) for k, v in properties.items()}
        names = self.propnames(s)
        extra = s.get("additionalProperties", True)
        extra_fn = None if extra is True or extra is False else self.function(extra)
        out.append("    for k, v in x.items():")
        if names:
            out.append(f"        if not {names}(k): return False")
        if checks:
            table = f"_t{len(self.tables)}"
            self.tables[table] = checks
            out.append(f"        f = {table}.get(k)")
            out.append("        if f is not None:")
            out.append("            if not f(v): return False")
            out.append("            continue")
        if extra is False:
            out.append("        return False")
        elif extra_fn:
            out.append(f"        if not {extra_fn}(v): return False")
        if out[-1] == "    for k, v in x.items():":
            out.pop()
        return out if len(out) > 1 else []

    def propnames(self, s: dict[str, Any]) -> str | None:
        return self.function(s["propertyNames"]) if "propertyNames" in s else None

    def array_checks(self, s: dict[str, Any]) -> list[str]:
        if not {"items", "minItems", "maxItems", "uniqueItems"} & set(s):
            return []
        out = ["if type(x) is list:", *_length_bounds(s, "minItems", "maxItems")]
        if "items" in s:
            if not isinstance(s["items"], dict | bool):
                raise UnsupportedSchema("`items` must be one schema (draft 2020-12)")
            out.append(f"    if not all(map({self.function(s['items'])}, x)): return False")
        if s.get("uniqueItems"):
            out.append("    if not _unique(x): return False")
        return out

    def string_checks(self, s: dict[str, Any]) -> list[str]:
        if not {"pattern", "minLength", "maxLength"} & set(s):
            return []
        out = ["if type(x) is str:", *_length_bounds(s, "minLength", "maxLength")]
        if "pattern" in s:
            regex = self.constant(re.compile(s["pattern"]))
            out.append(f"    if {regex}.search(x) is None: return False")
        return out

    def number_checks(self, s: dict[str, Any]) -> list[str]:
        bounds = {
            "minimum": "<",
            "exclusiveMinimum": "<=",
            "maximum": ">",
            "exclusiveMaximum": ">=",
        }
        if not set(bounds) & set(s):
            return []
        out = ["if _is_number(x):"]
        for keyword, fails in bounds.items():
            if keyword in s:
                out.append(f"    if x {fails} {s[keyword]!r}: return False")
        return out

    def combinators(self, s: dict[str, Any]) -> list[str]:
        out = []
        if "anyOf" in s:
            branches = ", ".join(self.function(b) for b in s["anyOf"])
            out.append(f"if not any(f(x) for f in ({branches},)): return False")
        if "oneOf" in s:
            branches = ", ".join(self.function(b) for b in s["oneOf"])
            out.append(f"if sum(1 for f in ({branches},) if f(x)) != 1: return False")
        if "not" in s:
            out.append(f"if {self.function(s['not'])}(x): return False")
        if "if" in s:
            condition = self.function(s["if"])
            then = self.function(s.get("then", True))
            otherwise = self.function(s.get("else", True))
            out.append(f"if not ({then}(x) if {condition}(x) else {otherwise}(x)): return False")
        return out


def compile_schema(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """A function telling whether a value is valid against `schema` (with local $defs)."""
    compiler = _Compiler(schema)
    entry = compiler.function(schema)
    namespace: dict[str, Any] = {
        "_equal": _equal,
        "_unique": _unique,
        "_is_number": _is_number,
        "_is_integer": _is_integer,
    }
    namespace.update(compiler.constants)
    exec("\n".join(compiler.lines), namespace)  # noqa: S102 - our own generated code
    # Property tables (key -> checking function) can only be bound once the functions exist;
    # the generated code looks them up by name at call time.
    for table, checks in compiler.tables.items():
        namespace[table] = {key: namespace[fn] for key, fn in checks.items()}
    checker: Callable[[Any], bool] = namespace[entry]
    return checker


def _length_bounds(s: dict[str, Any], low: str, high: str) -> list[str]:
    """The lines checking len(x) against the schema's `low`/`high` keywords, when present."""
    out = []
    if low in s:
        out.append(f"    if len(x) < {int(s[low])}: return False")
    if high in s:
        out.append(f"    if len(x) > {int(s[high])}: return False")
    return out
