"""`combines:` roles: the language's checks and inherited_roles.yaml written by compile."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_project
from tests.helpers import problems_of
from tests.helpers import run_cli
from tests.helpers import write
from tests.surface.compile_test import project as actions_project
from tests.surface.compile_test import v2_project

TABLES = """\
table: public.notes
select:
  viewer: {columns: [id, title], filter: {}}
  auditor: {columns: [id], filter: {}}
"""

ROLES = """\
roles:
  viewer: {}
  auditor: {}
  reviewer:
    combines: [viewer, auditor]
"""


def project(tmp_path: Path, roles: str = ROLES, inherited: str | None = None) -> Path:
    root = make_project(
        tmp_path,
        {"roles.yaml": roles, "tables/notes.yaml": TABLES},
        metadata={"public.notes": "table:\n  name: notes\n  schema: public\n"},
    )
    if inherited is not None:
        write(root, "metadata/inherited_roles.yaml", inherited)
    return root


def test_compile_writes_the_combines_role_as_the_cli_exports_it(tmp_path: Path) -> None:
    root = project(tmp_path, inherited="[]\n")
    result = run_cli("compile", cwd=root)
    assert result.code == 0, result.err
    assert (root / "metadata/inherited_roles.yaml").read_text() == (
        "- role_name: reviewer\n  role_set:\n    - viewer\n    - auditor\n"
    )
    assert run_cli("compile", "--check", cwd=root).code == 0
    # the file a missing one becomes
    (root / "metadata/inherited_roles.yaml").unlink()
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/inherited_roles.yaml").is_file()


def test_unowned_entries_are_kept_and_the_file_is_sorted_by_role_name(tmp_path: Path) -> None:
    other = (
        "- role_name: zeta\n  role_set:\n    - viewer\n- role_name: alpha\n  role_set:\n    - a\n"
    )
    root = project(tmp_path, inherited=other)
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/inherited_roles.yaml").read_text() == (
        "- role_name: alpha\n  role_set:\n    - a\n"
        "- role_name: reviewer\n  role_set:\n    - viewer\n    - auditor\n"
        "- role_name: zeta\n  role_set:\n    - viewer\n"
    )


def test_a_file_whose_meaning_does_not_change_is_not_rewritten(tmp_path: Path) -> None:
    # the server lists role_set in HashSet order: another order means the same
    text = "- role_name: reviewer\n  role_set:\n    - auditor\n    - viewer\n"
    root = project(tmp_path, inherited=text)
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/inherited_roles.yaml").read_text() == text
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_a_declared_role_without_combines_loses_its_entry(tmp_path: Path) -> None:
    text = "- role_name: viewer\n  role_set:\n    - auditor\n"
    root = project(tmp_path, roles="roles:\n  viewer: {}\n  auditor: {}\n", inherited=text)
    result = run_cli("compile", cwd=root)
    assert result.code == 0
    assert "role viewer is declared without `combines`" in result.err
    assert "add `combines: [auditor]`" in result.err
    assert (root / "metadata/inherited_roles.yaml").read_text() == "[]\n"


def test_mistakes_in_combines_are_located(tmp_path: Path) -> None:
    roles = """\
roles:
  viewer: {}
  auditor: {}
  a: {combines: [viewr]}
  b: {combines: [b, viewer]}
  c: {combines: [d]}
  d: {combines: [c]}
  e: {combines: viewer, inherits: auditor}
  f: {inherits: [viewer, e]}
"""
    found = {(p.line, p.message) for p in problems_of(project(tmp_path, roles))}
    messages = "\n".join(m for _, m in sorted(found))
    assert any(line == 4 and "unknown role `viewr`" in m and "viewer" in m for line, m in found), (
        messages
    )
    assert any(line == 5 and "combines itself" in m for line, m in found), messages
    assert any(line == 6 and "cycle: c -> d -> c" in m for line, m in found), messages
    assert any(line == 8 and "both `inherits`" in m for line, m in found), messages
    assert any(line == 9 and "inherits `e`, which Hasura derives" in m for line, m in found), (
        messages
    )
    assert all(p.file == "permissions/roles.yaml" for p in problems_of(project(tmp_path, roles)))


def test_a_parent_without_any_permission_is_refused_with_hasuras_words(tmp_path: Path) -> None:
    roles = (
        ROLES + "  idle: {}\n  watcher: {combines: [viewer, idle]}\n  chain: {combines: reviewer}\n"
    )
    result = run_cli("compile", cwd=project(tmp_path, roles))
    assert result.code == 1
    assert "permissions/roles.yaml:7" in result.err
    assert (
        "the following parent role(s) are not found: idle which are required to construct "
        'the inherited role: "watcher"'
    ) in result.err
    assert "chain" not in result.err  # a combines parent is a role Hasura knows


def test_a_parent_with_only_an_action_or_unmanaged_permission_is_enough(tmp_path: Path) -> None:
    root = actions_project(
        tmp_path,
        "actions:\n  invite_user:\n    caller: {}\n",
        roles="roles:\n  viewer: {}\n  caller: {}\n  both: {combines: [caller, outsider]}\n",
    )
    # `outsider` is not declared: an unknown parent even though Hasura knows it
    assert any("unknown role `outsider`" in p.message for p in problems_of(root))
    write(
        root,
        "permissions/roles.yaml",
        "roles:\n  viewer: {}\n  caller: {}\n  both: {combines: [caller, viewer]}\n",
    )
    assert run_cli("compile", cwd=root).code == 0


def test_config_v2_cannot_hold_combines(tmp_path: Path) -> None:
    root = v2_project(tmp_path, "actions: []\ncustom_types: {}\n")
    write(root, "permissions/roles.yaml", "roles:\n  viewer: {}\n  pair: {combines: [viewer]}\n")
    write(root, "permissions/actions.yaml", "actions: {}\n")
    result = run_cli("compile", cwd=root)
    assert result.code == 1
    assert "config v2 metadata layout does not have" in result.err
    assert "inherited_roles.yaml" in result.err


def test_a_parent_with_only_a_remote_schema_permission_is_enough(tmp_path: Path) -> None:
    roles = ROLES + "  svc: {}\n  pair: {combines: [svc]}\n"
    root = project(tmp_path, roles)
    assert "not found: svc" in run_cli("compile", cwd=root).err
    write(
        root,
        "metadata/remote_schemas.yaml",
        "- name: countries\n  definition:\n    url: https://countries.example.org/graphql\n"
        '    timeout_seconds: 60\n  comment: ""\n  permissions:\n    - role: svc\n'
        "      definition:\n        schema: |\n          type Query { ok: Boolean }\n",
    )
    result = run_cli("compile", cwd=root)
    assert result.code == 0, result.err
