"""Rules into Hasura permissions, through real projects on disk: columns and column sets,
presets, every Hasura permission field, export key order, and validation of the rules.

Roles and inheritance are in tests/spec/resolve_test.py, boolean expressions in
tests/boolexp/validate_test.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from tests.helpers import NOTES_METADATA
from tests.helpers import USERS_METADATA
from tests.helpers import assert_problem
from tests.helpers import build_project
from tests.helpers import column_of
from tests.helpers import line_of
from tests.helpers import make_project
from tests.helpers import permission
from tests.helpers import problems_of
from tests.helpers import run_cli
from tests.helpers import table_file

ROLES = """\
session:
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
  x-hasura-org-id: {from: "custom:org_id", type: integer}
roles:
  viewer: {}
  editor: {inherits: viewer}
"""
DEFINITIONS = """\
column_sets:
  audit: [created_at, created_by, updated_by]
  keys: [id, org_id]
  everywhere: [id, updated_at]
presets:
  stamp: {created_by: x-hasura-user-db-id, updated_by: x-hasura-user-db-id}
  live: {is_deleted: false}
"""
NOTES = "permissions/tables/notes.yaml"
DEFINITIONS_FILE = "permissions/definitions.yaml"
ALL_NOTES_COLUMNS = [
    "author_id",
    "body",
    "created_at",
    "created_by",
    "id",
    "is_deleted",
    "org_id",
    "score",
    "title",
    "updated_by",
]


def project(tmp_path: Path, notes: str | None = None, metadata: bool = True, **files: str) -> Path:
    contents = {"roles.yaml": ROLES, "definitions.yaml": DEFINITIONS}
    if notes is not None:
        contents["tables/notes.yaml"] = notes
    contents.update({f"{k.replace('__', '/')}.yaml": v for k, v in files.items()})
    tables = {"public.notes": NOTES_METADATA, "public.users": USERS_METADATA}
    return make_project(tmp_path / "project", contents, metadata=tables if metadata else None)


def select_columns(tmp_path: Path, columns: str, table: str = "notes") -> list[str]:
    text = f"table: public.{table}\nselect:\n  viewer:\n    columns: {columns}\n    filter: {{}}\n"
    if table == "notes":
        result = build_project(project(tmp_path, text))
    else:
        result = build_project(project(tmp_path, **{f"tables__{table}": text}))
    return permission(result, f"public.{table}", "select", "viewer")["columns"]


def notes_select_problems(tmp_path: Path, columns: str):
    text = f"table: public.notes\nselect:\n  viewer:\n    columns: {columns}\n    filter: {{}}\n"
    root = project(tmp_path, text)
    return root, problems_of(root)


# -------------------------------------------------------------------- columns


def test_all_expands_from_the_snapshot_sorted(tmp_path: Path) -> None:
    columns = select_columns(tmp_path, "all")
    assert columns == ALL_NOTES_COLUMNS
    assert "*" not in columns


def test_all_follows_the_snapshot(tmp_path: Path) -> None:
    root = project(tmp_path, "table: public.notes\nselect:\n  viewer: {columns: all, filter: {}}\n")
    snapshot = root / "permissions" / "schema.yaml"
    snapshot.write_text(
        snapshot.read_text().replace(
            "      title: text\n", "      title: text\n      secret: text\n"
        )
    )
    columns = permission(build_project(root), "public.notes", "select", "viewer")["columns"]
    assert "secret" in columns and columns == sorted(columns)


def test_all_except_with_columns_and_sets(tmp_path: Path) -> None:
    assert select_columns(tmp_path, "{all_except: [body, audit]}") == [
        "author_id",
        "id",
        "is_deleted",
        "org_id",
        "score",
        "title",
    ]


def test_all_except_ignores_set_members_the_table_lacks(tmp_path: Path) -> None:
    # `everywhere` names updated_at, which notes does not have.
    assert select_columns(tmp_path, "{all_except: [everywhere]}") == [
        c for c in ALL_NOTES_COLUMNS if c != "id"
    ]


def test_column_set_inside_a_list_is_expanded_deduplicated_and_sorted(tmp_path: Path) -> None:
    assert select_columns(tmp_path, "[title, audit, created_at, keys]") == [
        "created_at",
        "created_by",
        "id",
        "org_id",
        "title",
        "updated_by",
    ]


def test_column_set_as_a_bare_name(tmp_path: Path) -> None:
    assert select_columns(tmp_path, "audit") == ["created_at", "created_by", "updated_by"]


def test_single_column_as_a_bare_name(tmp_path: Path) -> None:
    assert select_columns(tmp_path, "title") == ["title"]


def test_column_set_member_missing_from_the_table(tmp_path: Path) -> None:
    root, problems = notes_select_problems(tmp_path, "[title, everywhere]")
    assert_problem(
        problems,
        NOTES,
        4,
        "column set `everywhere` names `updated_at`, which public.notes does not have",
        column=column_of(root / NOTES, "everywhere"),
    )


def test_unknown_column_with_suggestion(tmp_path: Path) -> None:
    root, problems = notes_select_problems(tmp_path, "[id, titel]")
    assert_problem(
        problems,
        NOTES,
        4,
        "unknown column `titel` on public.notes; did you mean `title`?",
        column=column_of(root / NOTES, "titel"),
    )


def test_unknown_column_in_all_except(tmp_path: Path) -> None:
    root, problems = notes_select_problems(tmp_path, "{all_except: [id, bdy]}")
    assert_problem(
        problems,
        NOTES,
        4,
        "unknown column `bdy` on public.notes; did you mean `body`?",
        column=column_of(root / NOTES, "bdy"),
    )


def test_star_is_not_a_column(tmp_path: Path) -> None:
    _, problems = notes_select_problems(tmp_path, "'*'")
    assert_problem(problems, NOTES, 4, "unknown column `*` on public.notes")


def test_column_set_named_like_a_column(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "table: public.notes\nselect:\n  viewer: {columns: [title], filter: {}}\n",
        more="column_sets:\n  title: [id]\n",
    )
    assert_problem(
        problems_of(root),
        NOTES,
        3,
        "`title` is both a column of public.notes and a column set; rename the set",
    )


def test_unknown_column_in_a_default_names_the_table(tmp_path: Path) -> None:
    defaults = "defaults:\n  - tables: public.*\n    select:\n      viewer: {columns: [id, title], filter: {}}\n"
    root = project(tmp_path, defaults=defaults)
    problems = problems_of(root)
    line = line_of(root / "permissions/defaults.yaml", "viewer:")
    for table in ("public.moped_proj_notes", "public.moped_project", "public.users"):
        assert_problem(
            problems,
            "permissions/defaults.yaml",
            line,
            f"unknown column `title` on {table} (applied to {table})",
        )
    assert len(problems) == 3


# -------------------------------------------------------------------- presets


def insert_set(tmp_path: Path, set_value: str) -> dict:
    text = f"table: public.notes\ninsert:\n  editor:\n    columns: [title]\n    check: {{}}\n    set: {set_value}\n"
    result = build_project(project(tmp_path, text))
    return permission(result, "public.notes", "insert", "editor")["set"]


def insert_set_problems(tmp_path: Path, set_value: str):
    text = f"table: public.notes\ninsert:\n  editor:\n    columns: [title]\n    check: {{}}\n    set: {set_value}\n"
    root = project(tmp_path, text)
    return root, problems_of(root)


def test_preset_by_name(tmp_path: Path) -> None:
    assert insert_set(tmp_path, "stamp") == {
        "created_by": "x-hasura-user-db-id",
        "updated_by": "x-hasura-user-db-id",
    }


def test_inline_preset_sorted(tmp_path: Path) -> None:
    result = insert_set(tmp_path, "{org_id: X-Hasura-Org-Id, is_deleted: false, score: 1.5}")
    assert result == {"is_deleted": False, "org_id": "X-Hasura-Org-Id", "score": 1.5}
    assert list(result) == ["is_deleted", "org_id", "score"]


def test_preset_list_merges_in_order(tmp_path: Path) -> None:
    assert insert_set(
        tmp_path, "[stamp, live, {org_id: x-hasura-org-id, created_by: x-hasura-user-db-id}]"
    ) == {
        "created_by": "x-hasura-user-db-id",
        "is_deleted": False,
        "org_id": "x-hasura-org-id",
        "updated_by": "x-hasura-user-db-id",
    }


def test_conflicting_presets(tmp_path: Path) -> None:
    root, problems = insert_set_problems(tmp_path, "[stamp, {created_by: 7}]")
    assert_problem(
        problems,
        NOTES,
        6,
        "column `created_by` is preset twice with different values",
        column=column_of(root / NOTES, "created_by"),
    )


def test_conflict_between_two_named_presets(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "table: public.notes\ninsert:\n  editor: {columns: [title], check: {}, set: [stamp, mine]}\n",
        more="presets:\n  mine: {created_by: 1}\n",
    )
    assert_problem(
        problems_of(root),
        "permissions/more.yaml",
        2,
        "column `created_by` is preset twice with different values",
    )


def test_unknown_preset_with_suggestion(tmp_path: Path) -> None:
    _, problems = insert_set_problems(tmp_path, "stmp")
    assert_problem(problems, NOTES, 6, "unknown preset `stmp`; did you mean `stamp`?")


def test_preset_of_an_unknown_column(tmp_path: Path) -> None:
    root, problems = insert_set_problems(tmp_path, "{titel: x}")
    assert_problem(
        problems,
        NOTES,
        6,
        "unknown column `titel` on public.notes; did you mean `title`?",
        column=column_of(root / NOTES, "titel"),
    )


def test_named_preset_of_an_unknown_column_points_at_the_preset(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "table: public.notes\ninsert:\n  editor: {columns: [title], check: {}, set: bad}\n",
        more="presets:\n  bad: {creator: x-hasura-user-db-id}\n",
    )
    assert_problem(
        problems_of(root), "permissions/more.yaml", 2, "unknown column `creator` on public.notes"
    )


def test_preset_with_an_undeclared_session_variable(tmp_path: Path) -> None:
    _, problems = insert_set_problems(tmp_path, "{org_id: x-hasura-tenant-id}")
    assert_problem(
        problems,
        NOTES,
        6,
        "session variable `x-hasura-tenant-id` is not declared; declare it under `session:`",
    )


def test_preset_session_variable_is_case_insensitive(tmp_path: Path) -> None:
    assert insert_set(tmp_path, "{org_id: X-HASURA-ORG-ID}") == {"org_id": "X-HASURA-ORG-ID"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{is_deleted: maybe}", "'maybe' is not a valid boolean value"),
        ("{org_id: many}", "'many' is not a valid integer value"),
    ],
)
def test_preset_literal_must_fit_the_column(tmp_path: Path, value: str, message: str) -> None:
    # Hasura parses preset values with the column's type when the permission is created.
    _, problems = insert_set_problems(tmp_path, value)
    assert_problem(problems, NOTES, 6, message)


def test_a_preset_written_as_a_string_is_kept_as_written(tmp_path: Path) -> None:
    # The Hasura console writes every preset as a string; Hasura sends it to Postgres as
    # text cast to the column type (parsePGValue falls back to PGValUnknown), so it is valid
    # when Postgres can cast it.
    preset = "{org_id: '9', is_deleted: 'True', score: ' 1.5 '}"
    assert insert_set(tmp_path, preset) == {"org_id": "9", "is_deleted": "True", "score": " 1.5 "}


# ----------------------------------------------------------- permission fields


FULL_NOTES = """\
table: public.notes
select:
  viewer:
    comment: Viewers read live notes
    subscription_root_fields: [select_stream, select]
    query_root_fields: [select_by_pk, select]
    allow_aggregations: true
    limit: 10
    filter: {title: {_ilike: '%a%'}, is_deleted: {_eq: false}}
    computed_fields: [title_upper]
    columns: [title, id]
