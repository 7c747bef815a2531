"""The command line: help, exit codes, `compile --check`, error output, finding the project."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from hasura_perm import cli
from tests.helpers import NOTES_RULES
from tests.helpers import ROLES
from tests.helpers import make_project
from tests.helpers import run_cli
from tests.helpers import table_file
from tests.helpers import tree_bytes
from tests.helpers import tree_mtimes
from tests.helpers import write


def project(tmp_path: Path, notes: str = NOTES_RULES, config: str = "version: 1\n") -> Path:
    return make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/notes.yaml": notes},
        config=config,
    )


def command_paths() -> list[tuple[str, ...]]:
    """Every command and sub-command the parser knows, e.g. ("schema", "pull")."""
    paths: list[tuple[str, ...]] = []

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    paths.append((*prefix, name))
                    walk(sub, (*prefix, name))

    walk(cli.build_parser(), ())
    return paths


# ----------------------------------------------------------------------- help


def test_top_level_help() -> None:
    result = run_cli("--help")
    assert result.code == 0
    assert "exit codes: 0 success, 1 error, 2 differences found, 3 checks failed" in result.out
    for path in command_paths():
        if len(path) == 1:
            assert path[0] in result.out


def test_the_commands_under_test_exist() -> None:
    assert {("compile",), ("schema",), ("schema", "pull")} <= set(command_paths())


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help")
    assert result.code == 0
    assert result.err == ""
    assert f"usage: hasura-perm {' '.join(path)}" in result.out
    assert re.search(r"^examples?:$", result.out, re.MULTILINE), result.out
    assert re.search(r"^  hasura-perm \S", result.out, re.MULTILINE), result.out


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert re.fullmatch(r"hasura-perm \d+\.\d+\.\d+\S*\n", result.out)


@pytest.mark.parametrize(
    "args",
    [("compile", "--chek"), ("compil",), ()],
    ids=["unknown-option", "unknown-command", "none"],
)
def test_usage_errors_exit_1(args: tuple[str, ...]) -> None:
    # Exit 2 means "differences found" in hasura-perm's contract; a typo is an error.
    result = run_cli(*args)
    assert result.code == 1
    assert "usage: hasura-perm" in result.err
    assert "Traceback" not in result.err


# ------------------------------------------------------------ compile --check


def test_check_exits_0_when_metadata_is_current(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run_cli("--project", str(root), "compile").code == 0
    result = run_cli("--project", str(root), "compile", "--check")
    assert result.code == 0
    assert result.out == "metadata/ is up to date (1 tables, 2 roles, 2 permissions).\n"
    assert result.err == ""


def test_check_exits_2_with_a_unified_diff_when_stale_and_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run_cli("--project", str(root), "compile").code == 0
    write(
        root,
        "permissions/tables/notes.yaml",
        NOTES_RULES.replace("[id, title]", "[id, title, body]"),
    )
    before, mtimes = tree_bytes(root / "metadata"), tree_mtimes(root / "metadata")
    result = run_cli("--project", str(root), "compile", "--check")
    assert result.code == 2
    name = "metadata/databases/default/tables/public_notes.yaml"
    assert result.out.startswith(
        "metadata/ is stale: 1 file(s) differ; run `hasura-perm compile`.\n"
        f"--- a/{name}\n+++ b/{name}\n@@ "
    )
    added = [
        line
        for line in result.out.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    removed = [
        line
        for line in result.out.splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    # Both viewer and editor (who inherits it) get the new column.
    assert added == ["+        - body", "+        - body"]
    assert removed == []
    assert tree_bytes(root / "metadata") == before
    assert tree_mtimes(root / "metadata") == mtimes


ORDERED_NOTES = """\
table: public.notes
select:
  viewer:
    columns: [id, title, body]
    filter: {}
    allow_aggregations: true
    query_root_fields: [select, select_by_pk, select_aggregate]
