"""`hasura-perm import` as a user runs it: files, dry runs, existing folders, a live server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hasura_perm.schema.introspect import introspect
from tests.hasura_standin import StandinServer
from tests.helpers import load_yaml
from tests.helpers import run_cli
from tests.helpers import tree_bytes
from tests.helpers import write
from tests.importer.helpers import block
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

TABLES = {
    "public.tags": {"id": "integer", "name": "text"},
    "public.colors": {"id": "integer", "hex": "text"},
}


def lookups() -> list[dict]:
    return [
        table_entry(
            t,
            select_permissions=[
                block("viewer", columns=["id", "name" if "tags" in t else "hex"], filter={})
            ],
        )
        for t in TABLES
    ]


def test_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    case = scenario(tmp_path, lookups(), snapshot_of(TABLES))
    result = case.run("--dry-run")
    assert result.code == 0, result.err
    assert "(dry run: nothing written)" in result.out
    assert "Round trip: the imported permissions compile to the same 2 permissions." in result.out
    assert not (tmp_path / "permissions").exists()


def test_an_existing_permissions_folder_is_never_mixed_with_imported_files(tmp_path: Path) -> None:
    case = scenario(tmp_path, lookups(), snapshot_of(TABLES))
    write(tmp_path, "permissions/roles.yaml", "roles: {}\n")
    before = tree_bytes(tmp_path / "permissions")
    result = case.run()
    assert result.code == 1
    assert "already holds permission files" in result.err
    assert tree_bytes(tmp_path / "permissions") == before


def test_the_snapshot_may_sit_in_the_folder_it_writes_to(tmp_path: Path) -> None:
    case = scenario(tmp_path, lookups(), snapshot_of(TABLES))
    write(tmp_path, "hasura-perm.yaml", "version: 1\n")
    write(tmp_path, "permissions/schema.yaml", case.schema.read_text())
    result = run_cli("import", "--metadata", "metadata", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Next: run `hasura-perm compile`" in result.out
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.out + compiled.err
    assert "2 permissions" in compiled.out
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0


def test_without_a_snapshot_it_says_how_to_get_one(tmp_path: Path) -> None:
    scenario(tmp_path, lookups(), snapshot_of(TABLES))
    result = run_cli("import", "--metadata", "metadata", cwd=tmp_path)
    assert result.code == 1
    assert "no schema snapshot: permissions/schema.yaml does not exist" in result.err
    assert "hasura-perm schema pull" in result.err


def test_report_json_holds_the_figures(tmp_path: Path) -> None:
    case = scenario(tmp_path, lookups(), snapshot_of(TABLES))
    result = case.run("--out", "report.json")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["blocks"], report["roles"], report["table_files"]) == (2, ["viewer"], 0)
    lines = sum(len(p.read_text().splitlines()) for p in (tmp_path / "permissions").rglob("*.yaml"))
    assert report["lines_out"] == lines


SECRET_VAR = "IMPORT_TEST_ADMIN_SECRET"


def test_env_imports_from_a_live_server(
    schema_standin: StandinServer, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = {
        "columns": ["id", "title", "content"],
        "filter": {"author": {"id": {"_eq": "X-Hasura-User-Id"}}},
    }
    author = {"columns": "*", "filter": {}}
    for role in ("viewer", "editor"):
        for table, permission in (("article", article), ("author", author)):
            args = {"table": table, "role": role, "permission": permission}
            if table == "article":
                args["comment"] = "Authors see their articles"
            response = schema_standin.execute({"type": "pg_create_select_permission", "args": args})
            assert response[0] == 200, response
    write(
        tmp_path,
        "hasura-perm.yaml",
        f"""\
        version: 1
        environments:
          local:
            endpoint: {schema_standin.url}
            admin_secret_env: {SECRET_VAR}
        """,
    )
    write(tmp_path, "permissions/schema.yaml", introspect(pg_url))
    monkeypatch.setenv(SECRET_VAR, schema_standin.admin_secret)
    monkeypatch.delenv("HASURA_GRAPHQL_ADMIN_SECRET", raising=False)
    monkeypatch.delenv("HASURA_GRAPHQL_ENDPOINT", raising=False)
    result = run_cli("import", "--env", "local", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Read export_metadata of local (export_metadata, source default)" in result.out
    assert "editor inherits viewer" in result.out
    article = load_yaml(tmp_path / "permissions" / "tables" / "public.article.yaml")
    assert article["select"] == {
        "viewer": {
            "columns": {"all_except": ["author_id", "is_published", "published_on"]},
            "filter": {"author": {"id": {"_eq": "X-Hasura-User-Id"}}},
            "comment": "Authors see their articles",
        }
    }


# ------------------------------------------------- the next step works as written


RELATED = {
    "public.tags": {"id": "integer", "name": "text", "owner_id": "integer"},
    "public.owners": {"id": "integer", "name": "text"},
}


def related_entries() -> list[dict]:
    tag = table_entry(
        "public.tags",
        select_permissions=[
            block("viewer", columns=["id", "name"], filter={"owner": {"name": {"_eq": "x"}}})
        ],
    )
    tag["object_relationships"] = [
        {"name": "owner", "using": {"foreign_key_constraint_on": "owner_id"}}
    ]
    return [tag, table_entry("public.owners")]


def related_snapshot() -> dict:
    return snapshot_of(
        RELATED,
        **{
            "public.tags": {
                "foreign_keys": [
                    {
                        "name": "tags_owner_id_fkey",
                        "columns": ["owner_id"],
                        "references": "public.owners",
                        "ref_columns": ["id"],
                    }
                ]
            }
        },
    )


def test_import_points_metadata_at_the_folder_it_read(tmp_path: Path) -> None:
    scenario(tmp_path / "hasura", related_entries(), related_snapshot())
    config = "# my project\nversion: 1   # always 1\nschema: hasura/schema.yaml\n"
    write(tmp_path, "hasura-perm.yaml", config)
    result = run_cli("import", "--metadata", "hasura/metadata", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "hasura-perm.yaml: `metadata:` now names hasura/metadata (metadata/ did not exist)" in (
        result.out
    )
    assert "Next: run `hasura-perm compile` and review `git diff hasura/metadata/`." in result.out
    # The user's comments and order survive; only the key is added.
    assert (tmp_path / "hasura-perm.yaml").read_text() == config + "metadata: hasura/metadata\n"
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.err
    assert not (tmp_path / "metadata").exists()


def test_import_from_a_v2_folder_writes_the_metadata_folder(tmp_path: Path) -> None:
    scenario(tmp_path / "old", related_entries(), related_snapshot(), layout="v2")
    write(tmp_path, "hasura-perm.yaml", "version: 1\nschema: old/schema.yaml\n")
    result = run_cli("import", "--metadata", "old/metadata", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Wrote metadata/ (it did not exist): the 2 tables of" in result.out
    tags = load_yaml(tmp_path / "metadata/databases/default/tables/public_tags.yaml")
    assert tags["object_relationships"][0]["name"] == "owner"
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.err
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0


def test_without_a_project_the_next_step_names_the_metadata_folder(tmp_path: Path) -> None:
    case = scenario(tmp_path, related_entries(), related_snapshot())
    result = run_cli("import", "--metadata", "metadata", "--schema", str(case.schema), cwd=tmp_path)
    assert result.code == 0, result.err
    assert "`metadata: metadata`" in result.out


def test_compile_without_the_metadata_folder_says_why_relationships_are_unknown(
    tmp_path: Path,
) -> None:
    scenario(tmp_path / "hasura", related_entries(), related_snapshot())
    write(tmp_path, "hasura-perm.yaml", "version: 1\nschema: hasura/schema.yaml\n")
    write(tmp_path, "permissions/roles.yaml", "roles: {viewer: {}}\n")
    write(
        tmp_path,
        "permissions/tables/tags.yaml",
        "table: tags\nselect:\n  viewer: {columns: [id], filter: {owner: {name: {_eq: x}}}}\n",
    )
    result = run_cli("compile", cwd=tmp_path)
    assert result.code == 1
    assert result.err.startswith(
        "note: metadata/ (`metadata:` in hasura-perm.yaml) does not exist, so no relationships"
    )
    assert "unknown column or relationship `owner`" in result.err
