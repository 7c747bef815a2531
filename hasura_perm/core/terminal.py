"""Text for a terminal. Role, table and column names come from the project, from metadata
files or from a server; a control character in one (ESC starting an escape sequence, a
carriage return, a bidirectional override) must show as written, never act on the terminal.
Every text renderer goes through `lines_text`; the markdown renderers share `visible`."""

from __future__ import annotations

import re
import sys

# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional controls.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str, keep: str = "") -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\u202e`), except
    those in `keep`. Backslashes are left alone, so text without controls is unchanged."""
    return _HIDDEN.sub(lambda m: _escaped(m.group(), keep), text)


def warn(message: object, *, kind: str = "warning") -> None:
    """`kind: message` on stderr, its control characters shown as escapes: a warning may
    quote names from metadata or a server (a role set, a table), which must not be able to
    drive the terminal."""
    print(visible(f"{kind}: {message}", keep="\n"), file=sys.stderr)


def lines_text(lines: list[str]) -> str:
    """A report made of `lines`, each escaped whole: a newline inside a name cannot start a
    line of its own."""
    return "".join(visible(line) + "\n" for line in lines)


def _escaped(char: str, keep: str) -> str:
    if char in keep:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