insert:
  editor:
    validate_input: {type: http, definition: {url: 'https://validate.example/notes'}}
    backend_only: true
    columns: [title, body]
    set: {updated_by: x-hasura-user-db-id, created_by: x-hasura-user-db-id}
    check: {author_id: {_eq: x-hasura-user-db-id}}
update:
  editor:
    validate_input: {type: http, definition: {url: 'https://validate.example/notes'}}
    backend_only: true
    set: {updated_by: x-hasura-user-db-id}
    check: {author_id: {_eq: x-hasura-user-db-id}}
    filter: {author_id: {_eq: x-hasura-user-db-id}}
    columns: [title, body]
  viewer:
    columns: [body]
    filter: {}
delete:
  editor:
    comment: Own notes only
    validate_input: {type: http, definition: {url: 'https://validate.example/notes'}}
    backend_only: true
    filter: {author_id: {_eq: x-hasura-user-db-id}}
"""

EXPECTED_NOTES_PERMISSIONS = """\
insert_permissions:
  - role: editor
    permission:
      check:
        author_id:
          _eq: x-hasura-user-db-id
      set:
        created_by: x-hasura-user-db-id
        updated_by: x-hasura-user-db-id
      columns:
        - body
        - title
      backend_only: true
      validate_input:
        definition:
          forward_client_headers: false
          headers: []
          timeout: 10
          url: https://validate.example/notes
        type: http
