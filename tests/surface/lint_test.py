"""Lint rules about the surface: introspection for anonymous visitors, actions whose answer
joins a table the caller cannot select, and roles used only through actions."""

from __future__ import annotations

from pathlib import Path

from hasura_perm.lint.sources import context_from_metadata
from hasura_perm.lint.sources import context_from_project
from hasura_perm.spec.project import load_project
from tests.helpers import make_project
from tests.helpers import write
from tests.lint.lintkit import found
from tests.lint.lintkit import run

ACTIONS_YAML = """\
actions:
  - name: upgrade_current_user
    definition:
      kind: synchronous
      handler: https://actions.example.org/upgrade
  - name: ping
    definition:
      kind: synchronous
      handler: https://actions.example.org/ping
custom_types:
  enums: []
  input_objects: []
  objects:
    - name: UpgradeUserResponse
      relationships:
        - remote_table:
            schema: public
            name: users
          name: user
          source: default
          type: object
          field_mapping:
            user_id: id
  scalars: []
"""
# The shape of acapela's actions.graphql: a description, arguments, a comment.
ACTIONS_GRAPHQL = '''\
type Mutation {
  """Upgrades the caller (plan: PRO)"""
  upgrade_current_user(plan: String!, # the plan
    seats: Int): UpgradeUserResponse
}

type Query {
  ping: Pong
}

type UpgradeUserResponse {
  user_id: Int!
}
'''


def project(tmp_path: Path, roles: str, actions: str = "actions: {}\n") -> Path:
    root = make_project(
        tmp_path,
        {
            "roles.yaml": roles,
            "actions.yaml": actions,
            "tables/notes.yaml": "table: public.notes\nselect:\n  member: {columns: [id], filter: {}}\n",
        },
        metadata={"public.notes": "table:\n  name: notes\n  schema: public\n"},
    )
    write(root, "metadata/actions.yaml", ACTIONS_YAML)
    write(root, "metadata/actions.graphql", ACTIONS_GRAPHQL)
    return root


def ctx_of(root: Path):  # noqa: ANN201
    return context_from_project(load_project(root))


def test_introspection_left_on_for_an_anonymous_role(tmp_path: Path) -> None:
    root = project(tmp_path, "roles:\n  anonymous: {}\n  member: {}\n")
    [problem] = found(ctx_of(root), "introspection-for-anonymous")
    assert problem.role == "anonymous"
    assert problem.location.file == "permissions/roles.yaml" and problem.location.line == 2
    fixed = project(tmp_path / "b", "roles:\n  anonymous: {introspection: false}\n  member: {}\n")
    assert found(ctx_of(fixed), "introspection-for-anonymous") == []


def test_action_whose_answer_joins_a_table_the_role_cannot_select(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "roles:\n  member: {}\n  visitor: {}\n",
        "actions:\n  upgrade_current_user:\n    member: {}\n    visitor: {}\n  ping:\n    visitor: {}\n",
    )
    problems = found(ctx_of(root), "action-hides-table")
    assert [(p.role, str(p.table)) for p in problems] == [
        ("member", "public.users"),
        ("visitor", "public.users"),
    ]
    assert "relationship `user`" in problems[0].message
    assert problems[0].location.file == "permissions/actions.yaml"
    write(
        root,
        "permissions/tables/users.yaml",
        "table: public.users\nselect:\n  member: {columns: [id], filter: {}}\n",
    )
    assert [p.role for p in found(ctx_of(root), "action-hides-table")] == ["visitor"]


def test_a_role_used_only_through_an_action_is_not_unused(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "roles:\n  member: {}\n  pinger: {}\n  idle: {}\n",
        "actions:\n  ping:\n    pinger: {}\n",
    )
    assert [p.role for p in found(ctx_of(root), "unused-role")] == ["idle"]


def test_surface_rules_are_skipped_with_a_reason_on_bare_metadata(tmp_path: Path) -> None:
    root = project(tmp_path, "roles:\n  member: {}\n")
    ctx = context_from_metadata(root / "metadata")
    for rule in ("introspection-for-anonymous", "action-hides-table"):
        result = run(ctx, rule)
        assert result.skipped and "permissions/" in result.skipped[0][1]


def test_a_combines_role_is_in_use_through_its_parents(tmp_path: Path) -> None:
    roles = (
        "roles:\n  member: {}\n  caller: {}\n  both: {combines: [member, caller]}\n"
        "  callers: {combines: caller}\n  idle: {}\n"
    )
    root = project(tmp_path, roles, "actions:\n  ping:\n    caller: {}\n")
    ctx = ctx_of(root)
    assert [p.role for p in found(ctx, "unused-role")] == ["idle"]
    # what Hasura derives is what lint sees: both may select notes, from member
    derived = [g for g in ctx.grants if g.role == "both"]
    assert [(str(g.table), g.action) for g in derived] == [("public.notes", "select")]
    assert "member" in derived[0].origin
