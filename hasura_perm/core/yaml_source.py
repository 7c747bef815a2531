"""Load YAML input files safely, remembering where every value came from.

We build plain Python values (dict, list, str, int, float, bool, None) from libyaml's
event stream instead of using a loader, because that lets us, in one cheap pass:

- record the line and column of every key and value (`Document.locate`),
- refuse what has no place in permission files and can hurt us: tags, anchors and
  aliases (alias bombs), duplicate keys, non-string keys, very deep nesting, huge files.

PyYAML's C parser is used when present; it is several times faster than ruamel.yaml,
which matters for projects with a thousand tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.reading import read_text

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000  # values per file: a 5 MB file of tiny values must fail fast, not in 30 s

Path_ = tuple[Any, ...]

try:
    _PARSER: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _PARSER = yaml.SafeLoader

_RESOLVER: Any = yaml.resolver.Resolver()  # Any: PyYAML's stubs leave resolve() untyped


@dataclass
class Document:
    """One YAML file: its value and the location of every node, keyed by path."""

    file: str
    data: Any
    locations: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # SHA-256 of the text and of the reader's code, when the located cache read it: equal
    # digests (and names) mean equal documents (compiler/compile_cache.py relies on it)
    digest: str | None = field(default=None, compare=False)

    def locate(self, path: Path_) -> Location:
        """The location of the node at `path`, or of its nearest located ancestor."""
        path = tuple(path)
        while path not in self.locations and path:
            path = path[:-1]
        line, column = self.locations.get(path, (0, 0))
        return Location(self.file, line, column)


def load_file(path: Path, display_name: str | None = None, *, root: Path | None = None) -> Document:
    """Read and parse one YAML file; raise SpecError with file:line:column on any problem.

    `root`: the project folder; a symbolic link out of it is refused."""
    name = display_name or str(path)
    text = read_text(path, name, limit=MAX_FILE_BYTES, root=root)
    return load_text(text, name)


def load_text(text: str, name: str) -> Document:
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        _fail(name, 0, 0, f"file is larger than {MAX_FILE_BYTES} bytes")
    _precheck_depth(text, name)
    builder = _Builder(name)
    try:
        builder.run(yaml.parse(text, Loader=_PARSER))
    except yaml.reader.ReaderError as e:  # a control character: libyaml gives an offset
        line, col = _offset_line(text, e.position)
        _fail(name, line, col, f"invalid YAML: character U+{e.character:04X} is not allowed")
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = str(e.problem or e.context)
        _fail(name, line, col, f"invalid YAML: {problem}{_yaml_fix(problem, text, line)}")
    except yaml.YAMLError as e:
        _fail(name, 0, 0, f"invalid YAML: {e}")
    return Document(name, builder.result, builder.locations)


def _offset_line(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _yaml_fix(problem: str, text: str, line: int) -> str:
    """The usual fix for the parser's usual complaints."""
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in problem or "\\t" in problem or here[: len(here) - len(here.lstrip())].count("\t"):
        return "; YAML indents with spaces, never tabs: replace the tab(s) on this line with spaces"
    if "mapping values are not allowed" in problem:
        return (
            "; check this line's indentation (a child is indented more than its parent, "
            "siblings equally), or quote a value that contains `: `"
        )
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return (
            "; check the indentation: this line does not line up with the lines it belongs "
            "with (siblings start in the same column)"
        )
    if "expected '-' indicator" in problem:
        return "; every item of a list starts with `- ` in the same column"
    if "could not find expected ':'" in problem:
        return "; a key needs `: ` after it, and a value spanning lines needs quotes"
    return ""


def _fail(name: str, line: int, col: int, message: str) -> None:
    raise SpecError([Diagnostic(Location(name, line, col), message)])


def _precheck_depth(text: str, name: str) -> None:
    # libyaml slows down quadratically (and its composer overflows the C stack) on
    # pathological nesting, so refuse it before parsing with a cheap character scan.
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for line_no, line in enumerate(text.splitlines(), 1):
        for col, ch in enumerate(line, 1):
            if ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    _fail(name, line_no, col, f"nesting deeper than {MAX_DEPTH} levels")
            elif ch in "]}":
                depth -= 1


