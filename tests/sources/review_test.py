"""matrix, explain and diff on a project with several sources."""

from __future__ import annotations

import json
import subprocess

from tests.helpers import run_cli
from tests.helpers import write
from tests.sources.support import two_source_project

OWN = {"reader": {"columns": ["id", "owner_id"], "filter": "own"}}
FILES = {
    "tables/notes.yaml": {"table": "default:notes", "select": OWN},
    "tables/report_notes.yaml": {"table": "reports:notes", "select": OWN},
}


def test_matrix_rows_name_their_source(tmp_path):
    root = two_source_project(tmp_path, FILES)
    result = run_cli("--project", str(root), "matrix", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["tables"] == ["default:public.notes", "reports:public.notes"]
    only = run_cli("--project", str(root), "matrix", "--table", "reports:*")
    assert "reports:public.notes" in only.out and "default:public.notes" not in only.out


def test_explain_takes_the_source_from_the_table_name(tmp_path):
    summaries = {"table": "summaries", "select": OWN}
    root = two_source_project(tmp_path, {**FILES, "tables/summaries.yaml": summaries})
    args = ("--project", str(root), "explain", "--role", "reader", "--action", "select")
    result = run_cli(*args, "--table", "reports:notes", "--format", "json")
    assert result.code == 0, result.err
    assert "permissions/tables/report_notes.yaml" in result.out
    ambiguous = run_cli(*args, "--table", "notes")
    assert ambiguous.code == 1
    assert "public.notes is in several sources; say which" in ambiguous.err
    only_reports = run_cli(*args, "--table", "summaries")
    assert only_reports.code == 0, only_reports.err  # one source has it: no prefix needed
    assert "permissions/tables/summaries.yaml" in only_reports.out


def test_diff_between_revisions_over_every_source(tmp_path):
    root = two_source_project(tmp_path, FILES)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    wider = {"reader": {"columns": ["id", "owner_id", "summary"], "filter": "own"}}
    write(root, "permissions/tables/report_notes.yaml", {"table": "reports:notes", "select": wider})
    result = run_cli("--project", str(root), "diff", "--base", "main", "--format", "json")
    assert result.code == 2, result.err  # changes found
    changes = json.loads(result.out)["changes"]
    assert [(c["table"], c["effect"]) for c in changes] == [("reports:public.notes", "widening")]


def test_diff_from_one_source_to_two_matches_the_primary_sources_tables(tmp_path):
    # The base has one source (default); the head adds `reports`: default's tables are the
    # same tables on both sides, so only the new source's permissions are changes.
    single = "version: 1\nsource: default\nschema: permissions/schema.yaml\n"
    root = two_source_project(tmp_path, {"tables/notes.yaml": {"table": "notes", "select": OWN}})
    write(root, "hasura-perm.yaml", single)
    (root / "permissions" / "schema.reports.yaml").unlink()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    commit = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one source"]
    subprocess.run(commit, cwd=root, check=True)
    subprocess.run(["git", "tag", "one"], cwd=root, check=True)
    two_source_project(root, FILES)  # now two sources, default's rule unchanged
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*commit[:-1], "two sources"], cwd=root, check=True)
    result = run_cli("--project", str(root), "diff", "--base", "one", "--format", "json")
    assert result.code == 2, result.err
    changes = json.loads(result.out)["changes"]
    assert [(c["table"], c["change"]) for c in changes] == [("reports:public.notes", "add")]
    back = run_cli("--project", str(root), "diff", "--base", "HEAD", "--head", "one")
    assert back.code == 2, back.err
    assert "reports:public.notes" in back.out and "default:public.notes" not in back.out
