"""compile writes only what it owns into metadata/: table files keep everything else,
other files stay byte for byte, repeated compiles are stable, one rule changes one
rule's lines, and an error writes nothing."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.helpers import NOTES_RULES
from tests.helpers import ROLES
from tests.helpers import assert_problem
from tests.helpers import build_project
from tests.helpers import make_project
from tests.helpers import problems_of
from tests.helpers import run_cli
from tests.helpers import table_file
from tests.helpers import tree_bytes
from tests.helpers import tree_mtimes
from tests.helpers import write

# A table file as the CLI exports it, with every kind of non-permission content,
# a permission of a role hasura-perm does not know (legacy_role), and stale
# permissions of declared roles (viewer select, editor delete).
RICH_NOTES = """\
table:
  name: notes
  schema: public
configuration:
  column_config:
    title:
      custom_name: headline
  custom_root_fields:
    select: allNotes
object_relationships:
  - name: author
    using:
      foreign_key_constraint_on: author_id
computed_fields:
  - name: title_upper
    definition:
      function:
        name: note_title_upper
        schema: public
    comment: Upper-cased title
remote_relationships:
  - name: payments
    definition:
      to_remote_schema:
        lhs_fields:
          - id
        remote_field:
          payments:
            arguments:
              note_id: $id
        remote_schema: billing
select_permissions:
  - role: legacy_role
    permission:
      columns:
        - id
      filter: {}
    comment: Hand-made in the console
  - role: viewer
    permission:
      columns:
        - body
      filter: {}
delete_permissions:
  - role: editor
    permission:
      filter: {}
  - role: legacy_role
    permission:
      filter:
        id:
          _eq: 1
event_triggers:
  - name: notes_changed
    definition:
      enable_manual: false
      insert:
        columns: '*'
    retry_conf:
      interval_sec: 10
      num_retries: 0
      timeout_sec: 60
    webhook_from_env: NOTES_WEBHOOK
x_team_note: keep me
"""
OURS_SELECT = """\
  - role: editor
    permission:
      columns:
        - id
        - title
      filter: {}
"""
VIEWER_SELECT = """\
  - role: viewer
    permission:
      columns:
        - id
        - title
      filter: {}
"""
USERS_WITH_PERMISSIONS = """\
table:
  name: users
  schema: public
select_permissions:
  - role: viewer
    permission:
      columns:
        - id
      filter: {}
