"""Metadata the language cannot express yet fails with a list of what and where; nothing is
written, nothing is silently lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.importer import read_export
from hasura_perm.importer import run as run_module
from hasura_perm.importer.run import ImportProblems
from hasura_perm.importer.run import import_permissions
from hasura_perm.schema.snapshot import snapshot_from_data
from tests.helpers import line_of
from tests.helpers import write
from tests.importer.helpers import block
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

TABLES = {
    "public.authors": {"id": "integer", "name": "text"},
    "public.articles": {"id": "integer", "title": "text", "author_id": "integer"},
}


def test_every_unsupported_feature_is_listed_with_its_place(tmp_path: Path) -> None:
    articles = table_entry(
        "public.articles",
        remote_relationships=[{"name": "reviews", "definition": {"to_remote_schema": {}}}],
        select_permissions=[
            block("viewer", columns=["id", "title"], filter={"reviews": {"score": {"_gt": 3}}}),
            block("admin", columns=["id"], filter={}),
            block("robot", columns=["id", "subtitle"], filter={"nope": {"_eq": 1}}),
        ],
        insert_permissions=[
            block("viewer", columns=["title"], check={}, set={"title": ["a", "list"]}),
        ],
        delete_permissions=[{"role": "viewer", "permission": {"filter": {}}, "owner": "bob"}],
        update_permissions=[
            block("viewer", columns=["title"], filter={}, check=None, mystery=True),
        ],
    )
    ghosts = table_entry(
        "public.ghosts", select_permissions=[block("viewer", columns=["id"], filter={})]
    )
    case = scenario(
        tmp_path, [articles, ghosts, table_entry("public.authors")], snapshot_of(TABLES)
    )
    write(
        case.metadata,
        "inherited_roles.yaml",
        [{"role_name": "staff", "role_set": ["viewer", "robot"]}],
    )
    result = case.run()
    assert result.code == 1
    assert not (tmp_path / "permissions").exists()
    err = result.err
    assert "cannot import: 6 problems (nothing was written)" in err
    articles_file = case.metadata / "databases" / "default" / "tables" / "public_articles.yaml"
    shown = "metadata/databases/default/tables/public_articles.yaml"

    def at(needle: str, occurrence: int = 1) -> str:
        return f"{shown}:{line_of(articles_file, needle, occurrence)}:1: "

    expected = [
        at("- role: admin") + "public.articles: a select permission for role `admin`",
        at("- role: viewer", 1)
        + "public.articles select for viewer: `filter` goes through remote relationship `reviews`",
        at("- role: robot")
        + "public.articles select for robot: column(s) `subtitle` not in the schema",
        at("- role: robot")
        + "public.articles select for robot: `filter` names `nope`, which is not a column",
        at("- role: viewer", 2) + "public.articles insert for viewer: cannot be expressed",
        "public.ghosts select for viewer: table public.ghosts is not in the schema snapshot",
    ]
    for fragment in expected:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    # Hasura accepts and ignores these; they are never a reason to refuse.
    assert "mystery" not in err and "owner" not in err and "inherited" not in err


def test_a_role_listed_twice_is_refused(tmp_path: Path) -> None:
    entry = table_entry(
        "public.authors",
        select_permissions=[
            block("viewer", columns=["id"], filter={}),
            block("viewer", columns=["id", "name"], filter={}),
        ],
    )
    case = scenario(tmp_path, [entry], snapshot_of(TABLES))
    result = case.run()
    assert result.code == 1
    assert "a second select permission for role viewer (first at" in result.err


def test_the_import_refuses_to_write_when_the_round_trip_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = [
        table_entry(n, select_permissions=[block("viewer", columns=["id"], filter={})])
        for n in ("public.authors", "public.articles")
    ]
    case = scenario(tmp_path, entries, snapshot_of(TABLES))
    planned = run_module.plan_files

    def lose_a_default(plan: object, origin: str) -> dict[str, str]:
        files = planned(plan, origin)  # type: ignore[arg-type]
        files.pop("defaults.yaml", None)
        files = {k: v for k, v in files.items() if not k.startswith("tables/")}
        return files

    monkeypatch.setattr(run_module, "plan_files", lose_a_default)
    result = case.run()
    assert result.code == 1
    assert (
        "nothing was written: public.articles select for viewer: in the metadata, but the "
        "imported permissions grant nothing" in result.err
    )
    assert not (tmp_path / "permissions").exists()


def test_names_the_language_cannot_hold_are_refused() -> None:
    permission = {"columns": ["id"], "filter": {"id": {"_eq": "x-hasura-user.id"}}}
    table = {
        "table": {"schema": "public", "name": "odd.name"},
        "select_permissions": [{"role": "viewer", "permission": permission}],
    }
    snapshot = snapshot_from_data({"tables": {"public.odd.name": {"columns": {"id": "integer"}}}})
    with pytest.raises(ImportProblems) as caught:
        import_permissions(
            read_export({"version": 3, "sources": [{"name": "default", "tables": [table]}]}),
            snapshot,
        )
    text = str(caught.value)
    assert "export_metadata: table name 'public'.'odd.name' has a dot or a space" in text
    assert (
        "export_metadata (public.odd.name select for viewer): session variable "
        "'x-hasura-user.id' has characters" in text
    )
