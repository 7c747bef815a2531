"""The one diagnostic type: something to tell the user about a place in their files.

Input problems (a SpecError's list), compile's warnings and lint's findings (lint/problem.py's
Problem adds the fix and the subject) are all Diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import NamedTuple


class Location(NamedTuple):
    """A place in a source file; line and column are 1-based (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column or 1}"
        return self.file


SEVERITIES = ("info", "warning", "error")  # in increasing order


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """Sorted by place, then message. `severity` and `code` are keyword-only so that a
    subclass (lint's Problem) keeps its own fields positional after `message`."""

    location: Location
    message: str
    severity: str = field(default="error", kw_only=True)
    code: str = field(default="", kw_only=True)  # a lint rule's id; empty elsewhere

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


Diagnostics = list[Diagnostic]
