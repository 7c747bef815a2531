"""A SpecError holds Diagnostics: each once, by place, at most MAX_SHOWN shown."""

from __future__ import annotations

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.diagnostics import Location
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import SpecError


def test_spec_error_lists_each_problem_once_in_order() -> None:
    one = Diagnostic(Location("b.yaml", 2, 1), "second")
    two = Diagnostic(Location("a.yaml", 1, 1), "first")
    error = SpecError([one, two, one])
    assert error.problems == [two, one]
    assert str(error) == "a.yaml:1:1: first\nb.yaml:2:1: second"


def test_spec_error_shows_at_most_max_shown_and_counts_the_rest() -> None:
    problems = [Diagnostic(Location("a.yaml", n), f"problem {n}") for n in range(1, 56)]
    lines = str(SpecError(problems)).splitlines()
    assert len(lines) == SpecError.MAX_SHOWN + 1
    assert lines[0] == "a.yaml:1:1: problem 1"
    assert lines[-1] == "... and 5 more problem(s)"
    assert SpecError(problems).exit_code == ExitCode.ERROR
