"""`hasura-perm lint --format github`: GitHub Actions workflow commands, one annotation per
finding (`::error file=...,line=...,col=...,title=...::message`); `info` becomes `notice`.

Escaping follows the Actions toolkit (command.ts): in the message `%`, CR and LF; in
properties also `:` and `,`.
"""

from __future__ import annotations

from hasura_perm.lint import LintResult
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.report_text import summary_line

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: LintResult) -> str:
    lines = [annotation(p) for p in result.problems]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def annotation(problem: Problem) -> str:
    loc = problem.location
    properties = [f"file={escape_property(loc.file)}"]
    if loc.line:
        properties += [f"line={loc.line}", f"col={loc.column or 1}"]
    title = f"hasura-perm {problem.rule}"
    properties.append(f"title={escape_property(title)}")
    origin = f" ({problem.origin})" if problem.origin else ""
    message = f"{problem.message}{origin}\nFix: {problem.fix}"
    return f"::{COMMANDS[problem.level]} {','.join(properties)}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
