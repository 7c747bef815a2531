"""The one family of user-facing errors, and the exit-code contract."""

from __future__ import annotations

import enum
import re

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.diagnostics import Location as Location  # its home is diagnostics.py


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1  # bad input, network, server refused
    DIFFERENCES = 2  # plan with changes, drift, stale generated metadata
    CHECKS_FAILED = 3  # permission tests, lint at or above the fail level


class HasuraPermError(Exception):
    """Something the user can fix. The CLI prints it without a traceback and exits 1.

    Messages must never contain the admin secret.
    """

    exit_code = ExitCode.ERROR


class SpecError(HasuraPermError):
    """One or more problems in the user's input files, each with its location."""

    MAX_SHOWN = 50

    def __init__(self, problems: list[Diagnostic]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(self.render())

    def render(self) -> str:
        shown = [str(problem) for problem in self.problems[: self.MAX_SHOWN]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"... and {hidden} more problem(s)")
        return "\n".join(shown)


EXCERPT_CHARS = 40
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b([\w.-]*(?:secret|passw(?:or)?d|pwd|token|api[_-]?key|private[_-]?key|"
    r"access[_-]?key|credential|auth)[\w.-]*\s*[=:]\s*)\S+"
)
_LONG_OPAQUE = re.compile(r"[A-Za-z0-9+/_=-]{32,}")


def excerpt(value: object) -> str:
    """Input text as a message may quote it: one short line, with anything that looks like
    a secret (`KEY=value` with a secret-ish key, long opaque tokens) replaced by `…`.

    A mis-pointed file (a link to `.env`) must never have its contents echoed."""
    text = str(value)
    text = _SECRET_ASSIGNMENT.sub(r"\1…", text)
    text = _LONG_OPAQUE.sub("…", text)
    text = " ".join(text.split())  # one line
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1] + "…"
    return text
