"""The whole compile run as build() does it on a project on disk: the files it plans (and
does not write), the catalog it hands on, its warnings, and several sources together."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hasura_perm.cognito.loader import checked_build_all
from hasura_perm.compiler.build import all_files
from hasura_perm.compiler.build import build
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.spec.project import load_project
from tests.helpers import NOTES_METADATA
from tests.helpers import NOTES_RULES
from tests.helpers import ROLES
from tests.helpers import load_yaml
from tests.helpers import make_project
from tests.helpers import table_file
from tests.helpers import tree_bytes
from tests.sources.support import two_source_project

NOTES = TableName("public", "notes")


def _project(root: Path, **files: str) -> Path:
    return make_project(
        root,
        {"roles.yaml": ROLES, "tables/public.notes.yaml": NOTES_RULES, **files},
        metadata={"public.notes": NOTES_METADATA},
    )


def test_build_plans_the_files_and_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = tree_bytes(root)
    result = build(load_project(root))
    assert tree_bytes(root) == before  # compile writes; build only plans
    notes_file = table_file(root, "public.notes")
    assert notes_file in result.files
    (root / "planned.yaml").write_text(result.files[notes_file], encoding="utf-8")
    planned = load_yaml(root / "planned.yaml")
    # editor inherits viewer's rule; the list is sorted by role, as Hasura exports it.
    assert planned["select_permissions"] == [
        {"role": "editor", "permission": {"columns": ["id", "title"], "filter": {}}},
        {"role": "viewer", "permission": {"columns": ["id", "title"], "filter": {}}},
    ]
    # What the project does not own is kept as the metadata has it.
    assert planned["object_relationships"][0]["name"] == "author"
    assert result.warnings == []


def test_the_build_carries_the_catalog_and_the_metadata_it_read(tmp_path: Path) -> None:
    result = build(load_project(_project(tmp_path)))
    assert result.catalog is not None
    assert set(result.catalog.relationships[NOTES]) == {"author", "owner"}
    assert result.catalog.computed_fields[NOTES] == {"title_upper"}
    assert (
        result.catalog.table_files[NOTES] == "metadata/databases/default/tables/public_notes.yaml"
    )
    assert result.metadata.source == "default" and NOTES in result.metadata.tables
    assert result.compiled.tables == [NOTES]
    assert result.surface_files is not None


def test_a_role_name_with_invisible_characters_is_warned_about(tmp_path: Path) -> None:
    roles = ROLES + '  "viewer\\u200b": {}\n'
    result = build(load_project(_project(tmp_path, **{"roles.yaml": roles})))
    [warning] = result.warnings
    assert warning.severity == "warning"
    assert str(warning).startswith("permissions/roles.yaml:6:")
    assert "contains invisible or bidirectional characters (U+200B)" in warning.message


def test_permissions_of_declared_roles_on_unmanaged_tables_are_warned_about(
    tmp_path: Path,
) -> None:
    users = """\
        table: {name: users, schema: public}
        select_permissions:
          - role: viewer
            permission: {columns: [id], filter: {}}
          - role: stranger
            permission: {columns: [id], filter: {}}
        """
    root = make_project(
        tmp_path,
        {"roles.yaml": ROLES, "tables/public.notes.yaml": NOTES_RULES},
        metadata={"public.notes": NOTES_METADATA, "public.users": users},
    )
    result = build(load_project(root))
    assert [str(w) for w in result.warnings] == [
        "metadata/databases/default/tables/public_users.yaml: select_permissions for viewer on "
        "public.users, which no table file or default manages; they are left as they are"
    ]
    assert table_file(root, "public.users") not in result.files or (
        result.files[table_file(root, "public.users")]
        == table_file(root, "public.users").read_text()
    )


def test_every_source_builds_and_their_files_join(tmp_path: Path) -> None:
    root = two_source_project(
        tmp_path,
        {
            "tables/public.users.yaml": "table: public.users\nselect:\n  reader: {columns: [id], filter: {}}\n",
        },
    )
    builds = checked_build_all(load_project(root))
    assert [b.metadata.source for b in builds] == ["default", "reports"]
    files = all_files(builds)
    assert files == {**builds[0].files, **builds[1].files}


def test_two_sources_planning_one_file_differently_is_refused(tmp_path: Path) -> None:
    root = two_source_project(tmp_path, {})
    first, second = checked_build_all(load_project(root))
    shared = root / "metadata/databases/databases.yaml"
    clash = dataclasses.replace(second, files={**second.files, shared: "- name: other\n"})
    ours = dataclasses.replace(first, files={**first.files, shared: "- name: default\n"})
    with pytest.raises(HasuraPermError, match="the sources default, reports would each write it"):
        all_files([ours, clash])
