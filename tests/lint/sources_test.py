"""Project mode: the context comes from permissions/ (roles, Cognito groups, session
sources, inheritance, defaults) and findings point at our language."""

from __future__ import annotations

import pytest

from hasura_perm.core.errors import SpecError
from hasura_perm.lint import lint
from hasura_perm.lint.sources import context_from_project
from hasura_perm.spec.project import load_project
from tests.helpers import make_project
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects

SCHEMA = {
    "public.projects": {
        "columns": {"id": "integer", "name": "text", "org_id": "integer"},
        "primary_key": ["id"],
    }
}


def _context(tmp_path, roles: str, *, tables: str = "", defaults: str = ""):
    files = {"roles.yaml": roles, "tables/projects.yaml": "table: public.projects\n" + tables}
    if defaults:
        files["defaults.yaml"] = defaults
    root = make_project(tmp_path / "p", files, schema=SCHEMA)
    return context_from_project(load_project(root))


def test_roles_without_cognito_groups_cannot_be_granted(tmp_path):
    ctx = _context(
        tmp_path,
        """\
        roles:
          viewer: {cognito_groups: [viewers]}
          auditor: {}
        """,
        tables="select:\n  auditor: {columns: [id], filter: {}}\n  viewer: {columns: [id], filter: {}}\n",
    )
    [problem] = found(ctx, "role-not-grantable")
    assert problem.role == "auditor"
    assert str(problem.location) == "permissions/roles.yaml:3:3"


def test_without_any_cognito_mapping_grantability_is_unknown_and_skipped(tmp_path):
    ctx = _context(tmp_path, "roles:\n  viewer: {}\n")
    result = lint(ctx)
    assert "role-not-grantable" in dict(result.skipped)


def test_session_variables_without_a_source_are_never_emitted(tmp_path):
    ctx = _context(
        tmp_path,
        """\
        session:
          x-hasura-org-id: {type: integer, description: no source yet}
        roles:
          viewer: {cognito_groups: [viewers]}
        """,
        tables="select:\n  viewer: {columns: [id], filter: {org_id: {_eq: X-Hasura-Org-Id}}}\n",
    )
    [problem] = found(ctx, "unemitted-session-variable")
    assert str(problem.location) == "permissions/tables/projects.yaml:3:3"
    assert "declared at permissions/roles.yaml:2:3 without `from:`" in problem.message


def test_an_unused_role(tmp_path):
    ctx = _context(
        tmp_path,
        """\
        roles:
          viewer: {cognito_groups: [viewers]}
          ghost: {cognito_groups: [ghosts]}
        """,
        tables="select:\n  viewer: {columns: [id], filter: {}}\n",
    )
    [problem] = found(ctx, "unused-role")
    assert problem.role == "ghost" and str(problem.location) == "permissions/roles.yaml:3:3"


def test_a_project_that_does_not_compile_is_an_error_not_a_finding(tmp_path):
    with pytest.raises(SpecError, match="built-in superuser"):
        _context(tmp_path, "roles:\n  admin: {cognito_groups: [admins]}\n")


def test_inherited_and_default_rules_point_at_the_rule_that_produced_them(tmp_path):
    ctx = _context(
        tmp_path,
        """\
        roles:
          viewer: {cognito_groups: [viewers]}
          editor: {inherits: viewer, cognito_groups: [editors]}
        """,
        defaults="defaults:\n  - tables: public.*\n    select:\n      viewer: {columns: [id], filter: {}}\n"
        "    update:\n      viewer: {columns: [name], filter: {}}\n",
    )
    problems = found(ctx, "unfiltered-write")
    # editor inherits the very rule: one finding, at the default that grants it
    assert subjects(problems) == ["public.projects update viewer"]
    assert {str(p.location) for p in problems} == {"permissions/defaults.yaml:6:7"}
    assert problems[0].origin == "from default `public.*`"


def test_nested_inherited_roles_take_their_parents_inherited_rules(tmp_path):
    # real-project shape (a tournament manager): administrator <- organizer <- user; the
    # organizer's select on a table comes from user through two levels
    from hasura_perm.lint.sources import context_from_metadata
    from tests.helpers import write
    from tests.helpers import write_metadata
    from tests.lint.lintkit import table

    matches = table(
        "public.matches",
        select={"user": {"columns": ["id"], "filter": {}}},
        update={"organizer": {"columns": ["name"], "filter": {}}},
    )
    write_metadata(tmp_path / "metadata", {"public.matches": matches})
    write(
        tmp_path / "metadata",
        "inherited_roles.yaml",
        "- role_name: organizer\n  role_set: [player]\n- role_name: player\n  role_set: [user]\n",
    )
    ctx = context_from_metadata(tmp_path / "metadata")
    grant = ctx.grant(ctx.grants[0].table, "select", "organizer")
    assert grant is not None and grant.origin == "inherited from player"
    assert found(ctx, "write-without-select") == []


def test_without_a_schema_an_object_relationship_reaches_the_table_whose_array_comes_back(
    tmp_path,
):
    # real-project shape (a team manager): `team_roster.team` by foreign key column, and
    # `teams.roster` back by {table, column}; `role` in the filter is team_roster's column
    # (teams has a session-aware computed field of that name, which must not be taken)
    from tests.lint.lintkit import context
    from tests.lint.lintkit import table

    teams = table(
        "public.teams",
        array_relationships=[
            {
                "name": "roster",
                "using": {
                    "foreign_key_constraint_on": {"table": "team_roster", "column": "team_id"}
                },
            }
        ],
        computed_fields=[
            {
                "name": "role",
                "definition": {
                    "function": {"schema": "public", "name": "team_role"},
                    "session_argument": "hasura_session",
                },
            }
        ],
    )
    any_admin = {"team": {"roster": {"role": {"_eq": "Admin"}}}}
    roster = table(
        "public.team_roster",
        object_relationships=[{"name": "team", "using": {"foreign_key_constraint_on": "team_id"}}],
        select={"user": {"columns": ["id"], "filter": {"player_id": {"_eq": "X-Hasura-User-Id"}}}},
        update={"user": {"columns": ["status"], "filter": any_admin, "check": any_admin}},
    )
    ctx = context(tmp_path, teams, roster, schema=None)
    relation = ctx.table(ctx.grants[0].table).relationships["team"]
    assert str(relation.target) == "public.teams"
    assert subjects(found(ctx, "owned-rows-writable")) == ["public.team_roster update user"]


def test_an_inherited_select_keeps_the_largest_limit_a_parent_sets(tmp_path):
    # CombinedSelPermInfo's limit is `Maybe (Max Int)`: a parent without a limit adds none
    from hasura_perm.lint.sources import context_from_metadata
    from tests.helpers import write
    from tests.helpers import write_metadata
    from tests.lint.lintkit import table

    matches = table(
        "public.matches",
        select={
            "user": {"columns": ["id"], "filter": {}, "limit": 10},
            "guest": {"columns": ["id"], "filter": {}},
        },
    )
    write_metadata(tmp_path / "metadata", {"public.matches": matches})
    write(
        tmp_path / "metadata",
        "inherited_roles.yaml",
        "- role_name: both\n  role_set: [user, guest]\n",
    )
    ctx = context_from_metadata(tmp_path / "metadata")
    grant = ctx.grant(ctx.grants[0].table, "select", "both")
    assert grant is not None and grant.body.get("limit") == 10
