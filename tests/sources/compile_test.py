"""Several sources in one project: table names that say their source, defaults per source,
and compile over every source."""

from __future__ import annotations

import json

from tests.helpers import run_cli
from tests.sources.support import table_text
from tests.sources.support import two_source_project

OWN_SELECT = {"reader": {"columns": "all", "filter": "own"}}


def test_each_source_gets_its_own_tables_permissions(tmp_path):
    root = two_source_project(
        tmp_path,
        {
            "tables/notes.yaml": {"table": "default:public.notes", "select": OWN_SELECT},
            "tables/report_notes.yaml": {"table": "reports:notes", "select": OWN_SELECT},
            "tables/summaries.yaml": {"table": "summaries", "select": OWN_SELECT},  # reports only
        },
    )
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err
    assert "3 tables, 1 roles, 3 permissions in 2 sources" in result.out
    # The columns come from each source's own snapshot.
    assert "- body" in table_text(root, "default", "notes")
    assert "- summary" in table_text(root, "reports", "notes")
    assert "- total" in table_text(root, "reports", "summaries")
    assert "select_permissions" not in table_text(root, "default", "users")
    check = run_cli("--project", str(root), "compile", "--check")
    assert check.code == 0, check.out + check.err


def test_a_name_in_several_sources_must_say_which(tmp_path):
    root = two_source_project(
        tmp_path, {"tables/notes.yaml": {"table": "notes", "select": OWN_SELECT}}
    )
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert (
        "permissions/tables/notes.yaml:1:1: public.notes is in the sources default, reports; "
        "say which: `default:public.notes` or `reports:public.notes`"
    ) in result.err


def test_an_unknown_source_is_an_error(tmp_path):
    root = two_source_project(
        tmp_path, {"tables/notes.yaml": {"table": "report:notes", "select": OWN_SELECT}}
    )
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "unknown source `report` (the project's sources: default, reports)" in result.err


def test_defaults_apply_per_source_or_everywhere(tmp_path):
    defaults = {
        "defaults": [
            {
                "tables": "public.*",
                "except": ["default:users", "reports:summaries"],
                "select": OWN_SELECT,
            },
            {"tables": "reports:summaries", "delete": {"reader": {"filter": "own"}}},
        ]
    }
    root = two_source_project(tmp_path, {"defaults.yaml": defaults})
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err
    for source, table in (("default", "notes"), ("reports", "notes")):
        assert "select_permissions" in table_text(root, source, table), (source, table)
    assert "select_permissions" not in table_text(root, "default", "users")
    summaries = table_text(root, "reports", "summaries")
    assert "delete_permissions" in summaries and "select_permissions" not in summaries


def test_a_pattern_matching_nothing_in_any_source_is_an_error(tmp_path):
    defaults = {"defaults": [{"tables": "audit.*", "select": OWN_SELECT}]}
    root = two_source_project(tmp_path, {"defaults.yaml": defaults})
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "this pattern matches no table in any source's schema snapshot" in result.err


def test_sources_and_source_cannot_both_be_set(tmp_path):
    config = "version: 1\nsource: default\nsources: {default: {}, reports: {}}\n"
    root = two_source_project(tmp_path, {}, config=config)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "hasura-perm.yaml:2:1: `source` and `sources` cannot both be set" in result.err


def test_one_source_projects_may_name_their_source(tmp_path):
    """`default:notes` in a one-source project is the same table file as `notes`."""
    from tests.helpers import make_project

    plain = make_project(
        tmp_path / "plain",
        {
            "roles.yaml": "roles: {reader: {}}\n",
            "t.yaml": {"table": "notes", "select": {"reader": {"columns": ["id"], "filter": {}}}},
        },
        metadata={},
    )
    named = make_project(
        tmp_path / "named",
        {
            "roles.yaml": "roles: {reader: {}}\n",
            "t.yaml": {
                "table": "default:notes",
                "select": {"reader": {"columns": ["id"], "filter": {}}},
            },
        },
        metadata={},
    )
    for root in (plain, named):
        assert run_cli("--project", str(root), "compile").code == 0
    path = "metadata/databases/default/tables/public_notes.yaml"
    assert (plain / path).read_text() == (named / path).read_text()
    other = make_project(
        tmp_path / "other",
        {
            "roles.yaml": "roles: {reader: {}}\n",
            "t.yaml": {
                "table": "main:notes",
                "select": {"reader": {"columns": ["id"], "filter": {}}},
            },
        },
        metadata={},
    )
    result = run_cli("--project", str(other), "compile")
    assert (
        result.code == 1 and "unknown source `main` (the project's sources: default)" in result.err
    )