"""
OTHER_FILES = {
    "actions.graphql": "type Query {\n  ping: String\n}\n",
    "actions.yaml": "actions: []\ncustom_types:\n  enums: []\n",
    "remote_schemas.yaml": "- name: billing\n  definition:\n    url: https://billing.example/graphql\n",
    "query_collections.yaml": "[]\n",
    "databases/default/functions/functions.yaml": '- "!include public_note_title_upper.yaml"\n',
    "databases/default/functions/public_note_title_upper.yaml": "function:\n  name: note_title_upper\n  schema: public\n",
}


def rich_project(tmp_path: Path, notes_rules: str = NOTES_RULES) -> Path:
    root = make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/notes.yaml": notes_rules},
        metadata={"public.notes": RICH_NOTES, "public.users": USERS_WITH_PERMISSIONS},
    )
    for relative, text in OTHER_FILES.items():
        write(root / "metadata", relative, text)
    return root


def compile_(root: Path) -> None:
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err


def test_compile_keeps_everything_else_in_a_table_file(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    compile_(root)
    before_select, rest = RICH_NOTES.split("select_permissions:\n")
    _, after_delete = rest.split("event_triggers:\n")
    legacy_select = rest.split("  - role: viewer\n")[0]
    expected = (
        before_select
        + "select_permissions:\n"
        + OURS_SELECT
        + legacy_select
        + VIEWER_SELECT
        # editor's delete permission is ours and no rule gives it one: it is removed
        + "delete_permissions:\n"
        + "  - role: legacy_role\n    permission:\n      filter:\n        id:\n          _eq: 1\n"
        + "event_triggers:\n"
        + after_delete
    )
    assert table_file(root, "public.notes").read_text() == expected


def test_unknown_roles_keep_their_permissions_even_without_rules(tmp_path: Path) -> None:
    root = rich_project(tmp_path, "table: public.notes\n")
    compile_(root)
    text = table_file(root, "public.notes").read_text()
    assert "role: legacy_role" in text and "Hand-made in the console" in text
    assert "role: viewer" not in text and "role: editor" not in text


def test_other_metadata_files_are_untouched_byte_for_byte(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    before = tree_bytes(root / "metadata")
    compile_(root)
    after = tree_bytes(root / "metadata")
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"databases/default/tables/public_notes.yaml"}
    assert set(after) == set(before)


def test_unmanaged_table_with_declared_roles_is_left_alone_with_a_warning(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0
    users = table_file(root, "public.users")
    assert users.read_text() == USERS_WITH_PERMISSIONS
    assert (
        "warning: metadata/databases/default/tables/public_users.yaml: select_permissions for "
        "viewer on public.users, which no table file or default manages; they are left as they are"
    ) in result.err


def test_new_tables_are_added_to_tables_yaml_in_schema_and_name_order(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    databases_before = (root / "metadata/databases/databases.yaml").read_bytes()
    write(
        root, "permissions/tables/log.yaml", "table: audit.log\ndelete:\n  viewer: {filter: {}}\n"
    )
    write(
        root,
        "permissions/tables/moped.yaml",
        "table: moped_project\ndelete:\n  viewer: {filter: {}}\n",
    )
    compile_(root)
    tables_yaml = root / "metadata/databases/default/tables/tables.yaml"
    assert tables_yaml.read_text() == (
        '- "!include audit_log.yaml"\n'
        '- "!include public_moped_project.yaml"\n'
        '- "!include public_notes.yaml"\n'
        '- "!include public_users.yaml"\n'
    )
    assert table_file(root, "audit.log").read_text() == (
        "table:\n  name: log\n  schema: audit\n"
        "delete_permissions:\n"
        "  - role: editor\n    permission:\n      filter: {}\n"
        "  - role: viewer\n    permission:\n      filter: {}\n"
    )
    assert (root / "metadata/databases/databases.yaml").read_bytes() == databases_before


def test_existing_include_order_is_kept_when_no_table_is_added(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    tables_yaml = root / "metadata/databases/default/tables/tables.yaml"
    unsorted = "- \"!include public_users.yaml\"\n- '!include public_notes.yaml'\n"
    tables_yaml.write_text(unsorted)
    compile_(root)
    assert tables_yaml.read_text() == unsorted


def test_fresh_project_gets_the_cli_layout(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project", {"roles.yaml": ROLES, "tables/notes.yaml": NOTES_RULES}
    )
    compile_(root)
    metadata = root / "metadata"
    assert (metadata / "version.yaml").read_text() == "version: 3\n"
    assert (metadata / "databases/default/tables/tables.yaml").read_text() == (
        '- "!include public_notes.yaml"\n'
    )
    databases = (metadata / "databases/databases.yaml").read_text()
    assert databases.startswith("- name: default\n  kind: postgres\n  configuration:\n")
    # The CLI writes !include references double-quoted (reference section 5).
    assert databases.endswith('  tables: "!include default/tables/tables.yaml"\n')
    assert sorted(tree_bytes(metadata)) == [
        "databases/databases.yaml",
        "databases/default/tables/public_notes.yaml",
        "databases/default/tables/tables.yaml",
        "version.yaml",
    ]


def test_source_name_from_the_config(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/notes.yaml": NOTES_RULES},
        config="version: 1\nsource: app\n",
        metadata={},
        source="app",
    )
    compile_(root)
    assert table_file(root, "public.notes", source="app").is_file()
    assert (root / "metadata/databases/app/tables/tables.yaml").read_text() == (
        '- "!include public_notes.yaml"\n'
    )


def test_databases_yaml_without_the_source_is_an_error(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/notes.yaml": NOTES_RULES},
        config="version: 1\nsource: other\n",
        metadata={},
    )
    before = tree_bytes(root / "metadata")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "has no source `other`" in result.err and "hasura-perm.yaml" in result.err
    assert tree_bytes(root / "metadata") == before


def test_compiling_twice_changes_nothing(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    write(
        root, "permissions/tables/log.yaml", "table: audit.log\ndelete:\n  viewer: {filter: {}}\n"
    )
    compile_(root)
    first, first_mtimes = tree_bytes(root), tree_mtimes(root)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0
    assert "no changes" in result.out
    assert tree_bytes(root) == first
    assert tree_mtimes(root) == first_mtimes


def test_compile_of_its_own_output_is_a_fixed_point_for_every_file(tmp_path: Path) -> None:
    # Read back what was written (yamlfmt.load), compile again: identical bytes.
    root = make_project(
        tmp_path / "project",
        {
            "roles.yaml": ROLES,
            "tables/notes.yaml": NOTES_RULES
            + "update:\n  editor: {columns: all, filter: {title: {_like: '%: x'}}, set: {body: 'yes'}}\n",
            "defaults.yaml": "defaults:\n  - tables: public.*\n    delete:\n      editor: {filter: {id: {_in: [1, 2]}}}\n",
        },
    )
    compile_(root)
    first = tree_bytes(root / "metadata")
    build = build_project(root)
    assert all(path.read_text() == text for path, text in build.files.items())
    compile_(root)
    assert tree_bytes(root / "metadata") == first


# ------------------------------------------------- one rule, one rule's lines

BASE_RULES = """\
table: public.notes
select:
  viewer: {columns: [id, title], filter: {}, limit: 10}
