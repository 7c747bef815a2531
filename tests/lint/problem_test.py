"""A lint finding is a Diagnostic with its fix and subject; lint() stamps rule and level."""

from __future__ import annotations

import dataclasses

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.diagnostics import Location
from hasura_perm.core.names import TableName
from hasura_perm.lint.problem import Problem


def test_a_lint_problem_is_a_diagnostic_with_rule_and_level() -> None:
    problem = Problem(Location("p.yaml", 4, 2), "too open", "add a filter")
    stamped = dataclasses.replace(problem, code="unfiltered-select", severity="warning")
    assert isinstance(stamped, Diagnostic)
    assert (stamped.rule, stamped.level, stamped.fix) == (
        "unfiltered-select",
        "warning",
        "add a filter",
    )
    assert str(stamped) == "p.yaml:4:2: too open"


def test_a_rule_yields_a_problem_without_rule_or_level() -> None:
    problem = Problem(Location("p.yaml"), "m", "f", TableName("public", "t"), "editor", "update")
    assert problem.rule == "" and problem.subject() == "public.t update editor"


def test_problems_sort_by_place_then_subject_then_rule() -> None:
    at = Location("p.yaml", 3)
    b = Problem(at, "m", "f", TableName("public", "b"), code="x")
    a2 = Problem(at, "m", "f", TableName("public", "a"), code="z")
    a1 = Problem(at, "m", "f", TableName("public", "a"), code="y")
    first = Problem(Location("p.yaml", 1), "m", "f", TableName("public", "z"))
    ordered = sorted([b, a2, a1, first], key=Problem.sort_key)
    assert ordered == [first, a1, a2, b]