select_permissions:
  - role: editor
    permission:
      columns:
        - id
        - title
      computed_fields:
        - title_upper
      filter:
        is_deleted:
          _eq: false
        title:
          _ilike: '%a%'
      limit: 10
      allow_aggregations: true
      query_root_fields:
        - select
        - select_by_pk
      subscription_root_fields:
        - select
        - select_stream
    comment: Viewers read live notes
  - role: viewer
    permission:
      columns:
        - id
        - title
      computed_fields:
        - title_upper
      filter:
        is_deleted:
          _eq: false
        title:
          _ilike: '%a%'
      limit: 10
      allow_aggregations: true
      query_root_fields:
        - select
        - select_by_pk
      subscription_root_fields:
        - select
        - select_stream
    comment: Viewers read live notes
update_permissions:
  - role: editor
    permission:
      columns:
        - body
        - title
      filter:
        author_id:
          _eq: x-hasura-user-db-id
      check:
        author_id:
          _eq: x-hasura-user-db-id
      set:
        updated_by: x-hasura-user-db-id
      backend_only: true
      validate_input:
        definition:
          forward_client_headers: false
          headers: []
          timeout: 10
          url: https://validate.example/notes
        type: http
  - role: viewer
    permission:
      columns:
        - body
      filter: {}
      check: null
