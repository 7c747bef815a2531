"""Project-mode rules about the permissions language itself: definitions and session
variables nothing uses, and columns that `all`/`all_except` newly grant (which compile
announces too)."""

from __future__ import annotations

from hasura_perm.lint.sources import context_from_project
from hasura_perm.spec.project import load_project
from tests.helpers import make_project
from tests.helpers import run_cli
from tests.helpers import schema_document
from tests.helpers import write
from tests.lint.lintkit import found
from tests.lint.lintkit import run
from tests.lint.lintkit import subjects

SCHEMA = {
    "public.documents": {
        "columns": {"id": "integer", "title": "text", "owner_id": "integer"},
        "primary_key": ["id"],
    }
}
WITH_TOKEN = {
    "public.documents": {
        "columns": {"id": "integer", "title": "text", "owner_id": "integer", "api_token": "text"},
        "primary_key": ["id"],
    }
}
ROLES = """\
session:
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
  x-hasura-org-id: {from: "custom:org_id", type: integer}
roles:
  viewer: {cognito_groups: [viewers]}
  editor: {cognito_groups: [editors]}
conditions:
  own: {owner_id: {_eq: x-hasura-user-db-id}}
  mine_too: {_and: [own]}
  published: {title: {_is_null: false}}
  stale: {_and: [published]}
column_sets:
  basics: [id, title]
  audit: [owner_id]
presets:
  stamp_owner: {owner_id: x-hasura-user-db-id}
  stamp_nothing: {title: untitled}
"""
DOCUMENTS = """\
table: public.documents
select:
  viewer: {columns: all, filter: {}}
  editor: {columns: basics, filter: mine_too}
insert:
  editor: {columns: [title], check: {}, set: stamp_owner}
"""


def _project(tmp_path, schema=SCHEMA):
    files = {"roles.yaml": ROLES, "tables/documents.yaml": DOCUMENTS}
    return make_project(tmp_path / "p", files, schema=schema)


def test_definitions_no_rule_uses_are_reported_where_they_are_defined(tmp_path):
    ctx = context_from_project(load_project(_project(tmp_path)))
    problems = found(ctx, "unused-definition")
    messages = sorted(p.message for p in problems)
    assert messages == [
        "column set `audit` is defined but no rule uses it",
        "condition `published` is defined but no rule uses it",  # used only by `stale`
        "condition `stale` is defined but no rule uses it",
        "preset `stamp_nothing` is defined but no rule uses it",
    ]
    # `own` is used through `mine_too`: not reported
    assert all(p.location.file == "permissions/roles.yaml" for p in problems)


def test_session_variables_no_permission_uses(tmp_path):
    ctx = context_from_project(load_project(_project(tmp_path)))
    [problem] = found(ctx, "unused-session-variable")
    assert "`x-hasura-org-id`" in problem.message
    assert problem.level == "info"


def test_metadata_mode_skips_the_project_only_rules(tmp_path):
    from tests.lint.lintkit import context
    from tests.lint.lintkit import table

    ctx = context(tmp_path, table("public.notes"))
    for rule in ("unused-definition", "unused-session-variable", "new-column-exposed"):
        assert "permissions/" in dict(run(ctx, rule).skipped)[rule]


def test_a_column_added_to_the_schema_and_picked_up_by_all_is_reported(tmp_path):
    root = _project(tmp_path)
    assert run_cli("--project", str(root), "compile").code == 0
    # a migration adds documents.api_token and the snapshot is pulled again
    write(root, "permissions/schema.yaml", schema_document(WITH_TOKEN))
    ctx = context_from_project(load_project(root))
    [problem] = found(ctx, "new-column-exposed")
    assert problem.message == "viewer now reads documents.api_token (new column)"
    assert subjects([problem]) == ["public.documents select viewer"]
    assert str(problem.location).startswith("permissions/tables/documents.yaml:3:")
    # compile says so too, when it writes it; afterwards lint is quiet
    compiled = run_cli("--project", str(root), "compile")
    assert "notice: viewer now reads documents.api_token (new column)" in compiled.err
    ctx = context_from_project(load_project(root))
    assert found(ctx, "new-column-exposed") == []


def test_explicit_column_lists_and_new_rules_are_not_exposures(tmp_path):
    root = _project(tmp_path)
    run_cli("--project", str(root), "compile")
    write(root, "permissions/schema.yaml", schema_document(WITH_TOKEN))
    # editor's select lists its columns: the new column is not picked up
    ctx = context_from_project(load_project(root))
    assert [p.role for p in found(ctx, "new-column-exposed")] == ["viewer"]
