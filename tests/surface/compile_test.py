"""Actions and introspection compiled into actions.yaml and graphql_schema_introspection.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import NOTES_RULES
from tests.helpers import build_project
from tests.helpers import make_project
from tests.helpers import problems_of
from tests.helpers import run_cli
from tests.helpers import write

ACAPELA = Path("/work/shared/corpus/acapela__monorepo/metadata")

ACTIONS_YAML = """\
actions:
  - name: export_report
    definition:
      kind: synchronous
      handler: '{{ACTIONS_URL}}'
    permissions:
      - role: outsider
      - role: viewer
    comment: Exports a report
  - name: invite_user
    definition:
      kind: synchronous
      handler: '{{ACTIONS_URL}}'
  - name: report_status
    definition:
      kind: ""
      handler: '{{ACTIONS_URL}}'
custom_types:
  enums: []
  input_objects: []
  objects: []
  scalars: []
"""

ROLES = """\
roles:
  viewer: {}
  editor: {inherits: viewer}
  anonymous: {introspection: false}
"""


def project(tmp_path: Path, actions: str, roles: str = ROLES) -> Path:
    root = make_project(
        tmp_path,
        {"roles.yaml": roles, "actions.yaml": actions, "tables/notes.yaml": NOTES_RULES},
        metadata={"public.notes": "table:\n  name: notes\n  schema: public\n"},
    )
    write(root, "metadata/actions.yaml", ACTIONS_YAML)
    return root


def test_grants_by_name_and_pattern_with_inheritance_and_deny(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """\
actions:
  "report_*":
    viewer: {}
  export_report:
    editor: deny
  invite_user:
    editor: {comment: Editors invite colleagues}
""",
    )
    assert run_cli("compile", cwd=root).code == 0
    text = (root / "metadata/actions.yaml").read_text()
    assert text == ACTIONS_YAML.replace(
        "    permissions:\n      - role: outsider\n      - role: viewer\n",
        "    permissions:\n      - role: outsider\n",
    ).replace(
        "      handler: '{{ACTIONS_URL}}'\n  - name: report_status",
        "      handler: '{{ACTIONS_URL}}'\n    permissions:\n      - role: editor\n"
        "        comment: Editors invite colleagues\n  - name: report_status",
    ).replace(
        "      kind: \"\"\n      handler: '{{ACTIONS_URL}}'\n",
        "      kind: \"\"\n      handler: '{{ACTIONS_URL}}'\n    permissions:\n"
        "      - role: editor\n      - role: viewer\n",
    )
    surface = build_project(root).compiled.surface
    assert surface.actions == ["export_report", "invite_user", "report_status"]
    assert sorted(surface.grants["report_status"]) == ["editor", "viewer"]
    assert surface.grants["report_status"]["editor"].origin == "inherited from viewer"
    # export_report: viewer's grant was not renewed (no entry matches it for viewer); editor denied
    assert "export_report" not in surface.grants
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_introspection_file_keeps_unowned_roles(tmp_path: Path) -> None:
    root = project(tmp_path, "actions: {}\n")
    write(
        root,
        "metadata/graphql_schema_introspection.yaml",
        "disabled_for_roles:\n  - zz_other\n  - viewer\n",
    )
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/graphql_schema_introspection.yaml").read_text() == (
        "disabled_for_roles:\n  - zz_other\n  - anonymous\n"
    )
    # unchanged meaning, different order: the file is left as the CLI wrote it
    write(
        root,
        "metadata/graphql_schema_introspection.yaml",
        "disabled_for_roles:\n  - anonymous\n  - zz_other\n",
    )
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_unknown_action_and_role_are_located_errors(tmp_path: Path) -> None:
    root = project(
        tmp_path, "actions:\n  export_reprot:\n    viewer: {}\n  invite_user:\n    nobody: {}\n"
    )
    messages = [p.message for p in problems_of(root)]
    assert any("export_reprot" in m and "export_report" in m for m in messages), messages
    assert any("unknown role `nobody`" in m for m in messages), messages


def test_bad_grant_value_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, "actions:\n  invite_user:\n    viewer: yes\n")
    result = run_cli("compile", cwd=root)
    assert result.code == 1
    assert "permissions/actions.yaml:3" in result.err


def test_real_actions_file_is_rewritten_only_where_owned(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "roles.yaml": "roles:\n  user: {}\n  guest: {}\n",
            "actions.yaml": 'actions:\n  "get_*":\n    guest: {}\n',
        },
        metadata={},
    )
    shutil.copy(ACAPELA / "actions.yaml", root / "metadata/actions.yaml")
    original = (ACAPELA / "actions.yaml").read_text()
    assert run_cli("compile", cwd=root).code == 0
    text = (root / "metadata/actions.yaml").read_text()
    assert text != original
    # user is declared: on the matched get_* actions its grants go (no rule gives them), guest's
    # arrive; every other action keeps its permissions byte for byte
    from hasura_perm.core import yamlfmt

    new = yamlfmt.load(text, filename="x")
    old = yamlfmt.load(original, filename="x")
    for before, after in zip(old["actions"], new["actions"], strict=True):
        if before["name"].startswith("get_"):
            assert after["permissions"] == [{"role": "guest"}]
        else:
            assert after == before
    assert new["custom_types"] == old["custom_types"]


V2_ACTIONS = """\
actions:
- name: invite_user
  definition:
    kind: synchronous
    handler: '{{ACTIONS_URL}}'
  permissions:
  - role: outsider
custom_types:
  enums: []
  input_objects: []
  objects: []
  scalars: []
"""


def v2_project(root: Path, actions_yaml: str) -> Path:
    make_project(
        root,
        {
            "roles.yaml": ROLES.replace("anonymous: {introspection: false}", "anonymous: {}"),
            "actions.yaml": "actions:\n  invite_user:\n    editor: {}\n",
            "tables/notes.yaml": NOTES_RULES,
        },
    )
    write(root, "metadata/version.yaml", "version: 2\n")
    write(root, "metadata/tables.yaml", "- table:\n    schema: public\n    name: notes\n")
    write(root, "metadata/functions.yaml", "[]\n")
    write(root, "metadata/actions.yaml", actions_yaml)
    return root


def test_v2_layout_keeps_actions_yaml_in_its_own_style(tmp_path: Path) -> None:
    root = v2_project(tmp_path, V2_ACTIONS)
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/actions.yaml").read_text() == V2_ACTIONS.replace(
        "  - role: outsider\n", "  - role: outsider\n  - role: editor\n"
    )
    assert not (root / "metadata/graphql_schema_introspection.yaml").exists()
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_v2_layout_cannot_disable_introspection(tmp_path: Path) -> None:
    root = v2_project(tmp_path / "indented", ACTIONS_YAML)
    write(root, "permissions/roles.yaml", ROLES)
    result = run_cli("compile", cwd=root)
    assert result.code == 1
    assert "config v2 metadata layout does not have" in result.err
    assert (root / "metadata/actions.yaml").read_text() == ACTIONS_YAML  # nothing written
