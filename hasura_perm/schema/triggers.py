"""Which columns a BEFORE row trigger always overwrites, read from its PL/pgSQL body.

PostgreSQL tells which function a trigger calls, on which events, and whether it has a
WHEN condition or an `UPDATE OF` column list (see dbfacts.py); only the body's meaning is
ours to read: a `NEW.col := ...` (or `= ...`, also through a copy of NEW as Hasura's console
trigger writes it) that runs on every call (or under `IF TG_OP = 'X'` only) means a value
the client sends for that column never survives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>[eE]?'(?:[^']|'')*')
  | (?P<ident>"(?:[^"]|"")*")
  | (?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<punct>::|.)
    """,
    re.S | re.X,
)


@dataclass(frozen=True)
class Token:
    kind: str  # word, ident, string, num, punct, dollar
    text: str

    @property
    def name(self) -> str:
        """As PostgreSQL resolves the identifier."""
        if self.kind == "ident":
            return self.text[1:-1].replace('""', '"')
        return self.text.lower()

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def tokenize(code: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(code):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind == "tag":
            kind = "dollar"
        tokens.append(Token(kind or "punct", match.group()))
    return tokens


def assigned_columns(body: str) -> dict[str, set[str] | None]:
    """`NEW.col :=` statements that run on every call, or under `IF TG_OP = 'X'` only:
    column -> the operations ("insert", "update") it runs for (None: all). Other IF, CASE
    and LOOP branches may not run, so what they assign does not count."""
    tokens = tokenize(body)
    found: dict[str, set[str] | None] = {}
    frames: list[set[str] | None] = []  # per open block: TG_OPs it runs for, None: unknown
    start_of_statement = True
    rows = {"new"}  # NEW, and variables holding it (`_new := NEW;`, Hasura's console trigger)
    for i, token in enumerate(tokens):
        if start_of_statement and _copies_new(tokens, i):
            rows.add(token.name)
        if token.is_word("if", "case", "loop", "while", "for") and not _after_end(tokens, i):
            frames.append(_tg_ops(tokens, i) if token.is_word("if") else None)
        elif token.is_word("elsif", "else", "when") and frames:
            frames[-1] = None
        elif _closes_block(tokens, i):
            if frames:
                frames.pop()
        elif start_of_statement and token.name in rows and _is_assignment(tokens, i):
            ops = _frame_ops(frames)
            if ops != "conditional":
                found[tokens[i + 2].name] = ops  # type: ignore[assignment]
        start_of_statement = token.text == ";" or token.is_word("begin", "then", "else", "loop")
    return found


def _closes_block(tokens: list[Token], i: int) -> bool:
    return (
        tokens[i].is_word("end")
        and i + 1 < len(tokens)
        and tokens[i + 1].is_word("if", "case", "loop")
    )


def _after_end(tokens: list[Token], i: int) -> bool:
    return i > 0 and tokens[i - 1].is_word("end")


def _copies_new(tokens: list[Token], i: int) -> bool:
    """`var := NEW;` (or `var = NEW;`)."""
    rest = [t.text.lower() for t in tokens[i + 1 : i + 5]]
    return rest[:3] == [":", "=", "new"] and rest[3:4] == [";"] or rest[:3] == ["=", "new", ";"]


def _is_assignment(tokens: list[Token], i: int) -> bool:
    """`NEW.col := ...` or `NEW.col = ...` (PL/pgSQL accepts both)."""
    if i + 3 >= len(tokens) or tokens[i + 1].text != ".":
        return False
    after = tokens[i + 3].text
    return after == "=" or (after == ":" and i + 4 < len(tokens) and tokens[i + 4].text == "=")


def _tg_ops(tokens: list[Token], i: int) -> set[str] | None:
    """`IF TG_OP = 'UPDATE' [OR TG_OP = 'INSERT'] THEN` -> {"update"}; other conditions None."""
    ops: set[str] = set()
    j = i + 1
    while j < len(tokens) and not tokens[j].is_word("then"):
        if tokens[j].is_word("tg_op") and j + 2 < len(tokens) and tokens[j + 1].text == "=":
            ops.add(tokens[j + 2].text.strip("'").lower())
        elif tokens[j].kind == "word" and not tokens[j].is_word("tg_op", "or"):
            return None
        j += 1
    return ops or None


def _frame_ops(frames: list[set[str] | None]) -> set[str] | None | str:
    ops: set[str] | None = None
    for frame in frames:
        if frame is None:
            return "conditional"
        ops = set(frame) if ops is None else ops & frame
    return ops
