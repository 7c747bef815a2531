"""Lint and Cognito see role-based remote schemas: presets from session variables nobody
emits, roles used only through a remote schema, and whoami's summary of such a role."""

from __future__ import annotations

from pathlib import Path

import yaml

from hasura_perm.cognito.loader import load_cognito
from hasura_perm.cognito.whoami import role_summary
from hasura_perm.lint.sources import context_from_project
from hasura_perm.spec.project import load_project
from tests.cognito.support import COGNITO_SECTION
from tests.cognito.support import make_project as cognito_project
from tests.helpers import make_project
from tests.helpers import write
from tests.lint.lintkit import found

REMOTE = "- name: orgs\n  definition:\n    url: https://orgs.example/graphql\n"
PRESET_SDL = (
    "type Query {\n"
    '  org(id: ID! @preset(value: "X-Hasura-Org-Id")): Org\n'
    '  orgByName(name: String @preset(value: "x-hasura-org-name", static: true)): Org\n'
    "  mine(filter: OrgFilter): [Org]\n"
    "}\n"
    "type Org { id: ID! }\n"
    'input OrgFilter { owner: ID @preset(value: "x-hasura-user-id") }\n'
)


def project(tmp_path: Path, session: str) -> Path:
    root = make_project(
        tmp_path,
        {
            "roles.yaml": session
            + "roles:\n  member: {}\n  lead: {inherits: member}\n  idle: {}\n",
            "remote.yaml": "remote_schemas:\n  orgs:\n    member:\n      schema: |\n"
            + "".join(f"        {line}\n" for line in PRESET_SDL.splitlines()),
        },
        metadata={},
    )
    write(root, "metadata/remote_schemas.yaml", REMOTE)
    return root


def test_presets_from_variables_the_claims_never_emit(tmp_path: Path) -> None:
    session = (
        "session:\n  x-hasura-org-id: {type: text}\n  x-hasura-user-id: {from: sub, type: text}\n"
    )
    root = project(tmp_path, session)
    problems = found(context_from_project(load_project(root)), "remote-preset-unemitted")
    # the org id has no source; the static preset is text; lead inherits (reported once)
    assert [(p.role, p.location.file, p.location.line) for p in problems] == [
        ("member", "permissions/remote.yaml", 3)
    ]
    assert "presets Query.org(id) from x-hasura-org-id" in problems[0].message
    write(
        root,
        "permissions/roles.yaml",
        (root / "permissions/roles.yaml")
        .read_text()
        .replace(
            "x-hasura-org-id: {type: text}", 'x-hasura-org-id: {from: "custom:org", type: text}'
        ),
    )
    assert found(context_from_project(load_project(root)), "remote-preset-unemitted") == []


def test_a_role_used_only_through_a_remote_schema_is_not_unused(tmp_path: Path) -> None:
    session = "session:\n  x-hasura-org-id: {from: sub, type: text}\n  x-hasura-user-id: {from: sub, type: text}\n"
    root = project(tmp_path, session)
    problems = found(context_from_project(load_project(root)), "unused-role")
    assert [p.role for p in problems] == ["idle"]
    assert "no permission on any table, action, remote schema or function" in problems[0].message


def test_remote_schema_only_role_is_mapped_and_summarised(tmp_path: Path) -> None:
    order = [*COGNITO_SECTION["default_role_order"], "partner"]
    root = cognito_project(tmp_path, {**COGNITO_SECTION, "default_role_order": order})
    roles_path = root / "permissions/roles.yaml"
    data = yaml.safe_load(roles_path.read_text())
    data["roles"]["partner"] = {"cognito_groups": ["partners"]}
    roles_path.write_text(yaml.safe_dump(data, sort_keys=False))
    write(root, "metadata/remote_schemas.yaml", REMOTE)
    write(
        root,
        "permissions/remote.yaml",
        "remote_schemas:\n  orgs:\n    partner: {schema: 'type Query { orgs: [ID] }'}\n",
    )
    loaded = load_cognito(load_project(root))
    assert loaded.mapping["group_roles"]["partners"] == ["partner"]
    assert role_summary(loaded.build.compiled, "partner", {}) == ["remote schemas: orgs"]
