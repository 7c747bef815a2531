"""A role granted only a function (its select on the return table lives in a table file
hasura-perm does not manage) is still a role the Cognito Lambda may issue."""

from __future__ import annotations

from pathlib import Path

import yaml

from hasura_perm.cognito.loader import load_cognito
from hasura_perm.cognito.whoami import role_summary
from hasura_perm.spec.project import load_project
from tests.cognito.support import COGNITO_SECTION
from tests.cognito.support import make_project
from tests.helpers import write

TABLES = "metadata/databases/default/tables"
FUNCTIONS = "metadata/databases/default/functions"


def test_function_only_role_is_mapped_and_summarised(tmp_path: Path) -> None:
    order = [*COGNITO_SECTION["default_role_order"], "reporter"]
    root = make_project(tmp_path, {**COGNITO_SECTION, "default_role_order": order})
    roles_path = root / "permissions/roles.yaml"
    data = yaml.safe_load(roles_path.read_text())
    data["roles"]["reporter"] = {"cognito_groups": ["reporters"]}
    roles_path.write_text(yaml.safe_dump(data, sort_keys=False))
    # a table hasura-perm does not manage, whose file lets reporter select
    listing = root / TABLES / "tables.yaml"
    listing.write_text(listing.read_text() + '- "!include reporting_digest.yaml"\n')
    write(
        root,
        f"{TABLES}/reporting_digest.yaml",
        "table:\n  name: digest\n  schema: reporting\nselect_permissions:\n"
        "  - role: reporter\n    permission:\n      columns:\n        - id\n      filter: {}\n",
    )
    listing = root / FUNCTIONS / "functions.yaml"
    listing.write_text(listing.read_text() + '- "!include reporting_latest.yaml"\n')
    write(
        root,
        f"{FUNCTIONS}/reporting_latest.yaml",
        "function:\n  name: latest\n  schema: reporting\n",
    )
    snapshot = root / "permissions/schema.yaml"
    snapshot.write_text(
        snapshot.read_text() + "  reporting.latest:\n    returns: reporting.digest\n"
    )
    functions = root / "permissions/functions.yaml"
    functions.write_text(functions.read_text() + "  reporting.latest:\n    reporter: {}\n")

    loaded = load_cognito(load_project(root))
    assert loaded.mapping["group_roles"]["reporters"] == ["reporter"]
    assert role_summary(loaded.build.compiled, "reporter", {}) == ["functions: reporting.latest"]
    assert (root / FUNCTIONS / "reporting_latest.yaml").exists()
    assert loaded.build.files[root / FUNCTIONS / "reporting_latest.yaml"].endswith(
        "permissions:\n  - role: reporter\n"
    )
