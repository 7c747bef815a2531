"""`hasura-perm diff` on real git repositories made in the test: every kind of change and its
classification, the outputs, exit codes and errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest

from hasura_perm.remote.plan import Change
from tests.helpers import run_cli
from tests.review.repo import GitRepo
from tests.review.repo import small_project
from tests.review.repo import worked_example

N = "permissions/tables/public.notes.yaml"
U = "permissions/tables/public.users.yaml"
D = "permissions/definitions.yaml"
NOTES, USERS = "public.notes", "public.users"

Edit = tuple[str, str, str]  # file, old text, new text


@dataclass
class Case:
    id: str
    edits: list[Edit]
    expected: set[tuple[str, str, str, str, str]]  # table, action, role, change, effect
    fields: dict[str, str] = field(default_factory=dict)  # field -> effect, for the one change
    base_edits: list[Edit] = field(default_factory=list)


VIEWER_COLUMNS = "columns: [id, title, org_id, score]"
VIEWER_FILTER = "filter: {_and: [not_deleted, same_org]}"
EDITOR_OR = "{_or: [same_org, own]}"
SERVICE_FILTER = "filter: {score: {_gt: 10}}"
DELETE_FILTER = "{score: {_in: [1, 2]}}"
UPDATE_RULE = "    filter: own\n    check: own\n"


def upd(table: str, action: str, role: str, effect: str) -> tuple[str, str, str, str, str]:
    return (table, action, role, "update", effect)


CASES = [
    Case(
        "columns granted",
        [(N, VIEWER_COLUMNS, "columns: [id, title, body, org_id, score]")],
        {upd(NOTES, "select", "viewer", "widening")},
        {"columns": "widening"},
    ),
    Case(
        "columns revoked",
        [(N, VIEWER_COLUMNS, "columns: [id, title, org_id]")],
        {upd(NOTES, "select", "viewer", "narrowing")},
        {"columns": "narrowing"},
    ),
    Case(
        "columns swapped",
        [(N, VIEWER_COLUMNS, "columns: [id, title, org_id, body]")],
        {upd(NOTES, "select", "viewer", "mixed")},
        {"columns": "mixed"},
    ),
    Case(
        "conjunct removed",
        [(N, VIEWER_FILTER, "filter: same_org")],
        {upd(NOTES, "select", "viewer", "widening")},
        {"filter": "widening"},
    ),
    Case(
        "conjunct added",
        [(N, VIEWER_FILTER, "filter: {_and: [not_deleted, same_org, big]}")],
        {upd(NOTES, "select", "viewer", "narrowing")},
        {"filter": "narrowing"},
    ),
    Case(
        "filter becomes every row",
        [(N, VIEWER_FILTER, "filter: {}")],
        {upd(NOTES, "select", "viewer", "widening")},
        {"filter": "widening"},
    ),
    Case(
        "check from every row to a condition",
        [(N, "check: {}", "check: own")],
        {upd(NOTES, "insert", "service", "narrowing")},
        {"check": "narrowing"},
    ),
    Case(
        "disjunct added",
        [(N, EDITOR_OR, "{_or: [same_org, own, big]}")],
        {upd(NOTES, "select", "editor", "widening")},
        {"filter": "widening"},
    ),
    Case(
        "disjunct removed",
        [(N, EDITOR_OR, "{_or: [same_org]}")],
        {upd(NOTES, "select", "editor", "narrowing")},
        {"filter": "narrowing"},
    ),
    Case(
        "bound loosened (strictly weaker)",
        [(N, SERVICE_FILTER, "filter: {score: {_gt: 5}}")],
        {upd(NOTES, "select", "service", "widening")},
        {"filter": "widening"},
    ),
    Case(
        "bound tightened (strictly stronger)",
        [(N, SERVICE_FILTER, "filter: {score: {_gte: 20}}")],
        {upd(NOTES, "select", "service", "narrowing")},
        {"filter": "narrowing"},
    ),
    Case(
        "unrelated condition (undecidable)",
        [(N, SERVICE_FILTER, "filter: {score: {_lt: 10}}")],
        {upd(NOTES, "select", "service", "mixed")},
        {"filter": "mixed"},
    ),
    Case(
        "_in list grows",
        [(N, DELETE_FILTER, "{score: {_in: [1, 2, 3]}}")],
        {upd(NOTES, "delete", "editor", "widening")},
        {"filter": "widening"},
    ),
    Case(
        "_in replaced by one of its values",
        [(N, DELETE_FILTER, "{score: {_eq: 1}}")],
        {upd(NOTES, "delete", "editor", "narrowing")},
        {"filter": "narrowing"},
    ),
    Case(
        "_and becomes _or",
        [(N, VIEWER_FILTER, "filter: {_or: [not_deleted, same_org]}")],
        {upd(NOTES, "select", "viewer", "widening")},
        {"filter": "widening"},
    ),
    Case(
        "bound loosened under _not",
        [(N, "filter: {_not: {score: {_gt: 10}}}", "filter: {_not: {score: {_gt: 5}}}")],
        {upd(NOTES, "select", "service", "narrowing")},
        {"filter": "narrowing"},
        base_edits=[(N, SERVICE_FILTER, "filter: {_not: {score: {_gt: 10}}}")],
    ),
    Case(
        "condition through a relationship loosened",
        [(U, "{notes: {score: {_gt: 10}}}", "{notes: {score: {_gt: 5}}}")],
        {upd(USERS, "select", "service", "widening")},
        {"filter": "widening"},
    ),
    Case(
        "named condition redefined",
        [
            (
                D,
                "not_deleted: {is_deleted: {_eq: false}}",
                "not_deleted: {_or: [{is_deleted: {_eq: false}}, big]}",
            )
        ],
        {upd(NOTES, "select", "viewer", "widening"), upd(NOTES, "select", "editor", "widening")},
    ),
    Case(
        "condition replaced by a weaker named condition",
        [
            (
                D,
                "  big: {score: {_gt: 10}}\n",
                "  big: {score: {_gt: 10}}\n  fair: {score: {_gt: 5}}\n",
            ),
            (N, SERVICE_FILTER, "filter: fair"),
        ],
        {upd(NOTES, "select", "service", "widening")},
        {"filter": "widening"},
    ),
    Case("same condition, now by name", [(N, SERVICE_FILTER, "filter: big")], set()),
    Case(
        "preset added",
        [(N, UPDATE_RULE, UPDATE_RULE + "    set: stamp\n")],
        {upd(NOTES, "update", "editor", "narrowing")},
        {"set": "narrowing"},
    ),
    Case(
        "preset removed",
        [(N, "    set: stamp\n", "")],
        {upd(NOTES, "insert", "editor", "widening")},
        {"set": "widening"},
    ),
    Case(
        "preset value changed",
        [(D, "stamp: {created_by: x-hasura-user-db-id}", "stamp: {created_by: x-hasura-org-id}")],
        {upd(NOTES, "insert", "editor", "mixed")},
        {"set": "mixed"},
    ),
    Case(
        "limit lowered",
        [(N, "limit: 100", "limit: 50")],
        {upd(NOTES, "select", "viewer", "narrowing")},
        {"limit": "narrowing"},
    ),
    Case(
        "limit removed",
        [(N, "    limit: 100\n", "")],
        {upd(NOTES, "select", "viewer", "widening")},
        {"limit": "widening"},
    ),
    Case(
        "aggregations allowed",
        [(N, "    limit: 100\n", "    limit: 100\n    allow_aggregations: true\n")],
        {upd(NOTES, "select", "viewer", "widening")},
        {"allow_aggregations": "widening"},
    ),
    Case(
        "aggregations withdrawn",
        [(N, "    allow_aggregations: true\n", "")],
        {upd(NOTES, "select", "editor", "narrowing")},
        {"allow_aggregations": "narrowing"},
    ),
    Case(
        "root field added",
        # select_aggregate needs allow_aggregations (validateAllowedRootFields), so both change.
        [
            (
                N,
                "    query_root_fields: [select, select_by_pk]\n",
                "    query_root_fields: [select, select_by_pk, select_aggregate]\n"
                "    allow_aggregations: true\n",
            )
        ],
        {upd(NOTES, "select", "service", "widening")},
        {"query_root_fields": "widening", "allow_aggregations": "widening"},
    ),
    Case(
        "root field removed",
        [(N, "[select, select_by_pk]", "[select]")],
        {upd(NOTES, "select", "service", "narrowing")},
        {"query_root_fields": "narrowing"},
    ),
    Case(
        "root fields unrestricted",
        [(N, "    query_root_fields: [select, select_by_pk]\n", "")],
        {upd(NOTES, "select", "service", "widening")},
        {"query_root_fields": "widening"},
    ),
    Case(
        "computed field granted",
        [(N, "    limit: 100\n", "    limit: 100\n    computed_fields: [title_upper]\n")],
        {upd(NOTES, "select", "viewer", "widening")},
        {"computed_fields": "widening"},
    ),
    Case(
        "backend_only dropped",
        [(N, "    backend_only: true\n", "")],
        {upd(NOTES, "insert", "service", "widening")},
        {"backend_only": "widening"},
    ),
    Case(
        "input validation added",
        [
            (
                N,
                "    backend_only: true\n",
                "    backend_only: true\n"
                "    validate_input: {type: http, definition: {url: 'https://v.example.org'}}\n",
            )
        ],
        {upd(NOTES, "insert", "service", "narrowing")},
        {"validate_input": "narrowing"},
    ),
    Case(
        "update check relaxed",
        [(N, UPDATE_RULE, "    filter: own\n    check: {}\n")],
        {upd(NOTES, "update", "editor", "widening")},
        {"check": "widening"},
    ),
    Case(
        "comment only",
        [(N, "comment: Backend reads big notes", "comment: Backend reads notes above ten")],
        {upd(NOTES, "select", "service", "neutral")},
        {"comment": "neutral"},
    ),
    Case(
        "columns granted while the filter narrows",
        [
            (N, VIEWER_COLUMNS, "columns: [id, title, body, org_id, score]"),
            (N, VIEWER_FILTER, "filter: {_and: [not_deleted, same_org, big]}"),
        ],
        {upd(NOTES, "select", "viewer", "mixed")},
        {"columns": "widening", "filter": "narrowing"},
    ),
    Case(
        "permission added",
        [(N, "delete:\n", "delete:\n  viewer:\n    filter: own\n")],
        {(NOTES, "delete", "viewer", "add", "widening")},
    ),
    Case(
        "permission denied",
        [(N, "  editor:\n    filter: {_and: [own, {score: {_in: [1, 2]}}]}\n", "  editor: deny\n")],
        {(NOTES, "delete", "editor", "remove", "narrowing")},
    ),
    Case(
        "inheritance dropped",
        [(D, "editor: {inherits: viewer}", "editor: {description: Edits}")],
        {(USERS, "select", "editor", "remove", "narrowing")},
    ),
    Case(
        "rule moved to a default, same meaning",
        [
            (U, "  viewer:\n    columns: [id, name]\n    filter: same_org\n", ""),
            (
                D,
                "presets:",
                "defaults:\n  - tables: public.users\n    select:\n"
                "      viewer: {columns: [id, name], filter: same_org}\npresets:",
            ),
        ],
        set(),
    ),
]


def diff_json(repo: GitRepo, *args: str) -> dict[str, Any]:
    result = run_cli("diff", *args, "--format", "json", cwd=repo.project)
    report = json.loads(result.out)
    # Exit 2 when there are changes, 0 when there are none: as plan, drift, compile --check.
    assert result.code == (2 if report["changes"] else 0), result.err
    return report


def apply_edits(repo: GitRepo, edits: list[Edit]) -> None:
    for path, old, new in edits:
        repo.edit(path, old, new)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_kind_of_change_is_classified(tmp_path: Path, case: Case) -> None:
    repo = small_project(tmp_path / "repo")
    if case.base_edits:
        apply_edits(repo, case.base_edits)
        repo.commit("base edits")
    apply_edits(repo, case.edits)
    repo.commit(case.id)

    report = diff_json(repo, "--base", "HEAD~1", "--head", "HEAD")

    found = {
        (c["table"], c["action"], c["role"], c["change"], c["effect"]) for c in report["changes"]
    }
    assert found == case.expected
    if case.fields:
        (change,) = report["changes"]
        effects = {name: f["effect"] for name, f in change["detail"]["fields"].items()}
        assert effects == case.fields


def test_change_records_are_the_shared_record_plus_rule_sources(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.edit(N, VIEWER_FILTER, "filter: same_org")
    report = diff_json(repo, "--base", "main")

    assert report["format"] == "hasura-perm diff"
    assert report["head"] == {"ref": "working tree", "commit": None}
    assert report["base"]["ref"] == "main" and len(report["base"]["commit"]) == 40
    assert report["summary"] == {
        "changes": 1, "add": 0, "update": 1, "remove": 0,
        "widening": 1, "narrowing": 0, "mixed": 0, "neutral": 0, "tables": 1,
    }  # fmt: skip
    (record,) = report["changes"]
    shared = Change.from_json(record)  # the plan/apply record reads it back
    assert (shared.table.name, shared.action, shared.role) == ("notes", "select", "viewer")
    assert record["detail"]["fields"]["filter"]["removed_conjuncts"] == [
        {"is_deleted": {"_eq": False}}
    ]
    before, after = record["rule"]["before"], record["rule"]["after"]
    assert before["origin"] == after["origin"] == "table file"
    assert before["location"] == after["location"] == f"{N}:3:3"
    assert before["rule"]["filter"] == {"_and": ["not_deleted", "same_org"]}
    assert before["conditions"] == {"filter": ["not_deleted", "same_org"]}
    assert after["conditions"] == {"filter": ["same_org"]}


def test_text_shows_summary_old_and_new_and_where_the_rule_is(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.edit(N, VIEWER_FILTER, "filter: same_org")
    repo.edit(N, VIEWER_COLUMNS, "columns: [id, title, body, org_id]")
    repo.edit(D, "editor: {inherits: viewer}", "editor: {description: Edits}")

    result = run_cli("diff", "--base", "main", cwd=repo.project)

    assert result.code == 2
    lines = result.out.splitlines()
    assert lines[0].startswith("hasura-perm diff: main (") and lines[0].endswith(
        ") -> working tree"
    )
    assert lines[1] == "1 mixed, 1 narrowing across 2 tables."
    text = result.out
    assert "public.notes\n  ~ select viewer (mixed)\n" in text
    assert "      columns: granted body; revoked score (mixed)\n" in text
    assert "      filter (widening)\n" in text
    assert (
        '        old: {"_and":[{"is_deleted":{"_eq":false}},{"org_id":{"_eq":"x-hasura-org-id"}}]}\n'
        in text
    )
    assert '        new: {"org_id":{"_eq":"x-hasura-org-id"}}\n' in text
    assert '        removed: {"is_deleted":{"_eq":false}}\n' in text
    assert '        as written: {"_and":["not_deleted","same_org"]} -> "same_org"\n' in text
    assert f"      rule: {N}:3:3 (table file)\n" in text
    assert "public.users\n  - select editor (narrowing)\n" in text
    assert f"      rule was: {U}:3:3 (inherited from viewer (table file))\n" in text
    # The mixed table comes before the narrowing one.
    assert text.index("public.notes") < text.index("public.users")


def test_a_redefined_condition_is_named_with_its_place(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.edit(D, "same_org: {org_id: {_eq: x-hasura-org-id}}", "same_org: {org_id: {_in: [1, 2]}}")

    report = diff_json(repo, "--base", "main")

    users = [c for c in report["changes"] if c["table"] == USERS]
    assert {c["role"] for c in users} == {"viewer", "editor"}
    for change in users:
        assert change["changed_conditions"] == [{"name": "same_org", "location": f"{D}:11:3"}]
    text = run_cli("diff", "--base", "main", cwd=repo.project).out
    assert f"condition same_org changed its definition ({D}:11:3)" in text


def test_working_tree_without_changes(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    result = run_cli("diff", "--base", "HEAD", "--fail-on", "widening", cwd=repo.project)
    assert (result.code, result.out.splitlines()[1]) == (0, "No permission changes.")
    markdown = run_cli("diff", "--base", "HEAD", "--format", "markdown", cwd=repo.project).out
    assert "**No permission changes.**" in markdown and "<details" not in markdown


@pytest.mark.parametrize(
    ("edits", "fail_on", "code"),
    [
        ([(N, VIEWER_FILTER, "filter: same_org")], "widening", 2),
        ([(N, VIEWER_COLUMNS, "columns: [id, title, org_id, body]")], "widening", 2),  # mixed
        ([(N, VIEWER_COLUMNS, "columns: [id, title, org_id]")], "widening", 0),  # narrowing
        ([(N, VIEWER_COLUMNS, "columns: [id, title, org_id]")], "any", 2),
        ([(N, VIEWER_FILTER, "filter: same_org")], None, 2),  # any change, by default
        ([], None, 0),
    ],
)
def test_fail_on(tmp_path: Path, edits: list[Edit], fail_on: str | None, code: int) -> None:
    repo = small_project(tmp_path / "repo")
    apply_edits(repo, edits)
    args = ["diff", "--base", "main"] + (["--fail-on", fail_on] if fail_on else [])
    result = run_cli(*args, cwd=repo.project)
    assert result.code == code, result.err
    assert result.out  # the report is printed whatever the exit code


def test_markdown_is_a_pr_comment_with_widening_first(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.edit(D, "editor: {inherits: viewer}", "editor: {description: Edits}")  # users: narrowing
    repo.edit(N, VIEWER_FILTER, "filter: same_org")  # notes: widening
    repo.edit(N, "comment: Backend reads big notes", "comment: Uses `score` > 10")

    md = run_cli("diff", "--base", "main", "--format", "markdown", cwd=repo.project).out

    assert md.startswith("### Permission changes: `main` (")
    assert "**⚠️ 1 widening, 1 narrowing, 1 neutral across 2 tables**" in md
    assert "| ⚠️ | `public.notes` | 1 | 0 | 0 | 1 |\n| ⬇️ | `public.users` | 0 | 0 | 1 | 0 |" in md
    assert md.index("<code>public.notes</code>") < md.index("<code>public.users</code>")
    assert (
        "<details open>\n<summary>⚠️ <code>public.notes</code>: 1 widening, 1 neutral</summary>"
        in md
    )
    assert "<details>\n<summary>⬇️ <code>public.users</code>: 1 narrowing</summary>" in md
    assert md.index("**select** `viewer`") < md.index("**select** `service`")  # widening first
    assert "- ⚠️ **select** `viewer`: changed, **widening**\n  - filter (widening)\n" in md
    assert '    - as written: `{"_and":["not_deleted","same_org"]}` → `"same_org"`' in md
    # A backtick in a value gets a longer fence, so the code span stays whole.
    assert '``"Uses `score` > 10"``' in md
    assert md.count("<details") == md.count("</details>") == 2


def test_markdown_is_byte_for_byte_stable(tmp_path: Path) -> None:
    repo = worked_example(tmp_path / "repo")
    repo.edit(
        "permissions/conditions.yaml",
        "published: {_and: [not_deleted, {is_published: {_eq: true}}]}",
        "published: {is_published: {_eq: true}}",
    )
    repo.edit(
        "permissions/tables/public.projects.yaml",
        "    filter: {_and: [not_deleted, {_or: [own, led_by_me]}]}",
        "    filter: {_or: [own, led_by_me]}",
    )
    repo.edit(
        "permissions/tables/public.projects.yaml",
        "  project_admin: deny",
        "  project_admin: {filter: {}}",
    )
    repo.commit("loosen")

    runs = [
        run_cli(
            "diff", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown", cwd=repo.project
        )
        for _ in range(2)
    ]
    working = run_cli("diff", "--base", "HEAD~1", "--format", "markdown", cwd=repo.project)

    assert runs[0].code == 2 and runs[0].out.encode() == runs[1].out.encode()
    # Same permissions from the working tree: only the head's name differs.
    head_line = runs[0].out.splitlines()[0]
    assert working.out.replace(working.out.splitlines()[0], head_line) == runs[0].out
    assert "**⚠️ 13 widenings across 4 tables**" in runs[0].out


def test_merge_base_compares_from_where_the_branch_started(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.git("checkout", "-q", "-b", "feature")
    repo.edit(N, VIEWER_FILTER, "filter: same_org")
    repo.commit("feature: loosen")
    repo.git("checkout", "-q", "main")
    repo.edit(N, "limit: 100", "limit: 10")
    repo.commit("main: tighten")
    repo.git("checkout", "-q", "feature")

    plain = diff_json(repo, "--base", "main")
    merged = diff_json(repo, "--base", "main", "--merge-base")

    # Against main's tip, main's own change shows up reversed; against the merge base it does not.
    assert {n: f["effect"] for n, f in plain["changes"][0]["detail"]["fields"].items()} == {
        "filter": "widening",
        "limit": "widening",
    }
    assert list(merged["changes"][0]["detail"]["fields"]) == ["filter"]
    assert merged["base"]["ref"] == "merge base of main"
    assert merged["base"]["commit"] == repo.git("rev-parse", "main~1")


def test_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo", subdir="services/api")
    repo.write("README.md", "other files of the repository\n")
    repo.edit(N, "limit: 100", "limit: 10")
    repo.commit("tighten")

    report = diff_json(repo, "--base", "HEAD~1", "--head", "HEAD")

    assert [(c["role"], c["effect"]) for c in report["changes"]] == [("viewer", "narrowing")]


def test_base_without_a_project_counts_everything_as_added(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    (repo.root / "README.md").write_text("before the project\n")
    repo.commit("start")
    project = small_project(tmp_path / "other")  # same files, copied into this repository
    for path in project.project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            target = repo.root / path.relative_to(project.project)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())

    report = diff_json(repo, "--base", "HEAD")

    assert report["notes"] == [
        f"HEAD ({report['base']['commit'][:10]}) has no hasura-perm project here: "
        "every permission counts as added"
    ]
    assert {c["change"] for c in report["changes"]} == {"add"}
    assert report["summary"]["add"] == 10  # notes: 3 select, 2 insert, 1 update, 1 delete; users: 3


def test_base_that_does_not_compile_is_an_error(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.edit(U, "filter: same_org", "filter: sam_org")
    repo.commit("broken")
    repo.edit(U, "filter: sam_org", "filter: same_org")

    result = run_cli("diff", "--base", "HEAD", cwd=repo.project)

    assert result.code == 1
    assert result.err.startswith("error:\nthe project at HEAD (")
    assert "does not compile; fix it or compare other revisions" in result.err
    assert f"{U}:5:5: unknown condition `sam_org`; did you mean `same_org`?" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-branch"], "unknown git revision 'no-such-branch'"),
        (["--base", "main", "--head", "nope"], "unknown git revision 'nope'"),
        (["--base=--output=/tmp/x"], "is not a git revision"),
    ],
)
def test_bad_revisions(tmp_path: Path, args: list[str], message: str) -> None:
    repo = small_project(tmp_path / "repo")
    result = run_cli("diff", *args, cwd=repo.project)
    assert result.code == 1 and message in result.err, result.err


def test_outside_a_git_repository(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in ("hasura-perm.yaml", "permissions", "metadata"):
        (plain / name).symlink_to(repo.project / name)
    result = run_cli("diff", "--base", "main", cwd=plain)
    assert result.code == 1
    assert "is not inside a git repository" in result.err


def test_text_for_a_condition_replaced_by_a_weaker_named_one(tmp_path: Path) -> None:
    repo = small_project(tmp_path / "repo")
    repo.edit(
        D, "  big: {score: {_gt: 10}}\n", "  big: {score: {_gt: 10}}\n  fair: {score: {_gt: 5}}\n"
    )
    repo.edit(N, SERVICE_FILTER, "filter: fair")
    repo.edit(N, DELETE_FILTER, "{score: {_lt: 0}}")

    text = run_cli("diff", "--base", "main", cwd=repo.project).out

    assert (
        "  ~ select service (widening)\n"
        "      filter (widening: the old condition implies the new one)\n"
        '        old: {"score":{"_gt":10}}\n'
        '        new: {"score":{"_gt":5}}\n'
        '        as written: {"score":{"_gt":10}} -> "fair"\n'
    ) in text
    assert "      filter (mixed: neither is shown to imply the other; review by hand)\n" in text
    assert text.index("select service") < text.index("delete editor")  # widening first