def test_lint_runs_over_every_source_and_names_the_source(tmp_path):
    wide = {"reader": {"columns": "all", "filter": "own"}}  # owner_id and id writable
    root = two_source_project(
        tmp_path,
        {
            "tables/notes.yaml": {"table": "default:notes", "update": wide},
            "tables/report_notes.yaml": {"table": "reports:notes", "update": wide},
        },
    )
    assert run_cli("--project", str(root), "compile").code == 0
    result = run_cli("--project", str(root), "lint", "--format", "json")
    assert result.code == 3, result.err
    findings = json.loads(result.out)["problems"]
    tables = {f.get("table") for f in findings if f.get("table")}
    # The same rule on the same-named table of each source is two findings, one per source.
    assert tables == {"default:public.notes", "reports:public.notes"}
    takeovers = [f["file"] for f in findings if f["rule"] == "ownership-takeover"]
    assert takeovers == ["permissions/tables/notes.yaml", "permissions/tables/report_notes.yaml"]
    # Findings about roles (the same in every source) appear once.
    subjects = [(f["rule"], f["message"]) for f in findings if not f.get("table")]
    assert len(subjects) == len(set(subjects))


def test_lint_of_metadata_with_several_sources_lints_each(tmp_path):
    wide = {"reader": {"columns": "all", "filter": "own"}}
    root = two_source_project(
        tmp_path,
        {
            "tables/notes.yaml": {"table": "default:notes", "update": wide},
            "tables/report_notes.yaml": {"table": "reports:notes", "update": wide},
        },
    )
    assert run_cli("--project", str(root), "compile").code == 0
    metadata = str(root / "metadata")
    result = run_cli("lint", "--metadata", metadata, "--format", "json", cwd=tmp_path)
    assert result.code == 3, result.err
    tables = {f["table"] for f in json.loads(result.out)["problems"] if f["table"]}
    assert tables == {"default:public.notes", "reports:public.notes"}
    one = run_cli("lint", "--metadata", metadata, "--source", "reports", "--format", "json")
    assert {f["table"] for f in json.loads(one.out)["problems"] if f["table"]} == {"public.notes"}
    schema = str(root / "permissions" / "schema.yaml")
    both = run_cli("lint", "--metadata", metadata, "--schema", schema)
    assert both.code == 1 and "pass --source NAME with it" in both.err


def test_a_table_in_no_snapshot_is_matched_against_every_sources_tables(tmp_path):
    # `summary` is close to reports' `summaries`, which the primary source lacks.
    root = two_source_project(
        tmp_path, {"tables/summary.yaml": {"table": "summary", "select": OWN_SELECT}}
    )
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert (
        "permissions/tables/summary.yaml:1:1: table public.summary is not in any source's "
        "schema snapshot; did you mean `public.summaries`?"
    ) in result.err
    assert result.err.count("public.summary ") == 1  # reported once, not once per source
    # A name in several sources is offered with its source; a prefixed name, prefixed.
    root = two_source_project(
        tmp_path / "b", {"tables/notes.yaml": {"table": "reports:note", "select": OWN_SELECT}}
    )
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "did you mean `reports:public.notes`?" in result.err


def test_lint_of_metadata_whose_sources_have_no_default_lints_each(tmp_path):
    wide = {"reader": {"columns": "all", "filter": "own"}}
    root = two_source_project(
        tmp_path,
        {
            "tables/notes.yaml": {"table": "default:notes", "update": wide},
            "tables/report_notes.yaml": {"table": "reports:notes", "update": wide},
        },
    )
    assert run_cli("--project", str(root), "compile").code == 0
    metadata = root / "metadata"
    databases = metadata / "databases" / "databases.yaml"
    text = databases.read_text().replace("name: default", "name: main")
    databases.write_text(text.replace("include default/", "include main/"))
    (metadata / "databases" / "default").rename(metadata / "databases" / "main")
    result = run_cli("lint", "--metadata", str(metadata), "--format", "json", cwd=tmp_path)
    assert result.code == 3, result.err
    tables = {f["table"] for f in json.loads(result.out)["problems"] if f["table"]}
    assert tables == {"main:public.notes", "reports:public.notes"}
    schema = str(root / "permissions" / "schema.yaml")
    both = run_cli("lint", "--metadata", str(metadata), "--schema", schema)
    assert both.code == 1 and "pass --source NAME with it" in both.err
    one = run_cli("lint", "--metadata", str(metadata), "--schema", schema, "--source", "main")
    assert one.code == 3, one.err
