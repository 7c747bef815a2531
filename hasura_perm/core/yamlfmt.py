"""Read and write metadata YAML exactly as `hasura metadata export` writes it.

The Hasura CLI (v2, `cli/internal/metadataobject`) never formats Go values
directly. `hasura metadata export` turns the server's JSON into YAML with
cuelang.org/go v0.4.3 (`metadatautil.JSONToYAML`), parses that into yaml.Node
trees with gopkg.in/yaml.v3 v3.0.1, and re-encodes the nodes several times
(`yaml.Marshal`, then `GetEncoder`, an Encoder with `SetIndent(2)`). A parsed
node keeps the scalar style it was first written with, so the file on disk is
go-yaml's emitter applied to the styles chosen in the first step:

* CUE (`internal/encoding/yaml/encode.go`) asks for double quotes for YAML 1.1
  leftovers (`yes`, `off`, `y`, `.Nan`, ...) and anything that looks like a date,
  time or base-60 number, keys included; a string with a line feed asks for a
  literal block.
* go-yaml (`encode.go`, `node()`) asks for double quotes when a plain scalar
  would resolve to something other than a string (`true`, `12`, `1e3`, `null`,
  `""`, `0x1F`, ...).
* go-yaml's emitter (`emitterc.go`) turns a plain request it cannot honour into
  single quotes (`'*'`, `'!foo'`, `'a: b'`, `' x'`), a single-quote request into
  double quotes (tabs, control characters), and a literal request into double
  quotes (trailing space, a space before a line break, unprintable characters).
  The emitter's width is unlimited in yaml.v3 (`best_width: -1` in
  `yaml_emitter_initialize`), so long lines are never folded.

Quirks that are reproduced on purpose, because the CLI writes them:

* Characters outside the Basic Multilingual Plane (emoji) and U+FEFF are
  "unprintable" to go-yaml: such strings are double-quoted with `\\UXXXXXXXX`
  escapes, even when they span several lines.
* A string starting with U+FEFF is double-quoted with every character escaped
  (`is_bom` looks at the start of the value, not at the current character).
* A literal block whose value starts with a line break loses that break: the
  emitter uses it to end the `|` header line, and each re-encoding loses one
  more until the value no longer starts with one.
* Under metadata/databases/ the CLI also runs `yaml.Marshal` (indent 4) over the
  sources list and over each source's tables list. There go-yaml writes a
  block that needs an indentation indicator (`|4`: the value starts with a space
  or a line break) at a column it does not read back wherever the enclosing
  collection is not at a multiple of 4 columns (every sequence item, a table's
  top-level keys, ...): the export fails or, when the misplaced lines look like
  comments, silently changes the value. `dump` raises HasuraPermError for such
  values rather than write a file the CLI cannot load, as it does for a block
  whose first line starts with a tab (go-yaml never reads those back).
* A plain `<<` is read back as a merge key, so later encodings write the string
  `<<` as `!!merge <<`; as a mapping key it cannot be read back, and `dump`
  refuses it.
* Keys longer than 128 bytes or spanning lines are written as `? key` / `: value`.

`!include` references are the one place where the CLI picks the style itself:
it builds the nodes with `Style: yaml.DoubleQuotedStyle`
(`cli/internal/metadataobject/sources/sources.go`). Plain go-yaml would write
`'!include x.yaml'`. `Include` marks such a string; `load` returns one for every
string that starts with `!include ` (quoted, or the unquoted `!include` tag), the
way the CLI treats any string containing `!include` as a reference.

Floats cannot round-trip: the CLI copies the number text from the server's JSON,
and Python keeps only the value. `dump` writes `repr(value)` (`.inf`, `-.inf`,
`.nan` for the specials); Hasura metadata has no floats in practice.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from typing import Any
from typing import Literal

import yaml

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError

__all__ = ["FileKind", "Include", "dump", "dump_include_list", "include", "load"]


class Include(str):
    """A `!include <path>` reference; dumped double-quoted, as the CLI writes it."""

    __slots__ = ()


def include(path: str) -> Include:
    """The reference the CLI writes for an included file, e.g. `"!include public_x.yaml"`."""
    return Include(f"!include {path}")


def dump_include_list(names: list[str]) -> str:
    """The content of a `tables.yaml` / `functions.yaml` listing the given file names."""
    return dump([include(name) for name in names])


# --------------------------------------------------------------------------- dump


FileKind = Literal["table", "databases", "other"]


def dump(data: object, *, kind: FileKind = "table", indentless: bool = False) -> str:
    """YAML text for plain data, byte for byte as `hasura metadata export` writes it.

    `kind` names the file, because the CLI re-encodes files under
    metadata/databases/ with indent 4 inside the sources list, where go-yaml
    writes some literal blocks it cannot read back (see `_block_outcome`):
    "table" for databases/<source>/tables/*.yaml and functions/*.yaml,
    "databases" for databases/databases.yaml, "other" for the rest. A value the
    CLI could not export raises HasuraPermError.

    `indentless`: a sequence under a mapping key starts at the key's column, as the
    older CLI (gopkg.in/yaml.v2, config v2 `metadata/tables.yaml`) writes it.
    """
    cols = _FILE_LAYOUTS.get(kind)
    if cols is None:
        raise ValueError(f"kind must be one of {sorted(_FILE_LAYOUTS)}, not {kind!r}")
    writer = _Writer(indentless)
    if isinstance(data, dict):
        if data:
            writer.mapping(data, 0, False, cols)
        else:
            writer.out.append("{}\n")
    elif isinstance(data, list | tuple):
        if data:
            writer.sequence(data, 0, False, cols)
        else:
            writer.out.append("[]\n")
    else:
        writer.out.append(writer.scalar(data, 2, ()))
    return "".join(writer.out)


# Where the file's top collection sits in each indent-4 `yaml.Marshal` the CLI
# runs on it (sources/Marshal(sourcesNode), then tables/Marshal(source.Tables)):
# a table's keys are at column 6 in `- name: ...\n  tables:\n    - <table>` and
# at column 2 in `- <table>`; databases.yaml is the sources list itself.
_FILE_LAYOUTS: dict[str, tuple[int, ...]] = {"table": (6, 2), "databases": (0,), "other": ()}


def _deeper(column: int) -> int:
    # yaml_emitter_increase_indent: best_indent * ((indent + best_indent) / best_indent)
    return (column + 4) // 4 * 4


class _Writer:
    """Emits block collections the way go-yaml v3 lays them out with SetIndent(2).

    `cols` holds the column of the current collection in each indent-4 layout,
    only to tell whether a literal block with an indentation indicator survives
    them: go-yaml puts its content at the rounded-up indent, the parser expects
    the collection's column plus 4, and a sequence item is never right.
    """

    __slots__ = ("indentless", "out")

    def __init__(self, indentless: bool = False) -> None:
        self.out: list[str] = []
        self.indentless = indentless

    def mapping(
        self, mapping: dict[Any, Any], indent: int, inline: bool, cols: tuple[int, ...]
    ) -> None:
        """Keys at column `indent`; `inline` continues a `- ` or `: ` line."""
        out = self.out
        pad = " " * indent
        lead = "" if inline else pad
        oks = _aligned(cols)
        for key, value in mapping.items():
            key_text = self.key(key, cols)
            if key_text is None:
                self.complex_entry(key, value, indent, lead, cols)
            elif isinstance(value, str):
                text = _LINE_CACHE.get(value) if type(value) is str else None
                out.append(f"{lead}{key_text}: {text or self.string(value, indent + 2, oks)}")
            elif isinstance(value, dict):
                if value:
                    out.append(f"{lead}{key_text}:\n")
                    self.mapping(value, indent + 2, False, tuple(map(_deeper, cols)))
                else:
                    out.append(f"{lead}{key_text}: {{}}\n")
            elif isinstance(value, list | tuple):
                if value:
                    out.append(f"{lead}{key_text}:\n")
                    inner = indent if self.indentless else indent + 2
                    self.sequence(value, inner, False, tuple(map(_deeper, cols)))
                else:
                    out.append(f"{lead}{key_text}: []\n")
            else:
                out.append(f"{lead}{key_text}: {self.scalar(value, indent + 2, oks)}")
            lead = pad

    def sequence(
        self, items: list[Any] | tuple[Any, ...], indent: int, inline: bool, cols: tuple[int, ...]
    ) -> None:
        """`-` at column `indent`; `inline` continues a `- ` or `: ` line."""
        out = self.out
        pad = f"{' ' * indent}- "
        lead = "- " if inline else pad
        item_cols = tuple(column + 2 for column in cols)
        oks = (False,) * len(cols)
        for item in items:
            if isinstance(item, str):
                out.append(lead + self.string(item, indent + 2, oks))
            else:
                out.append(lead)
                self.after_indicator(item, indent + 2, item_cols, oks)
            lead = pad

    def after_indicator(
        self, node: object, indent: int, cols: tuple[int, ...], oks: tuple[bool, ...]
    ) -> None:
        """A node right after `- ` or `: `: collections continue on the same line."""
        if isinstance(node, dict):
            if node:
                self.mapping(node, indent, True, cols)
            else:
                self.out.append("{}\n")
        elif isinstance(node, list | tuple):
            if node:
                self.sequence(node, indent, True, cols)
            else:
                self.out.append("[]\n")
        else:
            self.out.append(self.scalar(node, indent, oks))

    def complex_entry(
        self, key: str, value: object, indent: int, lead: str, cols: tuple[int, ...]
    ) -> None:
        oks = tuple(column % 4 == 0 for column in cols)
        if "\n" in key:
            style, key = _block_outcome(key, True, oks)
            text = _literal(key, indent + 2) if style == _LITERAL else _double_quoted(key) + "\n"
        else:
            text = _line(key, indent + 2)
        self.out.append(f"{lead}? {text}")
        self.out.append(" " * indent + ": ")
        self.after_indicator(value, indent + 2, tuple(map(_deeper, cols)), oks)

    def key(self, key: object, cols: tuple[int, ...]) -> str | None:
        """The key as written before `:`, or None when go-yaml needs a `? ` complex key."""
        if type(key) is str:
            text = _KEY_CACHE.get(key, _UNKNOWN)
            if text is not _UNKNOWN:
                return text  # type: ignore[return-value]
        if not isinstance(key, str):
            raise TypeError(f"mapping keys must be strings, got {type(key).__name__}: {key!r}")
        if type(key) is Include:
            return _double_quoted(key)
        if key == "<<":
            raise HasuraPermError(
                "cannot write the mapping key '<<' as Hasura metadata: the Hasura CLI "
                "(go-yaml v3) reads it as a YAML merge key. Rename that key."
            )
        if "\n" in key:
            style, key = _block_outcome(key, True, tuple(column % 4 == 0 for column in cols))
            if style == _LITERAL or _needs_complex_key(key):
                return None
            return _double_quoted(key)
        text = None if _needs_complex_key(key) else _line(key, 0)[:-1]
        if len(_KEY_CACHE) >= _CACHE_LIMIT:
            _KEY_CACHE.clear()
        _KEY_CACHE[key] = text
        return text

    def scalar(self, value: object, indent: int, oks: tuple[bool, ...]) -> str:
        """A non-collection value and its line break; `indent` is for block content."""
        if value is None:
            return "null\n"
        if value is True:
            return "true\n"
        if value is False:
            return "false\n"
        if isinstance(value, str):
            return self.string(value, indent, oks)
        if isinstance(value, int):
            return f"{int(value)}\n"
        if isinstance(value, float):
            return _float(value) + "\n"
        raise TypeError(f"cannot write {type(value).__name__} as metadata YAML: {value!r}")

    def string(self, value: str, indent: int, oks: tuple[bool, ...]) -> str:
        """A string as go-yaml writes it, with a line break unless it ends with one."""
        if type(value) is Include:
            return _double_quoted(value) + "\n"
        if "\n" in value:
            style, value = _block_outcome(value, False, oks)
            if style == _LITERAL:
                return _literal(value, indent)
            return _double_quoted(value) + "\n"
        return _line(value, indent)


@functools.lru_cache(maxsize=256)
def _aligned(cols: tuple[int, ...]) -> tuple[bool, ...]:
    """Which of the layouts' columns are multiples of 4 (asked for every mapping written,
    with a handful of distinct column tuples)."""
    return tuple(column % 4 == 0 for column in cols)


def _needs_complex_key(key: str) -> bool:
    # emitterc.go, yaml_emitter_check_simple_key: a key spanning lines or longer
    # than 128 bytes is written as `? key` / `: value`.
    if len(key) > 32 and len(key.encode("utf-8")) > 128:
        return True
    return _BREAK_RE.search(key) is not None


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


# Written forms of single-line strings and keys; the same names recur thousands of times.
_LINE_CACHE: dict[str, str] = {}
_KEY_CACHE: dict[str, str | None] = {}
_CACHE_LIMIT = 200_000
_UNKNOWN = object()


def _line(value: str, indent: int) -> str:
    """A string without a line feed, and its line break."""
    cached = _LINE_CACHE.get(value)
    if cached is not None:
        return cached
    style = _line_style(value)
    if style == _PLAIN:
        # A plain `<<` comes back from the first encoding as a merge key, which
        # every later encoding tags explicitly.
        text = "!!merge <<\n" if value == "<<" else value + "\n"
    elif style == _SINGLE:
        text = _single_quoted(value, indent) + "\n"
    else:
        text = _double_quoted(value) + "\n"
    if not _BREAK_RE.search(value):  # U+2028/U+2029 make the text depend on the indent
        if len(_LINE_CACHE) >= _CACHE_LIMIT:
            _LINE_CACHE.clear()
        _LINE_CACHE[value] = text
    return text


_PLAIN, _SINGLE, _DOUBLE, _LITERAL = range(4)


def _line_style(value: str) -> int:
    """Style of a string without a line feed, as requested by cue/go-yaml and allowed by the emitter."""
    if value in _CUE_LEGACY_STRINGS or _CUE_USE_QUOTE.match(value):
        return _DOUBLE
    if _go_plain_value(value) is not _STRING:
        return _DOUBLE
    plain_ok, single_ok, _ = _analyze(value)
    if plain_ok:
        return _PLAIN
    return _SINGLE if single_ok else _DOUBLE


def _block_outcome(value: str, is_key: bool, oks: tuple[bool, ...]) -> tuple[int, str]:
    """Style and value of a string with a line feed after the CLI's re-encodings.

    cue asks for a literal block. The emitter falls back to double quotes where a
    block cannot hold the value, or for a simple key. A literal block spends a
    leading line break on ending its `|` header line, so each encoding loses one,
    and a parsed node keeps its style for the next encoding.

    The encodings are cue's and JSONToYAML's (indent 2), then one indent-4
    `yaml.Marshal` per entry of `oks` (files under metadata/databases/), then the
    final one. At an indent-4 encoding a block that needs an indentation
    indicator (it starts with a space or a line break) only reads back where
    `oks` says so; go-yaml can never read back a block whose first line starts
    with a tab.
    """
    original = value
    indicator_ok = (True, True, *oks, True)
    last = len(indicator_ok) - 1
    for encoding, ok in enumerate(indicator_ok):
        if (is_key and not _needs_complex_key(value)) or not _analyze(value)[2]:
            return _DOUBLE, value
        first = value[0]
        if first == "\t":
            raise _unwritable_block(original, "its first line would start with a tab")
        needs_indicator = first == " " or first in _BLOCK_BREAKS
        if needs_indicator and not ok:
            raise _unwritable_block(
                original,
                "it starts with a space or a line break at a place where the CLI's "
                "indent-4 re-encoding of metadata/databases/ misplaces it",
            )
        if not needs_indicator or encoding == last:
            return _LITERAL, value  # later encodings write this same block
        if first in _BLOCK_BREAKS:
            value = value[1:]
    raise AssertionError("unreachable")


def _unwritable_block(value: str, reason: str) -> HasuraPermError:
    preview = value if len(value) <= 40 else value[:40] + "..."
    return HasuraPermError(
        f"cannot write the multi-line string {preview!r} as Hasura metadata: {reason}, "
        "and the Hasura CLI (go-yaml v3) cannot read such a block back correctly. "
        "Change the start of that string."
    )


# go-yaml v3 emitterc.go, yaml_emitter_analyze_scalar, for the block context.
class _Lazy:
    """A regular expression compiled when first used: the two large negated classes below
    take most of this module's import time, and a compile whose every table file is
    remembered (compiler/compile_cache.py) writes no YAML at all."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    @functools.cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def sub(self, replacement: Any, text: str) -> str:
        return self.compiled.sub(replacement, text)


_BREAKS = "\n\r\x85\u2028\u2029"
_BLOCK_BREAKS = "\n\u2028\u2029"  # \r and U+0085 are unprintable, so never in a block
_BREAK_RE = re.compile("[\n\r\x85\u2028\u2029]")
_SPACE_BREAK_RE = re.compile(" [\n\r\x85\u2028\u2029]")
_BREAK_SPACE_RE = re.compile("[\n\r\x85\u2028\u2029] ")
# is_printable: LF, 0x20-0x7E, U+00A0-U+D7FF, U+E000-U+FFFD except U+FEFF; nothing beyond U+FFFF.
_UNPRINTABLE_RE = _Lazy(r"[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_FIRST_CHAR_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_INNER_INDICATOR_RE = re.compile("(?s:.):(?:[ \t]|\\Z)|[ \t\n\r\x85\u2028\u2029\x00]#")


def _analyze(value: str) -> tuple[bool, bool, bool]:
    """(plain allowed, single quotes allowed, literal block allowed) in block context."""
    if not value:
        return True, True, False
    special = _UNPRINTABLE_RE.search(value) is not None
    tab = "\t" in value
    breaks = _BREAK_RE.search(value) is not None
    space_break = breaks and _SPACE_BREAK_RE.search(value) is not None
    break_space = breaks and _BREAK_SPACE_RE.search(value) is not None
    first, last = value[0], value[-1]
    single_ok = not (space_break or break_space or tab or special)
    block_ok = not (last == " " or space_break or special)
    plain_ok = (
        single_ok
        and not breaks
        and first != " "
        and last != " "
        and not _has_block_indicator(value)
    )
    return plain_ok, single_ok, block_ok


def _has_block_indicator(value: str) -> bool:
    first = value[0]
    if first in _FIRST_CHAR_INDICATORS:
        return True
    if first in "?:-" and (len(value) == 1 or value[1] in " \t"):
        return True
    if value.startswith(("---", "...")):
        return True
    return _INNER_INDICATOR_RE.search(value) is not None


def _single_quoted(value: str, indent: int) -> str:
    text = value.replace("'", "''")
    if _BREAK_RE.search(text):
        # Only U+2028/U+2029 get here; go-yaml copies them and indents the next line.
        text = _LINE_SEPARATORS_RE.sub(lambda m: m.group() + " " * indent, text)
    return f"'{text}'"


_LINE_SEPARATORS_RE = re.compile("[\u2028\u2029]+(?=[^\u2028\u2029])")

_DOUBLE_ESCAPES = {
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_DOUBLE_ESCAPE_RE = _Lazy(
    r"[^\x20\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
)
_ANY_CHAR_RE = re.compile(".", re.S)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _DOUBLE_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def _double_quoted(value: str) -> str:
    # go-yaml's is_bom() tests the start of the value, not the current character,
    # so a value starting with U+FEFF has every character escaped.
    pattern = _ANY_CHAR_RE if value.startswith("\ufeff") else _DOUBLE_ESCAPE_RE
    return '"' + pattern.sub(_escape, value) + '"'


_LITERAL_SPLIT_RE = re.compile("([\n\u2028\u2029])")


def _literal(value: str, indent: int) -> str:
    head = "|2" if value[0] in " \n\u2028\u2029" else "|"
    if value[-1] not in _BREAKS:
        head += "-"
    elif len(value) == 1 or value[-2] in _BREAKS:
        head += "+"
    pad = " " * indent
    parts = [head]
    header_open = True  # the `|` line still needs its line break
    for piece in _LITERAL_SPLIT_RE.split(value):
        if not piece:
            continue
        if piece in _BLOCK_BREAKS:
            parts.append(piece)
        else:
            parts.append(("\n" if header_open else "") + pad + piece)
        header_open = False
    if value[-1] not in _BLOCK_BREAKS:
        parts.append("\n")
    return "".join(parts)


# --------------------------------------------------------------------- resolving

# cue v0.4.3 internal/encoding/yaml/encode.go: shouldQuote.
_CUE_LEGACY_STRINGS = frozenset(
    "y Y yes Yes YES n N no No NO t T f F true True TRUE false False FALSE "
    "on On ON off Off OFF .Nan".split()
)
_CUE_USE_QUOTE = re.compile(r"[\-+0-9:. \t]+(?:[-:]|[tT])[\-+0-9:. \t]+[zZ]?\Z")

_STRING = object()  # "resolves to a string"

# go-yaml v3 resolve.go: resolveMap.
_RESOLVE_MAP: dict[str, object] = {
    **dict.fromkeys(["true", "True", "TRUE"], True),
    **dict.fromkeys(["false", "False", "FALSE"], False),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], None),
    **dict.fromkeys([".nan", ".NaN", ".NAN"], math.nan),
    **dict.fromkeys([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], math.inf),
    **dict.fromkeys(["-.inf", "-.Inf", "-.INF"], -math.inf),
}
_RESOLVE_HINTS = frozenset("+-0123456789.yYnNtTfFoO~")
_DOT_FLOAT_RE = re.compile(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?\Z")
_YAML_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_GO_INT_RE = re.compile(
    r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))\Z"
)
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1


def _go_plain_value(text: str) -> object:
    """What go-yaml v3 makes of an untagged plain scalar; `_STRING` for a string.

    Timestamps count as strings here: they only matter for quoting, and cue's
    date pattern already quotes every timestamp go-yaml recognises.
    """
    if not text:
        return None
    first = text[0]
    if first not in _RESOLVE_HINTS:
        return _STRING
    if text in _RESOLVE_MAP:
        return _RESOLVE_MAP[text]
    if first == ".":
        if _DOT_FLOAT_RE.match(text) and not math.isinf(value := float(text)):
            return value
        return _STRING
    if first in "yYnNtTfFoO~":
        return _STRING
    return _go_number(text.replace("_", ""))


def _go_number(plain: str) -> object:
    number = _go_int(plain)
    if number is not None:
        return number
    if _YAML_FLOAT_RE.match(plain):
        value = float(plain)
        if not math.isinf(value):  # strconv.ParseFloat reports overflow as an error
            return value
    return _STRING


def _go_int(plain: str) -> int | None:
    """strconv.ParseInt(plain, 0, 64), falling back to ParseUint, as resolve() does."""
    match = _GO_INT_RE.match(plain)
    if match is None:
        return None
    sign, hexa, octal, binary, zero_octal, decimal = match.groups()
    if hexa is not None:
        number = int(hexa, 16)
    elif octal is not None:
        number = int(octal, 8)
    elif binary is not None:
        number = int(binary, 2)
    elif zero_octal is not None:
        number = int(zero_octal or "0", 8)
    else:
        number = int(decimal)
    if sign == "-":
        number = -number
    if _INT64_MIN <= number <= _INT64_MAX or (not sign and number <= _UINT64_MAX):
        return number
    return None


# --------------------------------------------------------------------------- load

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAG = "tag:hasura-perm,2024:go-yaml-plain"


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader whose plain scalars resolve the way go-yaml v3 resolves them."""

    yaml_implicit_resolvers: dict[Any, Any] = {}

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        own_pairs = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
        self.flatten_mapping(node)
        merged_pairs = len(node.value) - own_pairs
        mapping: dict[Any, Any] = {}
        own_keys: set[str] = set()
        for position, (key_node, value_node) in enumerate(node.value):
            key = self._mapping_key(key_node, node)
            if position >= merged_pairs:  # keys from `<<` merges may be overridden
                if key in own_keys:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r}",
                        key_node.start_mark,
                    )
                own_keys.add(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def _mapping_key(self, key_node: yaml.Node, node: yaml.Node) -> str:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found a mapping key that is not a string",
                key_node.start_mark,
            )
        key = self.construct_object(key_node)
        # Metadata is JSON: a key like `1` or `true` is the text as written.
        return key if isinstance(key, str) else key_node.value


def _construct_plain(loader: _Loader, node: yaml.ScalarNode) -> object:
    value = _go_plain_value(node.value)
    return node.value if value is _STRING else value


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    value = node.value
    return Include(value) if value.startswith("!include ") else value


def _construct_include_tag(loader: _Loader, node: yaml.Node) -> Include:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(
            None, None, "!include needs a file name", node.start_mark
        )
    return include(node.value)


_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile("<<\\Z"), ["<"])
_Loader.add_implicit_resolver(_PLAIN_TAG, re.compile(""), [*_RESOLVE_HINTS, ""])
_Loader.add_constructor(_PLAIN_TAG, _construct_plain)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor("!include", _construct_include_tag)
# `dump` writes a string `<<` as `!!merge <<`, as the CLI does.
_Loader.add_constructor("tag:yaml.org,2002:merge", yaml.SafeLoader.construct_scalar)


def load(text: str, *, filename: str) -> object:
    """Parse one metadata YAML document into plain dicts/lists/scalars in file order.

    Plain scalars resolve as go-yaml v3 (the CLI's parser) resolves them: `yes`,
    `on` and dates stay strings, `1e3` is a float, `0o17` an int. Duplicate keys
    are an error, as they are for the CLI.
    """
    try:
        _refuse_unsafe(text, filename)
        try:
            return _fast_load(text)
        except Exception:  # anything unusual, an error included: the loader decides
            return yaml.load(text, Loader=_Loader)
    except yaml.reader.ReaderError as error:  # a control character: an offset, no mark
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        message = f"invalid YAML: character U+{error.character:04X} is not allowed"
        raise SpecError([Diagnostic(Location(filename, line, column), message)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
        raise SpecError(
            [Diagnostic(where, f"invalid YAML: {_describe(error)}; fix the file and retry")]
        ) from None
    except yaml.YAMLError as error:
        raise SpecError([Diagnostic(Location(filename), f"invalid YAML: {error}")]) from None


class _Unusual(Exception):
    """Text the fast path leaves to the loader: tags, anchors, merge keys, keys that are
    not scalars or repeat, several documents, deep nesting."""


_NO_KEY = object()


def _fast_load(text: str) -> object:
    """What `yaml.load(text, Loader=_Loader)` gives, built straight from the parser's
    events for the files the CLI writes (plain block mappings, sequences and scalars);
    anything else raises, and the loader reads the text instead. Reading metadata/ with
    the loader's Python constructors took twice as long as the parse itself."""
    result: Any = None
    stack: list[list[Any]] = []  # each open container: [value, pending key or _NO_KEY]
    documents = 0
    events: Iterator[Any] = yaml.parse(text, Loader=_Base)  # Any: the stubs' Event has no fields
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            raw = event.value
            value: Any = raw
            if not event.style:  # plain: resolved as go-yaml resolves it
                if not raw or raw[0] in _RESOLVE_HINTS:
                    value = _go_plain_value(raw)
                    if value is _STRING:
                        value = raw
                elif raw == "<<":
                    raise _Unusual
            if type(value) is str and value.startswith("!include "):
                value = Include(value)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            if len(stack) >= MAX_DEPTH:
                raise _Unusual
            value = {} if kind is yaml.MappingStartEvent else []
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            continue
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual
            continue
        elif kind is yaml.AliasEvent:
            raise _Unusual
        else:
            continue
        if not stack:
            result = value
        else:
            top = stack[-1]
            parent = top[0]
            if type(parent) is list:
                parent.append(value)
            elif top[1] is _NO_KEY:
                if kind is not yaml.ScalarEvent:
                    raise _Unusual
                key = value if isinstance(value, str) else event.value  # keys as written
                if key in parent:
                    raise _Unusual
                top[1] = key
                continue
            else:
                parent[top[1]] = value
                top[1] = _NO_KEY
        if kind is not yaml.ScalarEvent:
            stack.append([value, _NO_KEY])
    return result


MAX_DEPTH = 64
_ALLOWED_TAGS = {"!include", "tag:yaml.org,2002:merge", "!"}
# Only text holding one of these can have an anchor, alias, tag or deep nesting.
_SUSPECT = re.compile(rf"[&*]|!(?!include )|^ {{{2 * MAX_DEPTH}}}|(?:- ){{8}}", re.MULTILINE)


def _refuse_unsafe(text: str, filename: str) -> None:
    """Anchors, aliases, tags and deep nesting have no place in metadata the CLI exports:
    an alias bomb of a few kilobytes expands to hundreds of megabytes. Refused at file:line,
    as the permissions reader does."""
    if _SUSPECT.search(text) is None and text.count("{") + text.count("[") <= MAX_DEPTH:
        return
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        kind = type(event)
        if kind is yaml.AliasEvent:
            _refuse_at(filename, event, "YAML aliases (*name) are not allowed in metadata")
        if isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if event.anchor is not None:
                _refuse_at(filename, event, "YAML anchors (&name) are not allowed in metadata")
            explicit = not isinstance(event, yaml.ScalarEvent) or not event.implicit[0]
            if event.tag is not None and explicit and event.tag not in _ALLOWED_TAGS:
                _refuse_at(filename, event, f"YAML tags ({event.tag}) are not allowed in metadata")
        if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                _refuse_at(filename, event, f"nesting deeper than {MAX_DEPTH} levels")
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            depth -= 1


def _refuse_at(filename: str, event: yaml.Event, message: str) -> None:
    mark = event.start_mark
    where = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
    raise SpecError([Diagnostic(where, message)])


def _describe(error: yaml.MarkedYAMLError) -> str:
    parts = [part for part in (error.context, error.problem) if part]
    return ", ".join(parts) or "unreadable YAML"
