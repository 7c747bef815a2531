"""Plan, apply and drift of remote schema permissions against the stand-in, over real HTTP:
in the same guarded bulk as the rest, verified, schemas compared as the server stores them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hasura_standin import StandinServer
from tests.helpers import write
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata

UPSTREAM = """\
type Query { countries: [Country!]! country(code: ID!): Country secret: String }
type Country { code: ID! name: String! capital: String }
"""
VIEWER_SDL = "type Query {\n  countries: [Country!]!\n}\ntype Country {\n  code: ID!\n}\n"
EDITOR_SDL = (
    "type Query {\n  countries: [Country!]!\n  country(code: ID!): Country\n}\n"
    "type Country {\n  code: ID!\n  name: String!\n}\n"
)


def remote(name: str, *perms: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": name,
        "definition": {"url": f"https://{name}.example/graphql", "timeout_seconds": 60},
    }
    if perms:
        entry["permissions"] = list(perms)
    return entry


def perm(role: str, schema: str, comment: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"role": role, "definition": {"schema": schema}}
    if comment is not None:
        out["comment"] = comment
    return out


def seed(server: StandinServer, *entries: dict[str, Any]) -> None:
    assert server.seed(example_metadata(with_permissions=True, remote_schemas=list(entries))) == []
    server.remote_upstream = {"countries": UPSTREAM}


def remote_permissions(server: StandinServer) -> dict[str, dict[str, Any]]:
    return {
        e["name"]: {p["role"]: p for p in e.get("permissions", [])}
        for e in server.export().get("remote_schemas", [])
    }


@pytest.fixture
def remote_project(project: Path) -> Path:
    write(
        project,
        "metadata/remote_schemas.yaml",
        "- name: countries\n  definition:\n    url: https://countries.example/graphql\n"
        "    timeout_seconds: 60\n",
    )
    write(
        project,
        "permissions/remote_schemas.yaml",
        "remote_schemas:\n  countries:\n    viewer: {schema_file: remote/viewer.graphql}\n"
        "    editor: {schema_file: remote/editor.graphql, comment: Editors look countries up}\n"
        "    file_service: deny\n",
    )
    write(project, "permissions/remote/viewer.graphql", VIEWER_SDL)
    write(project, "permissions/remote/editor.graphql", EDITOR_SDL)
    return project


def test_plan_apply_drift_of_remote_schema_permissions(
    remote_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    # the server holds viewer's schema already, printed its own way; partner is not ours
    seed(
        server,
        remote(
            "countries",
            perm("viewer", "type Query{countries:[Country!]!} type Country{code:ID!}"),
            perm("partner", "type Query { secret: String }"),
        ),
    )
    planned = cli("plan", "--env", "test", "--format", "json")
    assert planned.code == 2, planned.err
    described = {
        (c["kind"], c["name"], c["role"], c["change"], c["effect"])
        for c in json.loads(planned.out)["surface"]
        if c["kind"] == "remote_schema"
    }
    # viewer's schema means the same: no change; project_admin inherits editor's schema
    assert described == {
        ("remote_schema", "countries", "editor", "add", "widening"),
        ("remote_schema", "countries", "project_admin", "add", "widening"),
    }
    text = cli("plan", "--env", "test")
    assert "actions, introspection and remote schemas" in text.out
    assert "+ remote schema countries: editor gets a role-based schema" in text.out
    writes_before = len(server.requests)
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.out + applied.err
    bulks = [r.body for r in server.requests[writes_before:] if r.body.get("type") == "bulk"]
    assert len(bulks) == 1
    adds = [c["args"] for c in bulks[0]["args"] if c["type"] == "add_remote_schema_permissions"]
    assert adds[0] == {
        "remote_schema": "countries",
        "role": "editor",
        "definition": {"schema": EDITOR_SDL},
        "comment": "Editors look countries up",
    }
    now = remote_permissions(server)["countries"]
    assert set(now) == {"viewer", "partner", "editor", "project_admin"}
    assert now["editor"]["definition"]["schema"] != EDITOR_SDL  # stored printed, not as sent
    assert cli("drift", "--env", "test").code == 0
    # a console edit narrows editor's schema: drift names it, with the fields
    server.execute(
        {
            "type": "drop_remote_schema_permissions",
            "args": {"remote_schema": "countries", "role": "editor"},
        }
    )
    server.execute(
        {
            "type": "add_remote_schema_permissions",
            "args": {
                "remote_schema": "countries",
                "role": "editor",
                "definition": {"schema": VIEWER_SDL},
                "comment": "Editors look countries up",
            },
        }
    )
    drift = cli("drift", "--env", "test")
    assert drift.code == 2
    assert (
        "~ remote schema countries: editor's schema changes (-Country.name -Query.country) "
        "(changed, narrowing)" in drift.out
    ), drift.out
    # apply puts it back: a drop and an add in one bulk
    assert cli("apply", "--env", "test", "--yes").code == 0
    assert cli("drift", "--env", "test").code == 0


def test_a_remote_schema_the_server_lacks_is_refused_before_any_write(
    remote_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    seed(server, remote("weather"))
    before = server.export()
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert "remote schema(s) the project sets role-based schemas on are not defined" in result.err
    assert "countries" in result.err
    assert server.export() == before


def test_remote_schema_permissions_switched_off_on_the_server(
    remote_project: Path, cli: Cli, server: StandinServer
) -> None:
    assert cli("compile").code == 0
    seed(server, remote("countries"))
    server.remote_schema_permissions = False
    before = server.export()
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert "remote schema permissions can only be added when" in result.err
    assert "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS=true" in result.err
    assert "while adding the role-based schema of" in result.err
    assert server.export() == before  # the bulk is atomic


def test_a_schema_outside_the_remote_is_refused_by_the_server(
    remote_project: Path, cli: Cli, server: StandinServer
) -> None:
    """The subset check needs the remote's own schema: only the server can make it."""
    write(
        remote_project,
        "permissions/remote/viewer.graphql",
        "type Query { planets: [Planet] }\ntype Planet { id: ID }\n",
    )
    assert cli("compile").code == 0
    seed(server, remote("countries"))
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert '"Object": "Planet" does not exist in the upstream remote schema' in result.err
    assert remote_permissions(server)["countries"] == {}


def test_standin_refuses_what_the_engine_refuses(server: StandinServer) -> None:
    seed(server, remote("countries", perm("viewer", VIEWER_SDL)))

    def add(args: dict[str, Any]) -> tuple[int, Any]:
        return server.execute({"type": "add_remote_schema_permissions", "args": args})

    key = {"remote_schema": "countries", "role": "viewer"}
    status, body = add({**key, "definition": {"schema": VIEWER_SDL}})
    assert (status, body["code"]) == (400, "already-exists")
    assert body["error"] == (
        'permissions for role: "viewer" for remote schema:"countries" already exists'
    )
    status, body = add({**key, "remote_schema": "nope", "definition": {"schema": VIEWER_SDL}})
    assert (status, body["error"]) == (400, 'remote schema "nope" doesn\'t exist')
    status, body = add({**key, "role": "admin", "definition": {"schema": VIEWER_SDL}})
    assert (status, body["error"]) == (400, "cannot define permission for admin role")
    status, body = add({**key, "role": "x", "definition": {"schema": "type Query {"}})
    assert (status, body["code"]) == (400, "parse-failed")
    assert "parsing the schema document" in body["error"]
    status, body = server.execute(
        {"type": "drop_remote_schema_permissions", "args": {**key, "role": "editor"}}
    )
    assert (status, body["code"]) == (400, "not-exists")
