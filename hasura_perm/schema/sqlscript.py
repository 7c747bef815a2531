"""Split a SQL script (a migration, a `pg_dump` file) into statements, each with its line.

Only the boundaries are found here; PostgreSQL itself parses every statement (see
replay.py). The rules follow psql's: a `;` ends a statement unless it is inside quotes,
a comment, a dollar-quoted body, parentheses, or a `BEGIN ATOMIC ... END` function body.
`COPY ... FROM stdin` data is skipped (a schema needs no rows), and psql meta-commands
that a plain `pg_dump` writes (`\\restrict`, `\\unrestrict`) are ignored; any other
meta-command is refused, because only psql could run it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from hasura_perm.core.errors import HasuraPermError

# Meta-commands pg_dump writes that do not change what the statements mean.
IGNORED_META_COMMANDS = frozenset({"restrict", "unrestrict"})

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_COPY_FROM_STDIN = re.compile(r"^\s*copy\b.*\bfrom\s+stdin\b", re.I | re.S)
_ROUTINE = re.compile(r"^\s*create\s+(or\s+replace\s+)?(function|procedure)\b", re.I)


@dataclass(frozen=True)
class Statement:
    text: str
    line: int  # 1-based line of the statement's first character in its script


def split_statements(text: str, display: str) -> list[Statement]:
    """The statements of `text`; `display` names the script in error messages."""
    return _Splitter(text, display).run()


class _Splitter:
    def __init__(self, text: str, display: str) -> None:
        self.text = text
        self.display = display
        self.i = 0
        self.start: int | None = None  # offset of the current statement's first character
        self.depth = 0  # open parentheses
        self.blocks = 0  # open BEGIN ATOMIC / CASE inside a routine body
        self.out: list[Statement] = []

    def run(self) -> list[Statement]:
        text, n = self.text, len(self.text)
        while self.i < n:
            ch = text[self.i]
            if ch.isspace():
                self.i += 1
            elif text.startswith("--", self.i):
                self._skip_to_line_end()
            elif text.startswith("/*", self.i):
                self._skip_block_comment()
            elif ch == "\\" and self.start is None:
                self._meta_command()
            else:
                self._mark()
                self._token(ch)
        self._finish(len(text))
        return self.out

    def _mark(self) -> None:
        if self.start is None:
            self.start = self.i

    def _token(self, ch: str) -> None:
        text = self.text
        if ch == "'":
            escaped = self.i > 0 and text[self.i - 1] in "eE" and not self._word_before(self.i - 1)
            self._skip_quoted("'", backslash=escaped)
        elif ch == '"':
            self._skip_quoted('"', backslash=False)
        elif (
            ch == "$" and (dollar := _DOLLAR.match(text, self.i)) and not self._word_before(self.i)
        ):
            self._skip_dollar(dollar.group())
        elif ch == "(":
            self.depth += 1
            self.i += 1
        elif ch == ")":
            self.depth = max(0, self.depth - 1)
            self.i += 1
        elif ch == ";" and self.depth == 0 and self.blocks == 0:
            self.i += 1
            self._finish(self.i - 1)
        elif word := _WORD.match(text, self.i):
            self._word(word.group().lower())
            self.i = word.end()
        else:
            self.i += 1

    def _word(self, word: str) -> None:
        # psql's rule for SQL-standard routine bodies: BEGIN and CASE open a block, END closes.
        if word not in ("begin", "case", "end") or self.start is None:
            return
        if not _ROUTINE.match(self.text[self.start : self.i]):
            return
        if word == "begin" or (word == "case" and self.blocks > 0):
            self.blocks += 1
        elif word == "end" and self.blocks > 0:
            self.blocks -= 1

    def _word_before(self, at: int) -> bool:
        """Is text[at] glued to an identifier before it (so `a$b$` is a name, not a quote)?"""
        return at > 0 and (self.text[at - 1].isalnum() or self.text[at - 1] in "_$")

    def _skip_quoted(self, quote: str, *, backslash: bool) -> None:
        text, i = self.text, self.i + 1
        while i < len(text):
            if backslash and text[i] == "\\":
                i += 2
            elif text[i] == quote:
                if text.startswith(quote * 2, i):
                    i += 2
                    continue
                self.i = i + 1
                return
            else:
                i += 1
        self._unterminated("quoted text" if quote == "'" else "quoted identifier")

    def _skip_dollar(self, tag: str) -> None:
        end = self.text.find(tag, self.i + len(tag))
        if end < 0:
            self._unterminated(f"{tag}-quoted body")
        self.i = end + len(tag)

    def _skip_to_line_end(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end + 1

    def _skip_block_comment(self) -> None:
        nesting, i = 0, self.i
        while i < len(self.text):
            if self.text.startswith("/*", i):
                nesting += 1
                i += 2
            elif self.text.startswith("*/", i):
                nesting -= 1
                i += 2
                if nesting == 0:
                    self.i = i
                    return
            else:
                i += 1
        self._unterminated("/* comment")

    def _meta_command(self) -> None:
        end = self.text.find("\n", self.i)
        line = self.text[self.i : len(self.text) if end < 0 else end]
        name = line[1:].split(maxsplit=1)[0] if len(line) > 1 else ""
        if name not in IGNORED_META_COMMANDS:
            raise HasuraPermError(
                f"{self.display}:{self._line_of(self.i)}: psql meta-command `\\{name}` is not "
                "SQL; only psql can run it. Remove it, or give a plain SQL file"
            )
        self._skip_to_line_end()

    def _finish(self, end: int) -> None:
        if self.start is None:
            return
        statement = self.text[self.start : end].strip()
        line = self._line_of(self.start)
        self.start, self.depth, self.blocks = None, 0, 0
        if _COPY_FROM_STDIN.match(statement):
            self._skip_copy_data()
            return
        self.out.append(Statement(statement, line))

    def _skip_copy_data(self) -> None:
        # The rows follow the statement's line and end with a line holding only `\.`.
        self._skip_to_line_end()
        found = re.compile(r"^\\\.\r?$", re.M).search(self.text, self.i)
        if found is None:
            self._unterminated("COPY data (no closing `\\.` line)")
        self.i = found.end()

    def _line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def _unterminated(self, what: str) -> NoReturn:
        at = self.start if self.start is not None else self.i
        raise HasuraPermError(
            f"{self.display}:{self._line_of(at)}: unterminated {what} in the statement "
            "starting here"
        )
