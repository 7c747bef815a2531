"""The config v2 layout (one metadata/tables.yaml): every command reads it, compile writes it
back in its own layout and style, changing only the entries it owns, never a second tree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.metadata.v2_layout import layout_of
from tests.helpers import ROLES
from tests.helpers import make_project
from tests.helpers import run_cli
from tests.helpers import write

# As gopkg.in/yaml.v2 (older CLIs) writes it: sequences at their key's column. The
# relationship `author` exists only here, so compile must read it from tables.yaml.
INDENTLESS = """\
- table:
    schema: public
    name: notes
  object_relationships:
  - name: author
    using:
      foreign_key_constraint_on: author_id
  select_permissions:
  - role: legacy
    permission:
      columns:
      - id
      filter: {}
- table:
    schema: public
    name: users
  array_relationships:
  - name: notes
    using:
      foreign_key_constraint_on:
        column: author_id
        table:
          schema: public
          name: notes
  select_permissions:
  - role: viewer
    permission:
      columns: '*'
      filter: {}
      comment: ''
"""

# As the current CLI writes a config v2 project: sequences indented under their key.
INDENTED = """\
- table:
    schema: public
    name: notes
  object_relationships:
    - name: author
      using:
        foreign_key_constraint_on: author_id
  select_permissions:
    - role: legacy
      permission:
        columns:
          - id
        filter: {}
- table:
    schema: public
    name: users
  array_relationships:
    - name: notes
      using:
        foreign_key_constraint_on:
          column: author_id
          table:
            schema: public
            name: notes
  select_permissions:
    - role: viewer
      permission:
        columns: '*'
        filter: {}
        comment: ''
"""

RULES = """\
table: public.notes
select:
  viewer:
    columns: [id, title]
    filter: {author: {is_active: {_eq: true}}}
"""


def v2_project(root: Path, tables: str = INDENTLESS, version: str = "version: 2\n") -> Path:
    make_project(root, {"roles.yaml": ROLES, "tables/notes.yaml": RULES})
    write(root, "metadata/version.yaml", version)
    write(root, "metadata/tables.yaml", tables)
    write(root, "metadata/functions.yaml", "[]\n")
    return root


def entry_texts(text: str) -> list[str]:
    return ["- table:" + piece for piece in text.split("- table:")[1:]]


@pytest.mark.parametrize("style", [INDENTLESS, INDENTED], ids=["yaml.v2", "yaml.v3"])
def test_compile_writes_tables_yaml_in_its_own_style_and_nothing_else(
    tmp_path: Path, style: str
) -> None:
    root = v2_project(tmp_path, style)
    result = run_cli("compile", cwd=root)
    assert result.code == 0, result.err
    assert not (root / "metadata" / "databases").exists()
    assert sorted(p.name for p in (root / "metadata").iterdir()) == [
        "functions.yaml",
        "tables.yaml",
        "version.yaml",
    ]
    text = (root / "metadata" / "tables.yaml").read_text()
    notes, users = entry_texts(text)
    assert users == entry_texts(style)[1]  # not managed: byte for byte, `''` and `'*'` kept
    indent = "  " if style is INDENTLESS else "    "
    assert f"\n{indent}- role: viewer\n" in notes
    assert f"\n{indent}- name: author\n" in notes  # the relationship is kept
    assert "_eq: true" in notes
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_a_second_compile_changes_nothing(tmp_path: Path) -> None:
    root = v2_project(tmp_path)
    assert run_cli("compile", cwd=root).code == 0
    before = (root / "metadata" / "tables.yaml").read_bytes()
    again = run_cli("compile", cwd=root)
    assert again.code == 0
    assert "no changes" in again.out
    assert (root / "metadata" / "tables.yaml").read_bytes() == before


def test_a_new_table_goes_where_hasura_exports_it(tmp_path: Path) -> None:
    root = v2_project(tmp_path)
    write(
        root,
        "permissions/tables/orgs.yaml",
        "table: public.orgs\nselect:\n  viewer: {columns: [id], filter: {}}\n",
    )
    write(
        root,
        "permissions/schema.yaml",
        (root / "permissions/schema.yaml").read_text()
        + "  public.orgs:\n    columns: {id: integer}\n",
    )
    result = run_cli("compile", cwd=root)
    assert result.code == 0, result.err
    names = [entry["table"]["name"] for entry in yaml.safe_load(_tables(root))]
    assert names == ["notes", "orgs", "users"]


def test_an_empty_v2_project_gets_tables_yaml_not_a_v3_tree(tmp_path: Path) -> None:
    root = v2_project(tmp_path, tables="[]\n")
    assert run_cli("compile", cwd=root).code != 0  # `author` is not known without its entry
    (root / "metadata" / "tables.yaml").unlink()
    write(root, "permissions/tables/notes.yaml", NOTES_PLAIN)
    result = run_cli("compile", cwd=root)
    assert result.code == 0, result.err
    assert not (root / "metadata" / "databases").exists()
    assert _tables(root).startswith("- table:\n    name: notes\n    schema: public\n")


NOTES_PLAIN = "table: public.notes\nselect:\n  viewer: {columns: [id], filter: {}}\n"


def test_the_layout_comes_from_the_files_then_version_yaml_then_config_yaml(
    tmp_path: Path,
) -> None:
    assert layout_of(tmp_path / "absent") == "v3"
    write(tmp_path, "a/metadata/tables.yaml", "[]\n")
    assert layout_of(tmp_path / "a" / "metadata") == "v2"
    write(tmp_path, "b/metadata/version.yaml", "version: 2\n")
    assert layout_of(tmp_path / "b" / "metadata") == "v2"
    write(tmp_path, "c/config.yaml", "version: 2\nendpoint: http://localhost:8080\n")
    assert layout_of(tmp_path / "c" / "metadata") == "v2"
    write(tmp_path, "d/metadata/tables.yaml", "[]\n")
    write(tmp_path, "d/metadata/databases/databases.yaml", "[]\n")
    with pytest.raises(HasuraPermError, match="both databases/databases.yaml"):
        layout_of(tmp_path / "d" / "metadata")
    write(tmp_path, "d/metadata/version.yaml", "version: 3\n")
    assert layout_of(tmp_path / "d" / "metadata") == "v3"


@pytest.mark.parametrize(
    "command",
    [
        ("matrix",),
        ("lint",),
        ("explain", "--role", "viewer", "--table", "public.notes", "--action", "select"),
    ],
    ids=lambda c: c[0],
)
def test_review_commands_read_the_v2_relationships(tmp_path: Path, command: tuple[str]) -> None:
    root = v2_project(tmp_path)
    assert run_cli("compile", cwd=root).code == 0
    result = run_cli(*command, cwd=root)
    assert result.code in (0, 3), result.err  # lint may find things; it must not fail to read
    assert "unknown column or relationship" not in result.err + result.out
    if command[0] == "explain":
        assert "metadata/tables.yaml" in result.out


def _tables(root: Path) -> str:
    return (root / "metadata" / "tables.yaml").read_text()
