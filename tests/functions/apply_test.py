"""Plan, apply and drift of function permissions against the stand-in over real HTTP (the
example's tracked function public.search_projects), and the stand-in's two commands as the
engine's Hasura/Function/API.hs runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.hasura_standin import StandinServer
from tests.helpers import write
from tests.plan_apply.conftest import Cli
from tests.plan_apply.conftest import example_metadata

SEARCH = {"schema": "public", "name": "search_projects"}


def seed(server: StandinServer, roles: list[str]) -> None:
    metadata = example_metadata(with_permissions=True)
    [function] = metadata["sources"][0]["functions"]
    function.pop("permissions", None)
    if roles:
        function["permissions"] = [{"role": r} for r in roles]
    assert server.seed(metadata) == []


def live_roles(server: StandinServer) -> list[str]:
    [function] = server.export()["sources"][0]["functions"]
    return [p["role"] for p in function.get("permissions", [])]


def grant(role: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "pg_create_function_permission",
        "args": {"function": SEARCH, "role": role, **extra},
    }


def test_plan_apply_drift_of_function_permissions(cli: Cli, server: StandinServer) -> None:
    seed(server, ["outsider", "editor", "file_service"])  # outsider: a role we do not own
    planned = cli("plan", "--env", "test", "--format", "json")
    assert planned.code == 2, planned.err
    functions = {
        (c["name"], c["role"], c["change"], c["effect"])
        for c in json.loads(planned.out)["surface"]
        if c["kind"] == "function"
    }
    assert functions == {
        ("public.search_projects", "file_service", "remove", "narrowing"),
        ("public.search_projects", "viewer", "add", "widening"),
        ("public.search_projects", "project_admin", "add", "widening"),
    }
    text = cli("plan", "--env", "test")
    assert "+ function public.search_projects granted to viewer (add, widening)" in text.out
    assert "- function public.search_projects no longer granted to file_service" in text.out
    applied = cli("apply", "--env", "test", "--yes")
    assert applied.code == 0, applied.out + applied.err
    assert applied.err == ""  # nothing else on the server moved
    assert sorted(live_roles(server)) == ["editor", "outsider", "project_admin", "viewer"]
    assert cli("drift", "--env", "test").code == 0
    assert cli("plan", "--env", "test").code == 0
    # a console edit: drift names it
    server.execute(
        {"type": "pg_drop_function_permission", "args": {"function": SEARCH, "role": "viewer"}}
    )
    drift = cli("drift", "--env", "test")
    assert drift.code == 2
    assert "function public.search_projects no longer granted to viewer (missing, narrowing)" in (
        drift.out
    )


def test_granting_an_untracked_function_is_refused_before_any_write(
    cli: Cli, server: StandinServer
) -> None:
    metadata = example_metadata(with_permissions=True)
    metadata["sources"][0].pop("functions")
    assert server.seed(metadata) == []
    before = server.export()
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert (
        "1 function(s) the project grants are not tracked on test: public.search_projects"
        in result.err
    )
    assert server.export() == before


def test_a_concurrent_grant_is_a_400_naming_the_function(cli: Cli, server: StandinServer) -> None:
    seed(server, [])
    server.faults.edit_after_next_export(grant("project_admin"))
    result = cli("apply", "--env", "test", "--yes")
    assert result.code == 1
    assert (
        "while creating the permission of project_admin to call function "
        'public.search_projects: permission of role "project_admin" already exists for '
        'function "search_projects" in source: "default" (HTTP 400 already-exists); nothing of '
        "this plan was applied"
    ) in result.err
    assert live_roles(server) == ["project_admin"]  # the console's, nothing of ours


def test_standin_create_and_drop_follow_the_engine(server: StandinServer) -> None:
    seed(server, ["viewer"])
    status, body = server.execute(grant("viewer"))
    assert (status, body["code"]) == (400, "already-exists")
    assert body["error"] == (
        'permission of role "viewer" already exists for function "search_projects" in '
        'source: "default"'
    )
    # a role the metadata does not know at all: the engine's role map lacks it
    status, body = server.execute(grant("stranger"))
    assert (status, body["code"]) == (400, "not-supported")
    assert body["error"] == (
        'function permission can only be added when the function\'s return table "projects" '
        'has select permission configured for role: "stranger"'
    )
    # a known role passes, select or not (the role map holds every role of the metadata)
    assert server.execute(grant("file_service")) == (200, {"message": "success"})
    assert live_roles(server) == ["file_service", "viewer"]  # prepended, as `%~ (:)` does
    status, body = server.execute(
        {"type": "pg_create_function_permission", "args": {"function": "nope", "role": "viewer"}}
    )
    assert (status, body["code"]) == (400, "not-exists")
    assert body["error"] == 'function "nope" does not exist in source: default'
    status, body = server.execute(
        {"type": "pg_drop_function_permission", "args": {"function": SEARCH, "role": "editor"}}
    )
    assert (status, body["code"]) == (400, "not-exists")
    assert body["error"] == (
        'permission of role "editor" does not exist for function "search_projects" in '
        'source: "default"'
    )
    status, body = server.execute({"type": "pg_create_function_permission", "args": {"role": "x"}})
    assert (status, body["code"]) == (400, "parse-failed")
    assert body["error"].startswith("Error when parsing command create_function_permission.")
    assert body["error"].endswith('Internal error message: key "function" not found')
    # the drop of the last role leaves the entry without `permissions`, as the export shows it
    for role in ("file_service", "viewer"):
        server.execute(
            {"type": "pg_drop_function_permission", "args": {"function": SEARCH, "role": role}}
        )
    [function] = server.export()["sources"][0]["functions"]
    assert function == {"function": SEARCH}


def test_compile_then_plan_agree_with_the_example_metadata(project: Path, cli: Cli) -> None:
    """The committed example already holds the compiled function permissions."""
    assert cli("compile", "--check").code == 0
    write(
        project, "permissions/functions.yaml", "functions:\n  search_projects:\n    viewer: deny\n"
    )
    assert cli("compile").code == 0
    text = (
        project / "metadata/databases/default/functions/public_search_projects.yaml"
    ).read_text()
    assert text == "function:\n  name: search_projects\n  schema: public\n"


def test_a_saved_plan_of_function_grants_applies(
    cli: Cli, server: StandinServer, tmp_path: Path
) -> None:
    """check_saved_plan compares each function change with what the server holds."""
    seed(server, ["file_service"])
    saved = tmp_path / "plan.json"
    assert cli("plan", "--env", "test", "--out", str(saved)).code == 2
    kinds = {c["kind"] for c in json.loads(saved.read_text())["surface"]}
    assert kinds == {"function"}
    applied = cli("apply", "--env", "test", "--plan", str(saved), "--yes")
    assert applied.code == 0, applied.out + applied.err
    assert sorted(live_roles(server)) == ["editor", "project_admin", "viewer"]