update:
  editor:
    columns: [title, body]
    filter: {author_id: {_eq: x-hasura-user-db-id}}
delete:
  editor: {filter: {author_id: {_eq: x-hasura-user-db-id}}}
"""


def _entry_range(lines: list[str], section: str, role: str) -> range:
    """Line indexes of `role`'s entry in `section`_permissions."""
    start = lines.index(f"{section}_permissions:") + 1
    first = lines.index(f"  - role: {role}", start)
    end = first + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return range(first, end)


@pytest.mark.parametrize(
    ("old", "new", "section", "role", "removed", "added"),
    [
        (
            "filter: {author_id: {_eq: x-hasura-user-db-id}}}",
            "filter: {created_by: {_eq: x-hasura-user-db-id}}}",
            "delete",
            "editor",
            ["        author_id:"],
            ["        created_by:"],
        ),
        (
            "columns: [title, body]",
            "columns: [title, body, score]",
            "update",
            "editor",
            [],
            ["        - score"],
        ),
        (
            "    filter: {author_id: {_eq: x-hasura-user-db-id}}\n",
            "    filter: {author_id: {_eq: x-hasura-user-db-id}}\n    check: {is_deleted: {_eq: false}}\n",
            "update",
            "editor",
            ["      check: null"],
            ["      check:", "        is_deleted:", "          _eq: false"],
        ),
    ],
    ids=["delete-filter", "update-columns", "update-check"],
)
def test_one_rule_change_changes_only_that_rules_lines(
    tmp_path: Path,
    old: str,
    new: str,
    section: str,
    role: str,
    removed: list[str],
    added: list[str],
) -> None:
    root = rich_project(tmp_path, BASE_RULES)
    compile_(root)
    before_tree = tree_bytes(root)
    notes = table_file(root, "public.notes")
    before = notes.read_text().splitlines()
    rules = root / "permissions/tables/notes.yaml"
    assert old in rules.read_text()
    rules.write_text(rules.read_text().replace(old, new, 1))
    compile_(root)
    after = notes.read_text().splitlines()

    changed_files = {k for k, v in tree_bytes(root).items() if before_tree.get(k) != v}
    assert changed_files == {
        "permissions/tables/notes.yaml",
        "metadata/databases/default/tables/public_notes.yaml",
    }

    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    old_lines, new_lines = [], []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag != "equal":
            old_lines += range(a0, a1)
            new_lines += range(b0, b1)
    assert [before[i] for i in old_lines] == removed
    assert [after[i] for i in new_lines] == added
    assert set(old_lines) <= set(_entry_range(before, section, role))
    assert set(new_lines) <= set(_entry_range(after, section, role))


# ------------------------------------------------------- errors write nothing


def test_nothing_is_written_when_there_is_an_error(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    compile_(root)
    before, mtimes = tree_bytes(root / "metadata"), tree_mtimes(root / "metadata")
    # One valid change that would rewrite files, one error elsewhere.
    write(
        root, "permissions/tables/log.yaml", "table: audit.log\ndelete:\n  viewer: {filter: {}}\n"
    )
    write(root, "permissions/tables/notes.yaml", NOTES_RULES.replace("[id, title]", "[id, titel]"))
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/tables/notes.yaml:3:" in result.err and "`titel`" in result.err
    assert tree_bytes(root / "metadata") == before
    assert tree_mtimes(root / "metadata") == mtimes
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_nothing_is_created_for_a_fresh_project_with_an_error(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/notes.yaml": NOTES_RULES.replace("viewer", "viewr")},
    )
    problems = problems_of(root)
    assert_problem(problems, "permissions/tables/notes.yaml", 3, "unknown role `viewr`")
    assert run_cli("--project", str(root), "compile").code == 1
    assert not (root / "metadata").exists()


def test_no_temporary_files_are_left_after_writing(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    compile_(root)
    assert not [p for p in root.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_missing_included_table_file_is_an_error(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    table_file(root, "public.users").unlink()
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "includes public_users.yaml, which does not exist" in result.err
    assert "Traceback" not in result.err


def test_invalid_yaml_in_a_metadata_table_file(tmp_path: Path) -> None:
    root = rich_project(tmp_path)
    path = table_file(root, "public.users")
    path.write_text("table:\n  name: users\n  schema: [public\n")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "public_users.yaml:4:1: invalid YAML" in result.err
    assert "Traceback" not in result.err
