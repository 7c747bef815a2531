"""`hasura-perm init` as a new user runs it: a fresh project, adoption from metadata folders,
a database and a live server, and never overwriting anything."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.hasura_standin import StandinServer
from tests.hasura_standin.conftest import schema_standin  # noqa: F401
from tests.hasura_standin.conftest import standin  # noqa: F401
from tests.helpers import DEFAULT_SCHEMA
from tests.helpers import load_yaml
from tests.helpers import run_cli
from tests.helpers import schema_document
from tests.helpers import tree_bytes
from tests.helpers import write
from tests.importer.helpers import block
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

FRESH_FILES = [
    "hasura-perm.yaml",
    "metadata/databases/databases.yaml",
    "metadata/databases/default/tables/tables.yaml",
    "metadata/version.yaml",
    "permissions/roles.yaml",
    "permissions/tables/example.yaml",
    "permissions/tests/first.yaml",
]
DOCUMENTS_RULE = """\
table: public.notes
select:
  user:
    columns: [id, title]
    filter: {user: {email: {_eq: x-hasura-user-id}}}
"""


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_fresh_project_has_everything_a_first_compile_needs(tmp_path: Path) -> None:
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert files_under(tmp_path) == FRESH_FILES
    assert "hasura-perm schema pull --database-url URL" in result.out
    config = load_yaml(tmp_path / "hasura-perm.yaml")
    assert config == {
        "version": 1,
        "permissions": "permissions",
        "metadata": "metadata",
        "schema": "permissions/schema.yaml",
        "source": "default",
    }
    # The metadata tree is byte for byte what compile itself writes for a new project.
    assert (tmp_path / "metadata/version.yaml").read_text() == "version: 3\n"
    assert (tmp_path / "metadata/databases/default/tables/tables.yaml").read_text() == "[]\n"
    # Once there is a snapshot, the starting point compiles as written, and a first rule
    # through a relationship works after `relationships add`.
    write(tmp_path, "permissions/schema.yaml", schema_document(DEFAULT_SCHEMA))
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.err
    assert compiled.out.startswith("Compiled 0 tables, 1 roles, 0 permissions: no changes.")
    write(tmp_path, "permissions/tables/notes.yaml", DOCUMENTS_RULE)
    missing = run_cli("compile", cwd=tmp_path)
    assert missing.code == 1
    assert "`hasura-perm relationships add --table public.notes`" in missing.err
    assert run_cli("relationships", "add", cwd=tmp_path).code == 0
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.err
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0


def test_the_first_test_file_is_skipped_until_it_has_cases(tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).code == 0
    write(tmp_path, "permissions/schema.yaml", schema_document(DEFAULT_SCHEMA))
    result = run_cli("test", cwd=tmp_path)
    assert result.code == 1
    assert "no permission tests: the files in permissions/tests/ hold no cases yet" in result.err
    assert "Traceback" not in result.err


def test_the_starting_files_are_commented(tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).code == 0
    roles = (tmp_path / "permissions/roles.yaml").read_text()
    assert load_yaml(tmp_path / "permissions/roles.yaml") == {
        "session": {"x-hasura-user-id": {"from": "sub", "type": "text"}},
        "roles": {"user": {"description": "A signed-in user"}},
    }
    assert "# conditions:" in roles and "# defaults:" in roles
    assert load_yaml(tmp_path / "permissions/tables/example.yaml") is None
    assert load_yaml(tmp_path / "permissions/tests/first.yaml") is None
    assert "# cases:" in (tmp_path / "permissions/tests/first.yaml").read_text()


@pytest.mark.parametrize(
    "existing",
    [
        "hasura-perm.yaml",
        "permissions/roles.yaml",
        "permissions/tables/mine.yaml",
        "metadata/x.yaml",
    ],
)
def test_it_never_overwrites(tmp_path: Path, existing: str) -> None:
    write(tmp_path, existing, "mine: true\n")
    before = tree_bytes(tmp_path)
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 1
    shown = existing if "/" not in existing else existing.split("/")[0] + "/"
    assert result.err.startswith(f"error: {shown} already exists in {tmp_path}")
    assert "init never overwrites" in result.err
    assert tree_bytes(tmp_path) == before


def test_it_names_everything_in_the_way(tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).code == 0
    result = run_cli("init", cwd=tmp_path)
    assert result.code == 1
    assert result.err.startswith(
        f"error: hasura-perm.yaml, permissions/, metadata/ already exist in {tmp_path}"
    )


def test_project_option_names_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = run_cli("--project", str(target), "init", cwd=tmp_path)
    assert result.code == 0, result.err
    assert files_under(target) == FRESH_FILES


def test_outside_a_project_commands_point_at_init(tmp_path: Path) -> None:
    result = run_cli("compile", cwd=tmp_path)
    assert result.code == 1
    assert "no hasura-perm.yaml found" in result.err
    assert "`hasura-perm init`" in result.err


# ------------------------------------------------------------------- adoption


def lookups() -> list[dict]:
    return [
        table_entry(
            "public.tags",
            select_permissions=[block("viewer", columns=["id", "name"], filter={})],
        )
    ]


def test_from_a_metadata_folder_points_metadata_at_it(tmp_path: Path) -> None:
    case = scenario(
        tmp_path, lookups(), snapshot_of({"public.tags": {"id": "integer", "name": "text"}})
    )
    result = run_cli("init", "--from-metadata", "metadata", "--schema", "schema.yaml", cwd=tmp_path)
    assert result.code == 0, result.err
    config = load_yaml(tmp_path / "hasura-perm.yaml")
    assert (config["metadata"], config["schema"]) == ("metadata", "schema.yaml")
    assert (tmp_path / "permissions/tests/first.yaml").is_file()
    # The import's own files, not the starting point.
    assert "viewer" in load_yaml(tmp_path / "permissions/roles.yaml")["roles"]
    assert not (tmp_path / "permissions/tables/example.yaml").exists()
    assert "imported 1 permission blocks" in result.out
    # The suggested next step works as written, in the adopted folder.
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.err
    assert "1 tables, 1 roles, 1 permissions" in compiled.out
    assert (case.metadata / "databases/default/tables/public_tags.yaml").is_file()
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0


def test_from_metadata_without_a_snapshot_writes_nothing(tmp_path: Path) -> None:
    scenario(tmp_path, lookups(), snapshot_of({"public.tags": {"id": "integer", "name": "text"}}))
    before = tree_bytes(tmp_path)
    result = run_cli("init", "--from-metadata", "metadata", cwd=tmp_path)
    assert result.code == 1
    assert "--database-url URL" in result.err and "--schema FILE" in result.err
    assert tree_bytes(tmp_path) == before


def test_from_a_config_v2_folder_writes_a_v3_metadata_folder(tmp_path: Path) -> None:
    scenario(
        tmp_path,
        lookups(),
        snapshot_of({"public.tags": {"id": "integer", "name": "text"}}),
        layout="v2",
    )
    (tmp_path / "metadata").rename(tmp_path / "old")
    result = run_cli("init", "--from-metadata", "old", "--schema", "schema.yaml", cwd=tmp_path)
    assert result.code == 0, result.err
    assert load_yaml(tmp_path / "hasura-perm.yaml")["metadata"] == "metadata"
    assert (tmp_path / "metadata/databases/default/tables/public_tags.yaml").is_file()
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0


def test_with_a_database_writes_the_snapshot(tmp_path: Path, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE orgs (id integer PRIMARY KEY, name text)")
    result = run_cli("init", "--database-url", pg_url, cwd=tmp_path)
    assert result.code == 0, result.err
    snapshot = load_yaml(tmp_path / "permissions/schema.yaml")
    assert "public.orgs" in snapshot["tables"]
    assert "schema pull" not in result.out.split("Next:")[1]
    assert run_cli("compile", cwd=tmp_path).code == 0


SECRET_VAR = "HASURA_LOCAL_ADMIN_SECRET"


def test_from_a_live_server(
    schema_standin: StandinServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    permission = {
        "columns": ["id", "title"],
        "filter": {"author": {"id": {"_eq": "X-Hasura-User-Id"}}},
    }
    args = {"table": "article", "role": "viewer", "permission": permission}
    response = schema_standin.execute({"type": "pg_create_select_permission", "args": args})
    assert response[0] == 200, response
    monkeypatch.setenv(SECRET_VAR, schema_standin.admin_secret)
    monkeypatch.delenv("HASURA_GRAPHQL_ADMIN_SECRET", raising=False)
    monkeypatch.delenv("HASURA_GRAPHQL_ENDPOINT", raising=False)
    result = run_cli("init", "--env", "local", "--endpoint", schema_standin.url, cwd=tmp_path)
    assert result.code == 0, result.err
    config = load_yaml(tmp_path / "hasura-perm.yaml")
    assert config["environments"] == {
        "local": {"endpoint": schema_standin.url, "admin_secret_env": SECRET_VAR}
    }
    article = load_yaml(tmp_path / "metadata/databases/default/tables/public_article.yaml")
    assert article["object_relationships"] == [
        {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}}
    ]
    assert "public.article" in load_yaml(tmp_path / "permissions/schema.yaml")["tables"]
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.err
    assert run_cli("plan", "--env", "local", cwd=tmp_path).code == 0  # nothing to change
    secret = schema_standin.admin_secret
    assert secret not in result.out + result.err
    assert all(secret.encode() not in data for data in tree_bytes(tmp_path).values())


def test_env_needs_an_endpoint(tmp_path: Path) -> None:
    result = run_cli("init", "--env", "staging", cwd=tmp_path)
    assert result.code == 1
    assert "--env needs --endpoint URL" in result.err
    assert files_under(tmp_path) == []


def test_a_nested_project_is_pointed_out(tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).code == 0
    inner = tmp_path / "permissions" / "sub"
    inner.mkdir()
    result = run_cli("init", cwd=inner)
    assert result.code == 0, result.err
    assert f"note: {tmp_path / 'hasura-perm.yaml'} exists; this project is nested" in result.out


@pytest.mark.parametrize("source", ["yes", "1", "db: main", "a #b"])
def test_config_values_read_back_as_written(tmp_path: Path, source: str) -> None:
    assert run_cli("init", "--source", source, cwd=tmp_path).code == 0
    assert load_yaml(tmp_path / "hasura-perm.yaml")["source"] == source
