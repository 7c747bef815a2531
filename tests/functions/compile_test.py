"""Function permissions compiled into the function files of both layouts (jore4's real
function files for the config v3 layout)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import make_project
from tests.helpers import problems_of
from tests.helpers import run_cli
from tests.helpers import write

JORE4_FUNCTIONS = Path(
    "/work/shared/corpus/HSLdevcom__jore4-hasura/metadata/databases/default/functions"
)
LINK = "infrastructure_network.infrastructure_link"
CALC = "service_pattern.distance_between_stops_calculation"
RESOLVE = "infrastructure_network_resolve_point_to_closest_link.yaml"
BY_ROUTES = "service_pattern_get_distances_between_stop_points_by_routes.yaml"
IN_PATTERNS = "service_pattern_get_distances_between_stop_points_in_journey_patterns.yaml"

SCHEMA = f"""\
version: 1
tables:
  {LINK}:
    columns: {{infrastructure_link_id: uuid, direction: text}}
  {CALC}:
    columns: {{route_id: uuid, distance_in_metres: double precision}}
functions:
  infrastructure_network.resolve_point_to_closest_link:
    returns: {LINK}
    volatility: stable
  service_pattern.get_distances_between_stop_points_by_routes:
    returns: {CALC}
    volatility: stable
  service_pattern.get_distances_between_stop_points_in_journey_patterns:
    returns: {CALC}
    volatility: stable
"""

ROLES = """\
roles:
  viewer: {}
  planner: {inherits: viewer}
  guest: {}
"""

TABLES = {
    "tables/link.yaml": f"table: {LINK}\nselect:\n  viewer: {{columns: all, filter: {{}}}}\n",
    "tables/calc.yaml": f"table: {CALC}\nselect:\n  viewer: {{columns: all, filter: {{}}}}\n",
}


def jore4_project(tmp_path: Path, functions: str, roles: str = ROLES) -> Path:
    root = make_project(
        tmp_path,
        {"roles.yaml": roles, "functions.yaml": functions, **TABLES},
        schema=SCHEMA,
        metadata={
            LINK: "table:\n  name: infrastructure_link\n  schema: infrastructure_network\n",
            CALC: "table:\n  name: distance_between_stops_calculation\n  schema: service_pattern\n",
        },
    )
    databases = root / "metadata/databases/databases.yaml"
    databases.write_text(
        databases.read_text() + '  functions: "!include default/functions/functions.yaml"\n'
    )
    shutil.copytree(JORE4_FUNCTIONS, root / "metadata/databases/default/functions")
    return root


def function_file(root: Path, name: str) -> str:
    return (root / "metadata/databases/default/functions" / name).read_text()


def test_grants_by_name_and_pattern_with_inheritance_and_deny(tmp_path: Path) -> None:
    root = jore4_project(
        tmp_path,
        """\
functions:
  infrastructure_network.resolve_point_to_closest_link:
    viewer: {}
  "service_pattern.get_distances_*":
    viewer: {}
  service_pattern.get_distances_between_stop_points_by_routes:
    planner: deny
""",
    )
    before = {
        p.name: p.read_bytes() for p in (root / "metadata/databases/default/functions").iterdir()
    }
    assert run_cli("compile", cwd=root).code == 0
    assert function_file(root, RESOLVE) == (
        "function:\n  name: resolve_point_to_closest_link\n  schema: infrastructure_network\n"
        "permissions:\n  - role: planner\n  - role: viewer\n"
    )
    assert function_file(root, BY_ROUTES) == (
        "function:\n  name: get_distances_between_stop_points_by_routes\n"
        "  schema: service_pattern\npermissions:\n  - role: viewer\n"
    )
    assert "  - role: planner\n  - role: viewer\n" in function_file(root, IN_PATTERNS)
    after = {
        p.name: p.read_bytes() for p in (root / "metadata/databases/default/functions").iterdir()
    }
    untouched = set(before) - {RESOLVE, BY_ROUTES, IN_PATTERNS}
    assert untouched and all(after[n] == before[n] for n in untouched)
    # a second compile changes nothing
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_unowned_roles_keep_their_place_and_a_dropped_grant_goes(tmp_path: Path) -> None:
    root = jore4_project(tmp_path, "functions:\n  service_pattern.*:\n    viewer: {}\n")
    path = root / "metadata/databases/default/functions" / BY_ROUTES
    path.write_text(path.read_text() + "permissions:\n  - role: auditor\n  - role: guest\n")
    assert run_cli("compile", cwd=root).code == 0
    assert path.read_text().endswith(
        "permissions:\n  - role: auditor\n  - role: planner\n  - role: viewer\n"
    )
    write(
        root, "permissions/functions.yaml", "functions:\n  service_pattern.*:\n    viewer: deny\n"
    )
    assert run_cli("compile", cwd=root).code == 0
    assert path.read_text().endswith("schema: service_pattern\npermissions:\n  - role: auditor\n")


def test_a_role_without_select_on_the_return_table_is_refused_with_file_and_line(
    tmp_path: Path,
) -> None:
    root = jore4_project(
        tmp_path,
        "functions:\n  infrastructure_network.resolve_point_to_closest_link:\n    guest: {}\n",
    )
    before = function_file(root, RESOLVE)
    [problem] = problems_of(root)
    assert problem.file.endswith("permissions/functions.yaml") and problem.line == 3
    assert "guest may call function infrastructure_network.resolve_point_to_closest_link" in (
        problem.message
    )
    assert f"cannot select its return table {LINK}" in problem.message
    result = run_cli("compile", cwd=root)
    assert result.code == 1 and "Traceback" not in result.err
    assert function_file(root, RESOLVE) == before  # nothing written


def test_unknown_function_and_function_missing_from_the_snapshot(tmp_path: Path) -> None:
    functions = """\
