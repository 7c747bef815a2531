"""Plan's pre-flight: a rule that uses a relationship or computed field the server does not
have is named before anything is sent, and apply refuses."""

from __future__ import annotations

from typing import Any

from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata


def without(metadata: dict[str, Any], table: str, key: str, name: str) -> dict[str, Any]:
    for entry in metadata["sources"][0]["tables"]:
        if entry["table"]["name"] == table:
            entry[key] = [r for r in entry.get(key) or [] if r["name"] != name]
            if not entry[key]:
                del entry[key]
    return metadata


def test_plan_names_what_the_server_lacks(server: StandinServer, cli: Cli) -> None:
    metadata = without(example_metadata(), "project_notes", "object_relationships", "project")
    metadata = without(metadata, "projects", "computed_fields", "note_count")
    server.seed(metadata)
    result = cli("plan", "--env", "test")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[:2] == [
        "error:",
        "2 relationship(s) or computed field(s) the rules use do not exist on test; "
        "nothing was sent:",
    ]
    assert lines[2].startswith(
        "  relationship `project` on public.project_notes (used by public.project_notes "
    )
    assert lines[3].startswith("  computed field `note_count` on public.projects (used by ")
    assert "hasura-perm manages permissions, not relationships" in result.err


def test_apply_refuses_and_sends_nothing(server: StandinServer, cli: Cli) -> None:
    server.seed(without(example_metadata(), "project_notes", "object_relationships", "project"))
    before = server.export()
    sent_before = len(server.requests)
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert "relationship `project` on public.project_notes" in result.err
    assert server.export() == before
    sent = {r.type for r in server.requests[sent_before:]}
    assert sent == {"export_metadata"}


def test_a_server_with_everything_plans_as_before(server: StandinServer, cli: Cli) -> None:
    result = cli("plan", "--env", "test")
    assert result.code == 2, result.err
