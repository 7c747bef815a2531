"""Import of action permissions and introspection options: factored through inheritance,
proved by compiling back, on acapela's real actions.yaml."""

from __future__ import annotations

from pathlib import Path

import yaml

from hasura_perm.core import yamlfmt
from hasura_perm.importer.inherited import InheritedRole
from hasura_perm.importer.surface import prove_surface
from hasura_perm.importer.surface import read_surface
from hasura_perm.importer.surface import surface_files
from hasura_perm.importer.surface import surface_roles

ACAPELA = Path("/work/shared/corpus/acapela__monorepo/metadata")


def action(name: str, *perms: dict) -> dict:
    return {"name": name, "definition": {"handler": "x"}, "permissions": list(perms)}


def test_acapela_actions_import_and_prove() -> None:
    metadata = {
        "actions": yamlfmt.load((ACAPELA / "actions.yaml").read_text(), filename="actions.yaml"),
        "graphql_schema_introspection": {"disabled_for_roles": []},
    }
    surface = read_surface(metadata, [])
    assert surface.count == 15
    roles = surface_roles({}, surface)
    assert roles == {"user": {}}
    files = {"roles.yaml": yaml.safe_dump({"roles": roles}), **surface_files(roles, surface)}
    entries = yaml.safe_load(files["actions.yaml"])["actions"]
    assert len(entries) == 15 and entries["handle_revert_url_view"] == {"user": {}}
    assert prove_surface(files, surface) is None


def test_inheritance_factors_grants_and_denies_what_a_child_must_not_get() -> None:
    metadata = {
        "actions": [
            action("a", {"role": "viewer"}, {"role": "editor"}, {"role": "admin_x"}),
            action("b", {"role": "viewer", "comment": "read"}),
            action("c", {"role": "editor", "comment": "only editors"}),
            action("d"),
        ],
        "graphql_schema_introspection": {"disabled_for_roles": ["anonymous", "viewer"]},
    }
    surface = read_surface(metadata, [])
    roles = surface_roles({"viewer": {}, "editor": {"inherits": "viewer"}}, surface)
    assert roles == {
        "admin_x": {},
        "anonymous": {"introspection": False},
        "editor": {"inherits": "viewer"},
        "viewer": {"introspection": False},
    }
    files = {"roles.yaml": yaml.safe_dump({"roles": roles}), **surface_files(roles, surface)}
    entries = yaml.safe_load(files["actions.yaml"])["actions"]
    assert entries == {
        "a": {"admin_x": {}, "viewer": {}},  # editor inherits a from viewer
        "b": {"editor": "deny", "viewer": {"comment": "read"}},
        "c": {"editor": {"comment": "only editors"}},
    }
    assert prove_surface(files, surface) is None
    # the proof is real: a wrong file is caught
    broken = dict(files, **{"actions.yaml": files["actions.yaml"].replace("deny", "{}")})
    assert "action b" in (prove_surface(broken, surface) or "")


def test_hasura_inherited_roles_become_combines_without_copies_of_actions() -> None:
    metadata = {"actions": [action("a", {"role": "viewer"})]}
    inherited = [
        InheritedRole("lead", ("viewer", "editor"), expressed=True),
        InheritedRole("left", ("nobody",), expressed=False, reason="x"),
    ]
    surface = read_surface(metadata, inherited)
    assert surface.grants == {"a": {"viewer": None}}  # Hasura derives lead's itself
    assert surface.combines == {"lead": ("viewer", "editor")}
    roles = surface_roles({"viewer": {}, "editor": {}}, surface)
    assert roles["lead"] == {"combines": ["viewer", "editor"]}