functions:
  infrastructure_network.resolve_point_to_closest_lnk:
    viewer: {}
  journey_pattern.check_infra_link_stop_refs_with_new_scheduled_stop_point:
    viewer: {}
"""
    root = jore4_project(tmp_path, functions)
    [first] = problems_of(root)
    assert first.line == 2
    assert "function `infrastructure_network.resolve_point_to_closest_lnk` matches no function" in (
        first.message
    )
    assert "resolve_point_to_closest_link" in first.message  # did you mean
    write(root, "permissions/functions.yaml", "functions:\n" + functions.split("\n", 3)[3])
    [second] = problems_of(root)
    assert second.line == 3
    assert "is not in the schema snapshot" in second.message
    assert "hasura-perm schema pull" in second.message


V2_FUNCTIONS = """\
- function:
    schema: public
    name: search_notes
  configuration:
    custom_root_fields: {}
  comment: Full-text search
- function:
    schema: public
    name: untouched
"""


def test_config_v2_functions_yaml_keeps_other_entries(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "roles.yaml": ROLES,
            "functions.yaml": "functions:\n  search_notes:\n    viewer: {}\n",
            "tables/notes.yaml": "table: public.notes\nselect:\n  viewer: {columns: [id], filter: {}}\n",
        },
        schema="tables:\n  public.notes:\n    columns: {id: integer}\n"
        "functions:\n  public.search_notes: {returns: public.notes}\n",
    )
    write(root, "metadata/version.yaml", "version: 2\n")
    write(root, "metadata/tables.yaml", "- table:\n    schema: public\n    name: notes\n")
    write(root, "metadata/functions.yaml", V2_FUNCTIONS)
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/functions.yaml").read_text() == V2_FUNCTIONS.replace(
        "  comment: Full-text search\n",
        "  permissions:\n    - role: planner\n    - role: viewer\n  comment: Full-text search\n",
    )


def test_config_v2_keeps_the_older_cli_s_indentless_lists(tmp_path: Path) -> None:
    """gopkg.in/yaml.v2 writes a list at its key's column; a functions.yaml without any list
    yet follows tables.yaml."""
    root = make_project(
        tmp_path,
        {
            "roles.yaml": ROLES,
            "functions.yaml": "functions:\n  search_notes:\n    viewer: {}\n",
            "tables/notes.yaml": "table: public.notes\nselect:\n  viewer: {columns: [id], filter: {}}\n",
        },
        schema="tables:\n  public.notes:\n    columns: {id: integer}\n"
        "functions:\n  public.search_notes: {returns: public.notes}\n",
    )
    write(root, "metadata/version.yaml", "version: 2\n")
    write(
        root,
        "metadata/tables.yaml",
        "- table:\n    schema: public\n    name: notes\n  select_permissions:\n  - role: viewer\n"
        "    permission:\n      columns:\n      - id\n      filter: {}\n",
    )
    write(
        root, "metadata/functions.yaml", "- function:\n    schema: public\n    name: search_notes\n"
    )
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/functions.yaml").read_text() == (
        "- function:\n    schema: public\n    name: search_notes\n  permissions:\n"
        "  - role: planner\n  - role: viewer\n"
    )