class _Builder:
    """Turns libyaml events into plain values plus a path -> (line, column) table."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.result: Any = None
        self.locations: dict[Path_, tuple[int, int]] = {}
        # Each open container: [value, path, pending_key or _NO_KEY]
        self.stack: list[list[Any]] = []

    def run(self, events: Iterable[Any]) -> None:
        """Build from every event. One loop with the common cases inline: this runs for
        each of the hundreds of thousands of events a thousand table files make, and a
        method call per event was half the cost of reading them."""
        stack, locations = self.stack, self.locations
        nodes = documents = 0
        for event in events:
            kind = type(event)
            if kind is _SCALAR:
                value = event.value
                if not event.style and event.implicit[0] and (not value or value[0] in _HINTS):
                    value = _plain_scalar(value)
            elif kind is _MAPPING_START or kind is _SEQUENCE_START:
                value = {} if kind is _MAPPING_START else []
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                stack.pop()
                continue
            elif kind is yaml.AliasEvent:
                self._error(
                    event,
                    "YAML aliases (*name) are not allowed; name reusable parts as conditions, "
                    "column_sets or presets instead",
                )
            else:
                if kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        self._error(
                            event, "only one YAML document per file is allowed (remove `---`)"
                        )
                continue
            nodes += 1
            if nodes > MAX_NODES:
                self._error(event, f"more than {MAX_NODES} values in one file; split it")
            if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                self._check_node(event)
            container = kind is not _SCALAR
            if container and len(stack) >= MAX_DEPTH:
                self._error(event, f"nesting deeper than {MAX_DEPTH} levels")
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1)
            if not stack:
                self.result, path = value, ()
                locations[path] = where
            else:
                top = stack[-1]
                parent = top[0]
                if type(parent) is list:
                    path = (*top[1], len(parent))
                    parent.append(value)
                    locations[path] = where
                elif top[2] is _NO_KEY:
                    self._set_key(top, value, event)
                    # A key's own position is where problems about it should point.
                    locations[(*top[1], value)] = where
                    continue
                else:
                    # The key's position (recorded above) stays: it is where a reader looks.
                    path = (*top[1], top[2])
                    parent[top[2]] = value
                    top[2] = _NO_KEY
            if container:
                stack.append([value, path, _NO_KEY])

    def _check_node(self, event: Any) -> None:
        if event.anchor is not None:
            self._error(event, "YAML anchors (&name) are not allowed; use named conditions")
        tag = event.tag
        if (
            tag is not None
            and tag != "!"
            and not (type(event) is yaml.ScalarEvent and event.implicit[0])
        ):
            self._error(event, f"YAML tags ({tag}) are not allowed")

    def _set_key(self, top: list[Any], key: Any, event: Any) -> None:
        if not isinstance(key, str):
            self._error(event, f"keys must be strings, found {_describe(key)}")
        if key in top[0]:
            self._error(event, f"duplicate key {key!r}")
        top[2] = key

    def _error(self, event: Any, message: str) -> None:
        _fail(self.name, event.start_mark.line + 1, event.start_mark.column + 1, message)


def _plain_scalar(value: str) -> Any:
    """An unquoted scalar as YAML 1.1 resolves it (only called for text whose first
    character can start something other than a string)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    if tag == "tag:yaml.org,2002:str":
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in ("yes", "true", "on", "y")
    if tag == "tag:yaml.org,2002:int":
        return yaml.SafeLoader.construct_yaml_int(_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    if tag == "tag:yaml.org,2002:float":
        return yaml.SafeLoader.construct_yaml_float(_CONSTRUCTOR, yaml.ScalarNode(tag, value))
    return value  # timestamps and the like stay text


def _describe(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return f"{type(value).__name__} {value!r}"


_NO_KEY = object()
_SCALAR, _MAPPING_START, _SEQUENCE_START = (
    yaml.ScalarEvent,
    yaml.MappingStartEvent,
    yaml.SequenceStartEvent,
)
_MAPPING_END, _SEQUENCE_END = yaml.MappingEndEvent, yaml.SequenceEndEvent
_CONSTRUCTOR = yaml.SafeLoader("")
# First characters of the plain scalars that may resolve to something other than a
# string; any other plain scalar is a string without asking the resolver.
_HINTS = frozenset(_RESOLVER.yaml_implicit_resolvers)