"""


def test_check_ignores_an_export_that_differs_only_in_order(tmp_path: Path) -> None:
    """`hasura metadata export` lists root fields in HashSet order (AllowedRootFields,
    RQL/Types/Permission.hs) and columns in the order they were sent; compile keeps such an
    entry as it is, and --check does not call it stale. A real difference still counts."""
    root = project(tmp_path, ORDERED_NOTES)
    assert run_cli("--project", str(root), "compile").code == 0
    path = table_file(root, "public.notes")
    text = path.read_text(encoding="utf-8")
    columns = "        - body\n        - id\n        - title\n"
    roots = "        - select\n        - select_aggregate\n        - select_by_pk\n"
    assert columns in text and roots in text
    exported = text.replace(columns, "        - title\n        - id\n        - body\n")
    exported = exported.replace(
        roots, "        - select_aggregate\n        - select\n        - select_by_pk\n"
    )
    path.write_text(exported, encoding="utf-8")
    assert run_cli("--project", str(root), "compile", "--check").code == 0
    assert run_cli("--project", str(root), "compile").code == 0
    assert path.read_text(encoding="utf-8") == exported
    path.write_text(exported.replace("        - body\n", "", 1), encoding="utf-8")
    assert run_cli("--project", str(root), "compile", "--check").code == 2


def test_check_ignores_and_or_in_operand_order(tmp_path: Path) -> None:
    rules = (
        "table: public.notes\nselect:\n  viewer:\n    columns: [id]\n"
        "    filter: {_or: [{id: {_in: [1, 2]}}, {title: {_eq: a}}]}\n"
    )
    root = project(tmp_path, rules)
    assert run_cli("--project", str(root), "compile").code == 0
    path = table_file(root, "public.notes")
    text = path.read_text(encoding="utf-8")
    first = "          - id:\n              _in:\n                - 1\n                - 2\n"
    second = "          - title:\n              _eq: a\n"
    assert first + second in text
    swapped_in = first.replace("- 1\n                - 2", "- 2\n                - 1")
    path.write_text(text.replace(first + second, second + swapped_in), encoding="utf-8")
    assert run_cli("--project", str(root), "compile", "--check").code == 0


def test_check_on_a_project_never_compiled(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("--project", str(root), "compile", "--check")
    assert result.code == 2
    assert "4 file(s) differ" in result.out
    assert "+++ b/metadata/version.yaml\n" in result.out
    assert "+version: 3\n" in result.out
    assert not (root / "metadata").exists()


def test_compile_reports_what_it_wrote(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0
    assert result.out.splitlines() == [
        "metadata/ did not exist: creating it as a new Hasura CLI v3 metadata folder.",
        "Compiled 1 tables, 2 roles, 2 permissions: 4 file(s) written.",
        "  metadata/databases/databases.yaml",
        "  metadata/databases/default/tables/public_notes.yaml",
        "  metadata/databases/default/tables/tables.yaml",
        "  metadata/version.yaml",
    ]
    assert table_file(root, "public.notes").is_file()


# --------------------------------------------------------------------- errors


def test_spec_error_is_file_line_column_message_without_traceback(tmp_path: Path) -> None:
    root = project(tmp_path, NOTES_RULES.replace("[id, title]", "[id, titel]"))
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err == (
        "error: permissions/tables/notes.yaml:3:26: unknown column `titel` on public.notes; "
        "did you mean `title`?\n"
    )


def test_several_problems_are_listed_one_per_line(tmp_path: Path) -> None:
    root = project(tmp_path, NOTES_RULES.replace("[id, title]", "[idd, titel]"))
    result = run_cli("--project", str(root), "compile", "--check")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == "error:"
    assert all(
        re.match(r"permissions/tables/notes\.yaml:3:\d+: unknown column `", line)
        for line in lines[1:]
    )
    assert len(lines) == 3
    assert "Traceback" not in result.err


def test_yaml_refusal_through_the_cli(tmp_path: Path) -> None:
    root = project(tmp_path, NOTES_RULES + "delete:\n  viewer: &x {filter: {}}\n")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert result.err.startswith(
        "error: permissions/tables/notes.yaml:5:11: YAML anchors (&name) are not allowed"
    )
    assert "Traceback" not in result.err


# ------------------------------------------------------------ finding the project


def test_project_option(tmp_path: Path) -> None:
    root = project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("--project", str(root), "compile", cwd=elsewhere)
    assert result.code == 0, result.err
    assert table_file(root, "public.notes").is_file()
    assert not (elsewhere / "metadata").exists()


def test_project_is_found_upwards_from_a_subfolder(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("compile", cwd=root / "permissions" / "tables")
    assert result.code == 0, result.err
    assert table_file(root, "public.notes").is_file()
    assert not (root / "permissions" / "tables" / "metadata").exists()


def test_no_project_anywhere_upwards(tmp_path: Path) -> None:
    lonely = tmp_path / "a" / "b"
    lonely.mkdir(parents=True)
    result = run_cli("compile", cwd=lonely)
    assert result.code == 1
    assert f"no hasura-perm.yaml found in {lonely.resolve()} or any parent folder" in result.err
    assert "--project DIR" in result.err


def test_project_option_without_a_config_file(tmp_path: Path) -> None:
    result = run_cli("--project", str(tmp_path), "compile")
    assert result.code == 1
    assert f"{tmp_path.resolve() / 'hasura-perm.yaml'} does not exist" in result.err


def test_config_paths_are_relative_to_the_project(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/notes.yaml": NOTES_RULES},
        config="version: 1\nmetadata: hasura/metadata\n",
    )
    result = run_cli("compile", cwd=root / "permissions")
    assert result.code == 0, result.err
    assert (root / "hasura/metadata/databases/default/tables/public_notes.yaml").is_file()


# ------------------------------------------------------ invalid hasura-perm.yaml


@pytest.mark.parametrize(
    ("config", "place", "message"),
    [
        (
            "version: 1\npermisions: rules\n",
            "2:1",
            "unknown key `permisions`; did you mean `permissions`?",
        ),
        (
            "version: 1\nenvironments:\n  staging:\n    endpoint: ftp://hasura.example\n"
            "    admin_secret_env: SECRET\n",
            "4:5",
            "`ftp://hasura.example` is not a valid value for `endpoint`",
        ),
        (
            "version: 1\nenvironments:\n  staging:\n    endpoint: https://hasura.example\n",
            "3:3",
            "missing required key `admin_secret_env` in `staging`",
        ),
        (
            "version: 1\nenvironments:\n  staging:\n    endpoint: https://h.example\n"
            "    admin_secret_env: my-secret!\n",
            "5:5",
            "`my-secret!` is not a valid value for `admin_secret_env`",
        ),
        ("version: 2\n", "1:1", "expected `1` in `version`, found `2`"),
        ("- version: 1\n", "1:1", "expected a mapping, found a list"),
        ("version: 1\nsource: [a]\n", "2:1", "expected a string in `source`, found a list"),
    ],
    ids=[
        "unknown-key",
        "bad-endpoint",
        "missing-secret-env",
        "bad-secret-env-name",
        "version",
        "not-a-mapping",
        "source-type",
    ],
)
def test_invalid_config(tmp_path: Path, config: str, place: str, message: str) -> None:
    root = project(tmp_path, config=config)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert result.err == f"error: hasura-perm.yaml:{place}: {message}\n"
    assert "Traceback" not in result.err


def test_invalid_yaml_in_the_config(tmp_path: Path) -> None:
    root = project(tmp_path, config="version: 1\nversion: 1\n")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert result.err == "error: hasura-perm.yaml:2:1: duplicate key 'version'\n"


def test_empty_config_means_defaults(tmp_path: Path) -> None:
    root = project(tmp_path, config="")
    assert run_cli("--project", str(root), "compile").code == 0


def test_a_command_runs_with_fewer_collections_and_restores_the_thresholds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from hasura_perm import cli

    during: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli, "_main", lambda argv: during.append(gc.get_threshold()) or 0)
    before = gc.get_threshold()
    assert cli.main(["--version"]) == 0
    assert during == [(100_000, 50, 100)]
    assert gc.get_threshold() == before
