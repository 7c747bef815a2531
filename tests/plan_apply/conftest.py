"""Fixtures for plan, apply, drift and schema pull over real HTTP against the Hasura stand-in,
which runs over a real PostgreSQL database loaded with the worked example's db/schema.sql.

Every command runs with one distinctive admin secret; after each test, everything the commands
printed and every file under the test's tmp_path is scanned for it.
"""

from __future__ import annotations

import copy
import secrets
import shutil
import socket
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hasura_perm.core import yamlfmt
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from tests.hasura_standin import StandinServer
from tests.helpers import CliResult
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[2]
SECRET = f"hp-Test-Secret-{secrets.token_hex(12)}"
SECRET_VAR = "HP_TEST_ADMIN_SECRET"
IMPATIENT_TIMEOUT = 1.0  # seconds; the client timeout of environment `impatient`
SOURCE_CONFIGURATION = {"connection_info": {"database_url": {"from_env": "PG_DATABASE_URL"}}}

Cli = Callable[..., CliResult]

_PRINTED: list[str] = []  # everything the commands printed in this test


def example_tables(*, with_permissions: bool) -> list[dict[str, Any]]:
    """The worked example's table entries from metadata/ (relationships, computed fields...)."""
    meta = read_metadata(REPO / "metadata", "default")
    tables = []
    for _, table_file in sorted(meta.tables.items()):
        entry = copy.deepcopy(table_file.entry)
        if not with_permissions:
            for key in PERMISSION_KEYS.values():
                entry.pop(key, None)
        tables.append(entry)
    return tables


def example_functions(*, with_permissions: bool) -> list[dict[str, Any]]:
    """The example's tracked functions from metadata/ (their permissions only
    `with_permissions`), as the server exports them."""
    folder = REPO / "metadata/databases/default/functions"
    functions = []
    for line in (folder / "functions.yaml").read_text().splitlines():
        name = line.split("!include ", 1)[1].rstrip('"')
        entry = yamlfmt.load((folder / name).read_text(), filename=name)
        if not with_permissions:
            entry.pop("permissions", None)
        functions.append(entry)
    return functions


def example_surface() -> dict[str, Any]:
    """The example's actions (with their committed permissions) and introspection options, as
    the server exports them: the definition's output type and arguments live in
    actions.graphql in the CLI's layout and are written out here."""
    actions = yamlfmt.load((REPO / "metadata/actions.yaml").read_text(), filename="actions.yaml")
    definitions = {
        "export_project_report": {
            "type": "mutation",
            "output_type": "ProjectReport",
            "arguments": [{"name": "project_id", "type": "Int!"}],
        }
    }
    for action in actions["actions"]:
        action["definition"].update(definitions[action["name"]])
    objects = actions["custom_types"]["objects"]
    objects[0]["fields"] = [
        {"name": "project_id", "type": "Int!"},
        {"name": "url", "type": "String!"},
    ]
    introspection = yamlfmt.load(
        (REPO / "metadata/graphql_schema_introspection.yaml").read_text(), filename="x"
    )
    return {
        "actions": actions["actions"],
        "custom_types": {"objects": objects},
        "graphql_schema_introspection": introspection,
    }


def example_metadata(*, with_permissions: bool = False, **extra: Any) -> dict[str, Any]:
    """The example's tables (their permissions only `with_permissions`), its actions and
    introspection options as committed, and `extra` top-level metadata (actions and custom
    types in `extra` join the example's)."""
    source = {
        "name": "default",
        "kind": "postgres",
        "tables": example_tables(with_permissions=with_permissions),
        "functions": example_functions(with_permissions=with_permissions),
        "configuration": SOURCE_CONFIGURATION,
    }
    surface = example_surface()
    surface["actions"] += extra.pop("actions", [])
    objects = (extra.pop("custom_types", {}) or {}).get("objects", [])
    surface["custom_types"]["objects"] += objects
    return {"version": 3, "sources": [source], **surface, **extra}


@pytest.fixture
def server(pg_url: str) -> Iterator[StandinServer]:
    """The stand-in with the example's database and its tables tracked (relationships and
    computed fields from metadata/), but no permissions."""
    standin = StandinServer(pg_url, admin_secret=SECRET).start()
    try:
        standin.run_sql((REPO / "db" / "schema.sql").read_text(encoding="utf-8"))
        inconsistent = standin.seed(example_metadata())
        assert inconsistent == []
        yield standin
        for record in standin.requests:
            assert SECRET not in repr(record.body), "the admin secret was sent in a request body"
    finally:
        standin.stop()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config_text(server_url: str) -> str:
    return f"""\
version: 1
environments:
  test:
    endpoint: {server_url}
    admin_secret_env: {SECRET_VAR}
    timeout: 20
    retry_backoff: 0.05
  impatient:
    endpoint: {server_url}
    admin_secret_env: {SECRET_VAR}
    timeout: {IMPATIENT_TIMEOUT}
    retry_backoff: 0.05
  plain:
    endpoint: http://hasura.example.org
    admin_secret_env: {SECRET_VAR}
  refused:
    endpoint: http://127.0.0.1:{_closed_port()}
    admin_secret_env: {SECRET_VAR}
    retry_backoff: 0.05
  unset:
    endpoint: https://hasura.example.org
    admin_secret_env: HP_TEST_VARIABLE_NOBODY_SETS
"""


@pytest.fixture
def project(tmp_path: Path, server: StandinServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the worked example whose environment `test` is the stand-in."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(REPO / "permissions", root / "permissions")
    shutil.copytree(REPO / "metadata", root / "metadata")
    (root / "hasura-perm.yaml").write_text(config_text(server.url), encoding="utf-8")
    monkeypatch.setenv(SECRET_VAR, SECRET)
    monkeypatch.delenv("HASURA_GRAPHQL_ENDPOINT", raising=False)
    monkeypatch.delenv("HASURA_GRAPHQL_ADMIN_SECRET", raising=False)
    return root


@pytest.fixture
def cli(project: Path) -> Cli:
    """Run `hasura-perm ARGS` in the project folder, in this process; output is recorded."""

    def run(*args: str) -> CliResult:
        result = run_cli(*args, cwd=project)
        _PRINTED.extend([result.out, result.err])
        return result

    return run


@pytest.fixture(autouse=True)
def secret_never_leaks(tmp_path: Path) -> Iterator[None]:
    _PRINTED.clear()
    yield
    for text in _PRINTED:
        assert SECRET not in text, "the admin secret was printed"
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), f"the admin secret is in {path}"
