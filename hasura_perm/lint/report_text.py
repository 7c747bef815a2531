"""`hasura-perm lint` as text: one block per finding (file:line: level [rule] message, then
what it is about and the fix), then a summary line, skipped rules and suppressions."""

from __future__ import annotations

from hasura_perm.core.terminal import lines_text
from hasura_perm.lint import LintResult
from hasura_perm.lint.problem import Problem

INDENT = "    "


def render(result: LintResult, *, verbose: bool = False) -> str:
    lines: list[str] = []
    for problem in result.problems:
        lines += _problem(problem)
    lines.append(summary_line(result))
    if result.skipped:
        lines.append("skipped: " + "; ".join(f"{rule} ({why})" for rule, why in result.skipped))
    if verbose:
        for problem, suppression in result.suppressed:
            lines.append(
                f"suppressed: {problem.location}: [{problem.rule}] {problem.subject()} "
                f"(reason: {suppression.reason})"
            )
    for note in result.notes:
        lines.append(f"note: {note}")
    lines += trusted_roles_lines(result)
    return lines_text(lines)


def trusted_roles_lines(result: LintResult) -> list[str]:
    """The first-run explanation: which roles lint took for administrators, staff or
    services (their rows are not checked one by one), why, and the one line that says
    otherwise."""
    if not result.trusted_roles:
        return []
    lines = ["roles taken for administrators, staff or services (row-level rules skip them):"]
    for role, kind, why in result.trusted_roles:
        lines.append(f"{INDENT}{role}: {kind}, because {why}")
    names = ", ".join(role for role, _, _ in result.trusted_roles)
    lines.append(
        f"{INDENT}to decide yourself, put one line under `lint:` in hasura-perm.yaml (or the "
        f"--config file): admin_roles: [{names}]  (list only the roles that manage every row; "
        "[] for none)"
    )
    return lines


def _problem(problem: Problem) -> list[str]:
    lines = [f"{problem.location}: {problem.level} [{problem.rule}] {problem.message}"]
    if problem.origin:
        lines.append(f"{INDENT}rule: {problem.subject()}, {problem.origin}")
    lines.append(f"{INDENT}fix: {problem.fix}")
    return lines


def summary_line(result: LintResult) -> str:
    counts = result.counts()
    total = len(result.problems)
    if not total:
        head = "No problems"
    else:
        parts = [f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items() if n]
        head = f"{total} problem{'s' if total != 1 else ''} ({', '.join(parts)})"
    tail = f"; {len(result.suppressed)} suppressed" if result.suppressed else ""
    return f"{head} from {len(result.rules_run)} rules{tail}."
