"""The text report of a plan and of drift: the summary line, each table's changes with their
detail, the actions and introspection, and what hasura-perm does not manage."""

from __future__ import annotations

from hasura_perm.remote.apply import Drift
from hasura_perm.remote.plan import Plan
from hasura_perm.report import text
from tests.report import samples


def test_a_plan_in_full() -> None:
    assert text.render_plan(samples.plan()) == (
        "Plan for staging (resource_version 7): 2 to add, 1 to change, 1 to remove "
        "(2 widening, 2 narrowing).\n"
        "\n"
        "public.projects\n"
        "  + insert editor (widening)\n"
        "      columns: name\n"
        "      check: {}\n"
        '      comment: "Editors add projects"\n'
        "  ~ select viewer (narrowing)\n"
        "      columns: -name (narrowing)\n"
        '      filter: {} -> {"owner_id":{"_eq":"X-Hasura-User-Id"}} (narrowing)\n'
        "\n"
        "public.users\n"
        "  - delete admin2 (narrowing)\n"
        "      filter: {}\n"
        "\n"
        "actions and introspection\n"
        "  + action export_report granted to editor (add, widening)\n"
    )


def test_drift_in_full_words_changes_as_the_server_differs() -> None:
    assert text.render_drift(samples.drift()) == (
        "Drift on staging (resource_version 9): 3 difference(s): 1 unexpected, 1 missing, "
        "1 changed (2 widening, 1 narrowing).\n"
        "\n"
        "public.projects\n"
        "  - missing insert editor (narrowing)\n"
        "      columns: name\n"
        "      check: {}\n"
        '      comment: "Editors add projects"\n'
        "  ~ changed select viewer (widening)\n"
        "      columns: +name (widening)\n"
        '      filter: {"owner_id":{"_eq":"X-Hasura-User-Id"}} -> {} (widening)\n'
        "\n"
        "public.users\n"
        "  + unexpected delete admin2 (widening)\n"
        "      filter: {}\n"
        "\n"
        "Not managed by hasura-perm (information, not drift):\n"
        "  1 permission(s) of roles the project does not declare, on tables it manages "
        "(`apply --prune` would remove them):\n"
        "    public.projects select intruder\n"
        "  2 permission(s) on tables the project does not manage\n"
    )


def test_nothing_to_do_is_one_line() -> None:
    plan = Plan([], "staging", "https://h.example.org", "default", 3, owned_count=12)
    assert text.render_plan(plan) == (
        "No changes: the permissions hasura-perm owns on staging (resource_version 3) match "
        "the project (12 permissions).\n"
    )
    drift = Drift([], [], 0, "prod", 4)
    assert text.render_drift(drift) == (
        "No drift on prod (resource_version 4): the permissions hasura-perm owns match the "
        "project.\n"
    )


def test_a_role_name_cannot_write_to_the_terminal() -> None:
    drift = Drift([], [(samples.PROJECTS, "select", "evil\x1b[2J")], 0, "prod", 4)
    rendered = text.render_drift(drift)
    assert "\x1b" not in rendered
    assert "public.projects select evil" in rendered
