"""metadata/function_files.py: the tracked functions of a source, in both CLI layouts, and
their permissions merged the way the server exports them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.metadata.function_files import read_function_files
from hasura_perm.metadata.function_files import with_permissions
from tests.helpers import write

JORE4 = Path("/work/shared/corpus/HSLdevcom__jore4-hasura/metadata")


def test_jore4_v3_layout_reads_every_included_function() -> None:
    files = read_function_files(JORE4, "default", "v3")
    assert files.names() == [
        "infrastructure_network.find_point_direction_on_link",
        "infrastructure_network.resolve_point_to_closest_link",
        "journey_pattern.check_infra_link_stop_refs_with_new_scheduled_stop_point",
        "service_pattern.get_distances_between_stop_points_by_routes",
        "service_pattern.get_distances_between_stop_points_in_journey_patterns",
    ]
    assert all(f.position is None for f in files.functions.values())  # one file each
    assert read_function_files(JORE4, "timetables", "v3").names() == []  # `[]`


def test_v2_entries_inline_and_a_bare_name_means_public(tmp_path: Path) -> None:
    write(tmp_path, "functions.yaml", "- function: search\n  permissions:\n  - role: viewer\n")
    files = read_function_files(tmp_path, "default", "v2")
    assert files.names() == ["public.search"]
    assert files.roles_of("public.search") == ["viewer"]
    assert files.functions["public.search"].position == 0
    assert files.indentless


@pytest.mark.parametrize(
    "text",
    [
        "- function: {schema: public}\n",
        "- permissions: []\n",
        "- function: f\n  permissions: [x]\n",
    ],
)
def test_a_malformed_entry_is_a_clear_error(tmp_path: Path, text: str) -> None:
    write(tmp_path, "functions.yaml", text)
    with pytest.raises(HasuraPermError, match="functions.yaml"):
        read_function_files(tmp_path, "default", "v2")


def test_owned_roles_follow_the_grants_and_others_keep_their_place() -> None:
    entry = {
        "function": {"name": "f", "schema": "public"},
        "configuration": {"custom_name": "g"},
        "permissions": [{"role": "outsider"}, {"role": "viewer"}, {"role": "editor"}],
        "comment": "c",
    }
    out = with_permissions(entry, ["viewer", "auditor"], {"viewer", "editor", "auditor"})
    assert out["permissions"] == [{"role": "outsider"}, {"role": "viewer"}, {"role": "auditor"}]
    assert list(out) == ["function", "configuration", "permissions", "comment"]
    bare = {"function": {"name": "f", "schema": "public"}, "comment": "c"}
    assert list(with_permissions(bare, ["viewer"], {"viewer"})) == [
        "function",
        "permissions",
        "comment",
    ]
    assert with_permissions(entry, ["viewer", "editor"], {"viewer", "editor"}) is entry
    gone = with_permissions({"function": "f", "permissions": [{"role": "v"}]}, [], {"v"})
    assert gone == {"function": "f"}
