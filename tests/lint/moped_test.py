"""The lint on real metadata: the City of Austin's Moped (shared/corpus/moped), with its
pg_dump schema. Every finding at warning level or above was triaged by hand (see
docs/lint.md, "Moped"); this test pins that triage so a rule change that adds noise or
loses a real finding shows up here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from hasura_perm.lint import lint
from hasura_perm.lint.sources import context_from_metadata
from tests.lint.corpus import corpus_dir

MOPED = corpus_dir("moped")
pytestmark = pytest.mark.skipif(not MOPED.is_dir(), reason="the Moped corpus is not in shared/")


@pytest.fixture(scope="module")
def result():
    ctx = context_from_metadata(MOPED / "metadata", MOPED / "schema.sql")
    return lint(ctx)


def _at_least_warning(result):
    return [p for p in result.problems if p.level in ("warning", "error")]


def test_errors_are_the_follow_list_that_any_user_can_forge_rewrite_and_wipe(result):
    errors = [(p.rule, p.subject()) for p in result.problems if p.level == "error"]
    table = "public.moped_user_followed_projects"
    assert sorted(errors) == sorted(
        [
            ("insert-owner-unchecked", f"{table} insert moped-viewer"),
            ("owned-rows-writable", f"{table} update moped-viewer"),
            ("owned-rows-writable", f"{table} delete moped-viewer"),
        ]
    )
    assert result.exit_code == 3


def test_warnings_by_rule(result):
    counts = Counter(p.rule for p in _at_least_warning(result) if p.level == "warning")
    assert counts == {
        "audit-column-writable": 2,  # viewers write created_at of their follows
        "unfiltered-select": 1,  # every user's row of moped_users (email, notes), for viewers
    }


def test_editors_are_taken_for_staff_from_what_they_may_do(result):
    # moped-editor updates every row of 28 of the 29 tables it writes while viewers are
    # tied to themselves: staff, and the first run says so with the one line to change it
    trusted = {role: kind for role, kind, _ in result.trusted_roles}
    assert trusted == {"moped-admin": "admin", "moped-editor": "staff"}
    assert not any(p.role == "moped-editor" for p in result.problems if p.level != "info")


def test_no_false_alarms_from_lookup_keys_triggers_or_curated_views(result):
    rules = {p.rule for p in result.problems}
    assert "secret-column-readable" not in rules  # `key` columns of lookup tables are slugs
    assert "view-bypass" not in rules  # views over tables the roles cannot select at all
    assert "unknown-column" not in rules  # the SQL reader finds every table and column
    audit = [p.message for p in result.problems if p.rule == "audit-column-writable"]
    # set_updated_at() overwrites updated_at on UPDATE: not reported for updates
    assert not any("`updated_at`" in m and "(update)" in m for m in audit)


def test_findings_point_into_the_metadata_files(result):
    [problem] = [
        p
        for p in result.problems
        if p.rule == "owned-rows-writable" and p.action == "delete" and p.role == "moped-viewer"
    ]
    path = Path(problem.location.file)
    assert path.name == "public_moped_user_followed_projects.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[problem.location.line - 1] == "  - role: moped-viewer"
    section = next(
        line for line in reversed(lines[: problem.location.line]) if line.endswith("_permissions:")
    )
    assert section == "delete_permissions:"
