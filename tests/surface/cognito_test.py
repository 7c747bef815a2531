"""A role granted only through an action is a role Cognito tokens may carry."""

from __future__ import annotations

from pathlib import Path

import yaml

from hasura_perm.cognito.loader import load_cognito
from hasura_perm.cognito.whoami import role_summary
from hasura_perm.spec.project import load_project
from tests.cognito.support import COGNITO_SECTION
from tests.cognito.support import make_project


def test_action_only_role_is_mapped_and_summarised(tmp_path: Path) -> None:
    order = [*COGNITO_SECTION["default_role_order"], "reporter"]
    root = make_project(tmp_path, {**COGNITO_SECTION, "default_role_order": order})
    roles_path = root / "permissions/roles.yaml"
    data = yaml.safe_load(roles_path.read_text())
    data["roles"]["reporter"] = {"cognito_groups": ["reporters"]}
    roles_path.write_text(yaml.safe_dump(data, sort_keys=False))
    actions_path = root / "permissions/actions.yaml"
    actions = yaml.safe_load(actions_path.read_text())
    actions["actions"]["export_project_report"]["reporter"] = {}
    actions_path.write_text(yaml.safe_dump(actions))

    loaded = load_cognito(load_project(root))
    assert loaded.mapping["group_roles"]["reporters"] == ["reporter"]
    assert role_summary(loaded.build.compiled, "reporter", {}) == ["actions: export_project_report"]
    # without the action the role has nothing, and whoami says so
    assert role_summary(loaded.build.compiled, "nobody", {})[0].endswith("(it sees nothing)")


def test_a_combines_role_is_mapped_and_summarised_as_derived(tmp_path: Path) -> None:
    order = [*COGNITO_SECTION["default_role_order"], "reviewer"]
    root = make_project(tmp_path, {**COGNITO_SECTION, "default_role_order": order})
    roles_path = root / "permissions/roles.yaml"
    data = yaml.safe_load(roles_path.read_text())
    data["roles"]["reviewer"] = {"combines": ["viewer", "editor"], "cognito_groups": ["reviewers"]}
    roles_path.write_text(yaml.safe_dump(data, sort_keys=False))

    loaded = load_cognito(load_project(root))
    assert loaded.mapping["group_roles"]["reviewers"] == ["reviewer"]
    summary = role_summary(loaded.build.compiled, "reviewer", {})
    assert summary[0] == "Hasura inherited role: also what it derives from viewer, editor"
    # the parents' rules use session variables: the summary says whether they are present
    assert any(line.startswith("uses x-hasura-") for line in summary), summary
