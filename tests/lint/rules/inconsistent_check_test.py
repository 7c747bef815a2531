from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_the_less_common_spelling_of_an_empty_check(tmp_path):
    projects = table(
        "public.projects",
        update={
            "a": {"columns": ["name"], "filter": {}, "check": None},
            "b": {"columns": ["name"], "filter": {}, "check": None},
            "c": {"columns": ["name"], "filter": {}, "check": {}},
        },
    )
    [problem] = found(context(tmp_path, projects), "inconsistent-check")
    assert problem.role == "c"
    assert "check: null" in problem.fix


def test_near_miss_one_spelling_everywhere_and_real_checks_do_not_count(tmp_path):
    projects = table(
        "public.projects",
        update={
            "a": {"columns": ["name"], "filter": {}, "check": {}},
            "b": {"columns": ["name"], "filter": {}, "check": {"is_public": {"_eq": True}}},
        },
    )
    assert found(context(tmp_path, projects), "inconsistent-check") == []
