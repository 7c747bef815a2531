"""The `lint:` section: disable, severity, options, marks, suppressions (reason required)."""

from __future__ import annotations

import pytest

from hasura_perm.core.errors import SpecError
from hasura_perm.lint import lint
from hasura_perm.lint.config import load_lint_config
from tests.helpers import write
from tests.lint.lintkit import context
from tests.lint.lintkit import table

PROJECTS = table(
    "public.projects",
    select={
        "viewer": {"columns": ["id"], "filter": {}},
        "editor": {"columns": ["id"], "filter": {}},
    },
    update={"editor": {"columns": ["name"], "filter": {}}},
    delete={"editor": {"filter": {}}},
)


def _config(tmp_path, text):
    return load_lint_config(write(tmp_path, "lint.yaml", text), "lint.yaml")


def _rules(result):
    return sorted({p.rule for p in result.problems})


def test_defaults_report_the_unfiltered_writes_as_warnings(tmp_path):
    result = lint(context(tmp_path, PROJECTS), _config(tmp_path, "lint: {}\n"))
    assert [(p.rule, p.level) for p in result.problems] == [("unfiltered-write", "warning")] * 2
    assert result.exit_code == 0


def test_disable_a_rule(tmp_path):
    config = _config(tmp_path, "lint:\n  rules:\n    unfiltered-write: disable\n")
    result = lint(context(tmp_path, PROJECTS), config)
    assert result.problems == [] and "unfiltered-write" not in result.rules_run


def test_change_a_severity_and_the_fail_level(tmp_path):
    config = _config(tmp_path, "lint:\n  rules:\n    unfiltered-write: {level: error}\n")
    result = lint(context(tmp_path, PROJECTS), config)
    assert {p.level for p in result.problems} == {"error"} and result.exit_code == 3
    relaxed = _config(tmp_path, "lint:\n  fail_level: info\n")
    assert lint(context(tmp_path, PROJECTS), relaxed).exit_code == 3


def test_a_suppression_with_a_reason_hides_the_matching_finding_only(tmp_path):
    config = _config(
        tmp_path,
        """\
        lint:
          ignore:
            - rule: unfiltered-write
              table: projects          # bare name: schema public
              role: edit*
              action: delete
              reason: Editors clean up test projects
        """,
    )
    result = lint(context(tmp_path, PROJECTS), config)
    assert [p.subject() for p in result.problems] == ["public.projects update editor"]
    [(problem, suppression)] = result.suppressed
    assert problem.subject() == "public.projects delete editor"
    assert suppression.reason == "Editors clean up test projects"
    assert str(suppression.location) == "lint.yaml:3:7"


def test_a_suppression_without_a_reason_is_an_error(tmp_path):
    with pytest.raises(SpecError) as error:
        _config(tmp_path, "lint:\n  ignore:\n    - rule: unfiltered-write\n      role: editor\n")
    assert "lint.yaml:3:7: missing required key `reason`" in str(error.value)
    with pytest.raises(SpecError, match="is not a valid value for `reason`"):
        _config(tmp_path, "lint:\n  ignore:\n    - {rule: unfiltered-write, reason: ' '}\n")


def test_a_suppression_that_matches_nothing_is_reported(tmp_path):
    config = _config(
        tmp_path,
        "lint:\n  ignore:\n    - {rule: unfiltered-select, table: public.nothing, reason: old}\n",
    )
    result = lint(context(tmp_path, PROJECTS), config)
    stale = [p for p in result.problems if p.rule == "unused-suppression"]
    assert len(stale) == 1 and str(stale[0].location) == "lint.yaml:3:7"


def test_unknown_rules_and_options_are_errors_with_hints(tmp_path):
    with pytest.raises(SpecError) as error:
        _config(
            tmp_path,
            """\
            lint:
              rules:
                unfiltered-writ: disable
                secret-column-readable: {allow: 3, bogus: true}
              ignore:
                - {rule: no-such-rule, reason: x}
            """,
        )
    text = str(error.value)
    assert (
        "lint.yaml:3:5: unknown lint rule `unfiltered-writ`; did you mean `unfiltered-write`?"
        in text
    )
    assert "option `allow` of lint rule secret-column-readable must be a list" in text
    assert "unknown option `bogus` for lint rule secret-column-readable" in text
    assert "lint.yaml:6:8: unknown lint rule `no-such-rule`" in text


def test_marks_and_project_facts(tmp_path):
    config = _config(
        tmp_path,
        """\
        lint:
          admin_roles: [editor]
          tables:
            sensitive: [projects]
        """,
    )
    result = lint(context(tmp_path, PROJECTS), config)
    # editor is an admin now; the viewer's unfiltered read of a sensitive table is reported
    assert [(p.rule, p.subject()) for p in result.problems] == [
        ("unfiltered-select", "public.projects select viewer")
    ]


def test_a_hasura_perm_yaml_is_validated_as_a_whole(tmp_path):
    with pytest.raises(SpecError, match="lint"):
        _config(tmp_path, "lint:\n  tables:\n    secret: [x]\n")