delete_permissions:
  - role: editor
    permission:
      filter:
        author_id:
          _eq: x-hasura-user-db-id
      backend_only: true
      validate_input:
        definition:
          forward_client_headers: false
          headers: []
          timeout: 10
          url: https://validate.example/notes
        type: http
    comment: Own notes only
"""


def test_every_field_reaches_the_metadata_in_export_order(tmp_path: Path) -> None:
    root = project(tmp_path, FULL_NOTES)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err
    assert (
        table_file(root, "public.notes").read_text() == NOTES_METADATA + EXPECTED_NOTES_PERMISSIONS
    )


def test_compiled_bodies_have_export_key_order(tmp_path: Path) -> None:
    result = build_project(project(tmp_path, FULL_NOTES))
    orders = {
        action: list(permission(result, "public.notes", action, "editor"))
        for action in ("insert", "select", "update", "delete")
    }
    assert orders == {
        "insert": ["check", "set", "columns", "backend_only", "validate_input"],
        "select": [
            "columns",
            "computed_fields",
            "filter",
            "limit",
            "allow_aggregations",
            "query_root_fields",
            "subscription_root_fields",
        ],
        "update": ["columns", "filter", "check", "set", "backend_only", "validate_input"],
        "delete": ["filter", "backend_only", "validate_input"],
    }


def test_defaults_are_omitted(tmp_path: Path) -> None:
    notes = """\
