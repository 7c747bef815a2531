"""Import of function permissions: read from both layouts and an export, factored through
inheritance, proved by compiling back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from hasura_perm.importer.run import import_permissions
from hasura_perm.importer.surface import prove_surface
from hasura_perm.importer.surface import read_surface
from hasura_perm.importer.surface import surface_files
from hasura_perm.importer.surface import surface_roles
from hasura_perm.metadata.read import read_metadata_dir
from hasura_perm.schema.snapshot import load_snapshot
from tests.helpers import write

REPO = Path(__file__).resolve().parents[2]
JORE4 = Path("/work/shared/corpus/HSLdevcom__jore4-hasura/metadata")
BY_ROUTES = "service_pattern_get_distances_between_stop_points_by_routes.yaml"


def test_the_example_imports_and_factors_through_inheritance() -> None:
    read = read_metadata_dir(REPO / "metadata")
    assert read.functions == {"public.search_projects": ["editor", "project_admin", "viewer"]}
    surface = read_surface(read.metadata, [], read.functions)
    roles = surface_roles(
        {"viewer": {}, "editor": {"inherits": "viewer"}, "project_admin": {"inherits": "editor"}},
        surface,
    )
    files = {"roles.yaml": yaml.safe_dump({"roles": roles}), **surface_files(roles, surface)}
    assert yaml.safe_load(files["functions.yaml"]) == {
        "functions": {"public.search_projects": {"viewer": {}}}
    }
    assert prove_surface(files, surface) is None
    # the proof is real: a grant the metadata lacks is caught
    broken = dict(
        files,
        **{
            "functions.yaml": "functions:\n  public.search_projects:\n    editor: deny\n    viewer: {}\n"
        },
    )
    assert "function public.search_projects" in (prove_surface(broken, surface) or "")


def test_jore4_functions_read_in_the_v3_layout(tmp_path: Path) -> None:
    shutil.copytree(JORE4, tmp_path / "metadata")
    path = tmp_path / "metadata/databases/default/functions" / BY_ROUTES
    path.write_text(path.read_text() + "permissions:\n  - role: planner\n  - role: viewer\n")
    read = read_metadata_dir(tmp_path / "metadata")
    assert len(read.functions) == 5
    grants = {f: roles for f, roles in read.functions.items() if roles}
    assert grants == {
        "service_pattern.get_distances_between_stop_points_by_routes": ["planner", "viewer"]
    }
    surface = read_surface(read.metadata, [], read.functions)
    roles = surface_roles({}, surface)
    assert roles == {"planner": {}, "viewer": {}}  # seen only here: declared
    files = {"roles.yaml": yaml.safe_dump({"roles": roles}), **surface_files(roles, surface)}
    assert prove_surface(files, surface) is None


def test_config_v2_and_export_json(tmp_path: Path) -> None:
    write(tmp_path, "v2/version.yaml", "version: 2\n")
    write(tmp_path, "v2/tables.yaml", "- table:\n    schema: public\n    name: notes\n")
    write(
        tmp_path,
        "v2/functions.yaml",
        "- function:\n    schema: public\n    name: search_notes\n  permissions:\n  - role: viewer\n",
    )
    assert read_metadata_dir(tmp_path / "v2").functions == {"public.search_notes": ["viewer"]}
    export = {
        "resource_version": 3,
        "metadata": {
            "version": 3,
            "sources": [
                {
                    "name": "default",
                    "kind": "postgres",
                    "tables": [],
                    "functions": [
                        {
                            "function": {"name": "f", "schema": "api"},
                            "permissions": [{"role": "r"}],
                        },
                        {"function": "g"},
                    ],
                    "configuration": {},
                }
            ],
        },
    }
    write(tmp_path, "export.json", json.dumps(export))
    assert read_metadata_dir(tmp_path / "export.json").functions == {"api.f": ["r"], "public.g": []}


def test_import_notes_a_function_grant_compile_would_refuse() -> None:
    read = read_metadata_dir(REPO / "metadata")
    read.functions["public.search_projects"].append("stranger")  # known to Hasura, no select
    snapshot = load_snapshot(REPO / "permissions/schema.yaml")
    result = import_permissions(read, snapshot)
    assert "functions.yaml" in result.files
    notes = result.report.notes
    assert "3 function permission(s) on 1 function(s) -> functions.yaml" not in notes
    assert "4 function permission(s) on 1 function(s) -> functions.yaml" in notes
    assert (
        "function public.search_projects: stranger cannot select public.projects, so Hasura "
        "shows them no field for it and compile refuses the grant; grant the select or remove "
        "the function grant from functions.yaml"
    ) in notes