table: public.notes
select:
  viewer: {columns: [id], filter: {}, allow_aggregations: false}
insert:
  viewer: {columns: [id], check: {}, backend_only: false, set: []}
update:
  viewer: {columns: [id], filter: {}, backend_only: false, set: {}}
delete:
  viewer: {filter: {}, backend_only: false}
"""
    result = build_project(project(tmp_path, notes))
    bodies = {
        action: permission(result, "public.notes", action, "viewer")
        for action in ("insert", "select", "update", "delete")
    }
    assert bodies == {
        "insert": {"check": {}, "columns": ["id"]},
        "select": {"columns": ["id"], "filter": {}},
        "update": {"columns": ["id"], "filter": {}, "check": None},
        "delete": {"filter": {}},
    }


def test_empty_root_fields_mean_none_and_are_kept(tmp_path: Path) -> None:
    notes = "table: public.notes\nselect:\n  viewer: {columns: [id], filter: {}, query_root_fields: [], subscription_root_fields: []}\n"
    body = permission(build_project(project(tmp_path, notes)), "public.notes", "select", "viewer")
    assert body["query_root_fields"] == [] and body["subscription_root_fields"] == []


def test_comment_is_written_only_when_given(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "table: public.notes\ndelete:\n  viewer: {filter: {}}\n  editor: {filter: {}, comment: 'Editors: all'}\n",
    )
    assert run_cli("--project", str(root), "compile").code == 0
    text = table_file(root, "public.notes").read_text()
    assert text.endswith(
        "delete_permissions:\n"
        "  - role: editor\n    permission:\n      filter: {}\n    comment: 'Editors: all'\n"
        "  - role: viewer\n    permission:\n      filter: {}\n"
    )


def test_unknown_computed_field_with_suggestion(tmp_path: Path) -> None:
    notes = "table: public.notes\nselect:\n  viewer:\n    columns: [id]\n    filter: {}\n    computed_fields: [title_uper]\n"
    root = project(tmp_path, notes)
    assert_problem(
        problems_of(root),
        NOTES,
        6,
        "unknown computed field `title_uper` on public.notes; did you mean `title_upper`?",
        column=column_of(root / NOTES, "title_uper"),
    )


def test_computed_field_needs_the_table_metadata(tmp_path: Path) -> None:
    notes = "table: public.notes\nselect:\n  viewer: {columns: [id], filter: {}, computed_fields: [title_upper]}\n"
    root = project(tmp_path, notes, metadata=False)
    assert_problem(
        problems_of(root),
        NOTES,
        3,
        "unknown computed field `title_upper` on public.notes; add it to the table metadata first",
    )


def test_computed_field_in_a_filter(tmp_path: Path) -> None:
    notes = (
        "table: public.notes\nselect:\n  viewer: {columns: [id], filter: {title_upper: {_eq: A}}}\n"
    )
    body = permission(build_project(project(tmp_path, notes)), "public.notes", "select", "viewer")
    assert body["filter"] == {"title_upper": {"_eq": "A"}}


def test_same_rule_for_several_roles_compiles_independently(tmp_path: Path) -> None:
    defaults = "defaults:\n  - tables: [public.notes, public.users]\n    select:\n      viewer: {columns: all, filter: {}}\n"
    result = build_project(project(tmp_path, defaults=defaults))
    assert permission(result, "public.notes", "select", "viewer")["columns"] == ALL_NOTES_COLUMNS
    assert permission(result, "public.users", "select", "viewer")["columns"] == [
        "email",
        "id",
        "is_active",
        "legacy",
        "name",
        "org_id",
        "profile",
        "tags",
    ]


# ------------------------------------------------------- rule shape (JSON Schema)


@pytest.mark.parametrize(
    ("rule", "needle", "message"),
    [
        (
            "select:\n  viewer:\n    columns: all\n",
            "viewer:",
            "missing required key `filter` in `viewer`",
        ),
        (
            "select:\n  viewer:\n    columns: all\n    filter: {}\n    limt: 5\n",
            "limt:",
            "unknown key `limt` in `viewer`; did you mean `limit`?",
        ),
        (
            "select:\n  viewer:\n    columns: all\n    filter: {}\n    limit: -1\n",
            "limit:",
            "-1 is too small in `limit`; the minimum is 0",
        ),
        (
            "select:\n  viewer:\n    columns: all\n    filter: {}\n    query_root_fields: [select, by_pk]\n",
            "query_root_fields",
            "`by_pk` is not allowed in `query_root_fields`; expected one of: select, select_by_pk, select_aggregate",
        ),
        (
            "delete:\n  viewer:\n    filter: {}\n    columns: all\n",
            "columns:",
            "unknown key `columns` in `viewer`; allowed keys: backend_only, comment, filter, validate_input",
        ),
        (
            "insert:\n  viewer:\n    columns: all\n    check: {}\n    validate_input: {type: grpc, definition: {url: x}}\n",
            "validate_input",
            "expected `http` in `type`, found `grpc`",
        ),
        (
            "select:\n  viewer:\n    columns: 5\n    filter: {}\n",
            "columns:",
            "`5` is not valid in `columns`",
        ),
        (
            "select:\n  viewer:\n    columns: all\n    filter: {}\n    backend_only: true\n",
            "backend_only",
            "unknown key `backend_only`",
        ),
        (
            "update:\n  viewer:\n    columns: all\n    filter: {}\n    check: null\n",
            "check:",
            "in `check`",
        ),
        ("select:\n  viewer: denied\n", "viewer:", "expected `deny` in `viewer`, found `denied`"),
    ],
    ids=[
        "missing-filter",
        "unknown-key",
        "limit-zero",
        "bad-root-field",
        "delete-columns",
        "validate-input-type",
        "columns-number",
        "select-backend-only",
        "null-check",
        "deny-typo",
    ],
)
def test_rule_shape_problems_say_what_is_wrong(
    tmp_path: Path, rule: str, needle: str, message: str
) -> None:
    root = project(tmp_path, "table: public.notes\n" + rule)
    problems = problems_of(root)
    assert_problem(problems, NOTES, line_of(root / NOTES, needle), message)
    assert len(problems) == 1


def test_unknown_top_level_key_with_suggestion(tmp_path: Path) -> None:
    root = project(tmp_path, "table: public.notes\nselct:\n  viewer: deny\n")
    assert_problem(problems_of(root), NOTES, 2, "unknown key `selct`; did you mean `select`?")


def test_unknown_definitions_key_with_suggestion(tmp_path: Path) -> None:
    root = project(tmp_path, more="rolse:\n  x: {}\n")
    assert_problem(
        problems_of(root), "permissions/more.yaml", 1, "unknown key `rolse`; did you mean `roles`?"
    )


def test_role_defined_twice_across_files(tmp_path: Path) -> None:
    root = project(tmp_path, zz_roles="roles:\n  editor: {}\n")
    assert_problem(
        problems_of(root),
        "permissions/zz_roles.yaml",
        2,
        "role `editor` is already defined at permissions/roles.yaml:6:3",
    )


def test_definitions_split_across_files_and_yml_extension(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "permissions" / "extra.yml").write_text(
        "table: public.notes\nselect:\n  viewer: {columns: keys, filter: {}}\n"
    )
    (root / "permissions" / "empty.yaml").write_text("# nothing yet\n")
    result = build_project(root)
    assert permission(result, "public.notes", "select", "editor")["columns"] == ["id", "org_id"]


def test_permission_tests_folder_is_not_read(tmp_path: Path) -> None:
    root = project(tmp_path, "table: public.notes\ndelete:\n  viewer: {filter: {}}\n")
    (root / "permissions" / "tests").mkdir()
    (root / "permissions" / "tests" / "case.yaml").write_text("this: [is not, a rule file\n")
    assert build_project(root).compiled.tables


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "table: public.notes\nselect:\n  viewer: {columns: [titel], filter: {bdy: {_eq: x}}}\n",
        tables__users="table: public.users\ndelete:\n  ghost: {filter: {}}\n",
    )
    problems = problems_of(root)
    assert_problem(problems, NOTES, 3, "unknown column `titel`")
    assert_problem(problems, NOTES, 3, "unknown column or relationship `bdy`")
    assert_problem(problems, "permissions/tables/users.yaml", 3, "unknown role `ghost`")


# --------------------------------------------------------------- project inputs


def test_missing_permissions_folder(tmp_path: Path) -> None:
    config = "version: 1\npermissions: rules\nschema: permissions/schema.yaml\n"
    root = make_project(tmp_path / "p", {}, config=config)
    with pytest.raises(HasuraPermError) as caught:
        build_project(root)
    message = str(caught.value)
    assert message.startswith(f"permissions folder {root.resolve() / 'rules'} does not exist")
    assert "`permissions:` in hasura-perm.yaml" in message


def test_missing_schema_snapshot(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "permissions" / "schema.yaml").unlink()
    with pytest.raises(HasuraPermError) as caught:
        build_project(root)
    message = str(caught.value)
    assert message.startswith("schema snapshot permissions/schema.yaml does not exist")
    assert "hasura-perm schema pull" in message


def test_invalid_schema_snapshot(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p",
        {"roles.yaml": ROLES},
        schema="tables:\n  public.notes:\n    columns: {id: integer}\n    primary_kee: [id]\n",
    )
    with pytest.raises(SpecError) as caught:
        build_project(root)
    first, *_ = caught.value.problems
    location, message = first.location, first.message
    assert (location.file, location.line) == ("permissions/schema.yaml", 4)
    assert "unknown key `primary_kee`" in message and "did you mean `primary_key`?" in message


# ----------------------------------------------------------- Hasura's create-time validations


def root_field_problems(tmp_path: Path, rule: str, table: str = "notes"):
    text = f"table: public.{table}\nselect:\n  viewer:\n{rule}"
    files = {f"tables__{table}": text} if table != "notes" else {}
    root = project(tmp_path, text if table == "notes" else None, **files)
    return problems_of(root), f"permissions/tables/{table}.yaml"


@pytest.mark.parametrize("key", ["query_root_fields", "subscription_root_fields"])
def test_select_by_pk_needs_every_primary_key_column(tmp_path: Path, key: str) -> None:
    """validateAllowedRootFields (RQL/DDL/Permission.hs): Hasura refuses the permission."""
    rule = f"    columns: [title]\n    filter: {{}}\n    {key}: [select, select_by_pk]\n"
    problems, file = root_field_problems(tmp_path, rule)
    assert_problem(problems, file, 6, f"`select_by_pk` in {key}", "lacks `id`")


def test_select_by_pk_on_a_table_without_primary_key_is_refused(tmp_path: Path) -> None:
    rule = "    columns: all\n    filter: {}\n    query_root_fields: [select_by_pk]\n"
    problems, file = root_field_problems(tmp_path, rule, table="moped_project")
    assert_problem(problems, file, 6, "public.moped_project has none")


@pytest.mark.parametrize("key", ["query_root_fields", "subscription_root_fields"])
def test_select_aggregate_needs_allow_aggregations(tmp_path: Path, key: str) -> None:
    rule = f"    columns: [id]\n    filter: {{}}\n    {key}: [select_aggregate]\n"
    problems, file = root_field_problems(tmp_path, rule)
    assert_problem(problems, file, 6, f"`select_aggregate` in {key}", "allow_aggregations: true")


def test_root_fields_hasura_accepts_compile_accepts(tmp_path: Path) -> None:
    """select_stream needs nothing; select_by_pk with the key selected and select_aggregate with
    allow_aggregations are fine; no list at all means every root field, unchecked."""
    rule = (
        "    columns: [id, title]\n    filter: {}\n    allow_aggregations: true\n"
        "    query_root_fields: [select_by_pk, select_aggregate]\n"
        "    subscription_root_fields: [select_stream]\n"
    )
    result = build_project(project(tmp_path, f"table: public.notes\nselect:\n  viewer:\n{rule}"))
    body = permission(result, "public.notes", "select", "viewer")
    assert body["query_root_fields"] == ["select_aggregate", "select_by_pk"]
    no_key = "    columns: all\n    filter: {}\n    subscription_root_fields: [select_stream]\n"
    text = f"table: public.moped_project\nselect:\n  viewer:\n{no_key}"
    built = build_project(project(tmp_path / "b", tables__moped_project=text))
    assert permission(built, "public.moped_project", "select", "viewer")["columns"] == [
        "id",
        "name",
        "project_id",
    ]


def test_validate_input_keys_hasura_does_not_read_are_refused(tmp_path: Path) -> None:
    rule = (
        "table: public.notes\ndelete:\n  editor:\n    filter: {}\n    validate_input:\n"
        "      type: http\n      definition: {url: 'https://v.example', timout: 5}\n"
    )
    problems = problems_of(project(tmp_path, rule))
    assert any(p.file == NOTES and p.line == 7 and "timout" in p.message for p in problems)


GENERATED_SCHEMA = {
    "public.ledger": {
        "columns": {"id": "bigint", "amount": "numeric", "doubled": "numeric", "note": "text"},
        "primary_key": ["id"],
        "generated": ["id", "doubled"],
    }
}


def ledger_build(tmp_path: Path, rules: str):
    text = f"table: public.ledger\n{rules}"
    files = {"roles.yaml": ROLES, "definitions.yaml": DEFINITIONS, "tables/ledger.yaml": text}
    return make_project(tmp_path / "project", files, schema=GENERATED_SCHEMA)


def test_all_leaves_out_columns_hasura_cannot_write(tmp_path: Path) -> None:
    """buildInsPermInfo/buildUpdPermInfo: Hasura's `*` means the insertable/updatable columns;
    identity ALWAYS and stored generated columns are neither (pg_table_metadata.sql)."""
    rules = (
        "select:\n  viewer: {columns: all, filter: {}}\n"
        "insert:\n  editor: {columns: all, check: {}}\n"
        "update:\n  editor: {columns: {all_except: [note]}, filter: {}}\n"
    )
    result = build_project(ledger_build(tmp_path, rules))
    assert permission(result, "public.ledger", "select", "viewer")["columns"] == [
        "amount",
        "doubled",
        "id",
        "note",
    ]
    assert permission(result, "public.ledger", "insert", "editor")["columns"] == ["amount", "note"]
    assert permission(result, "public.ledger", "update", "editor")["columns"] == ["amount"]


@pytest.mark.parametrize("action", ["insert", "update"])
def test_naming_a_generated_column_for_writing_is_refused(tmp_path: Path, action: str) -> None:
    other = "check: {}" if action == "insert" else "filter: {}"
    rules = f"{action}:\n  editor:\n    columns: [amount, doubled]\n    {other}\n"
    problems = problems_of(ledger_build(tmp_path, rules))
    assert_problem(
        problems,
        "permissions/tables/ledger.yaml",
        4,
        "`doubled` of public.ledger is generated",
        f"Hasura refuses it in {action} columns",
    )
