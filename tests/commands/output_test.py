"""One meaning per flag: --format is the report's format (text by default), --out FILE the
report's file; old spellings still work and warn; one renderer registry."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from hasura_perm import cli
from hasura_perm.commands.output import registry
from tests.helpers import run_cli
from tests.importer.helpers import block
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

REPO = Path(__file__).resolve().parents[2]


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found[f"{prefix} {name}".strip()] = sub
                    walk(sub, f"{prefix} {name}")

    walk(cli.build_parser(), "")
    return found


def visible_option(parser: argparse.ArgumentParser, option: str) -> argparse.Action | None:
    for action in parser._actions:
        if option in action.option_strings and action.help != argparse.SUPPRESS:
            return action
    return None


@pytest.mark.parametrize("path", sorted(command_parsers()))
def test_format_and_out_mean_the_same_everywhere(path: str) -> None:
    parser = command_parsers()[path]
    fmt, out = visible_option(parser, "--format"), visible_option(parser, "--out")
    kind = parser.get_default("output_kind")
    if fmt is None and out is None:
        assert kind is None
        return
    # Both come from the one registry, for a report kind it knows.
    assert fmt is not None and out is not None, path
    assert kind in registry()
    assert sorted(fmt.choices) == sorted(registry()[kind])
    expected_default = "json" if path == "cognito jwt-secret" else "text"
    assert parser.get_default("output_default") == expected_default, path
    assert out.metavar == "FILE"


def test_every_report_command_has_text() -> None:
    assert [k for k, formats in registry().items() if "text" not in formats] == ["jwt-secret"]


def lookups(tmp_path: Path) -> None:
    scenario(
        tmp_path,
        [
            table_entry(
                "public.tags", select_permissions=[block("viewer", columns=["id"], filter={})]
            )
        ],
        snapshot_of({"public.tags": {"id": "integer"}}),
    )


def test_out_takes_the_format_from_the_extension(tmp_path: Path) -> None:
    lookups(tmp_path)
    result = run_cli(
        "import",
        "--metadata",
        "metadata",
        "--schema",
        "schema.yaml",
        "--out",
        "r.json",
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "r.json").read_text())["blocks"] == 1
    assert "Wrote the report (json) to r.json." in result.err
    assert "Round trip:" in result.out  # stdout still shows the text report


def test_import_report_is_a_deprecated_alias(tmp_path: Path) -> None:
    lookups(tmp_path)
    result = run_cli(
        "import",
        "--metadata",
        "metadata",
        "--schema",
        "schema.yaml",
        "--report",
        "r.json",
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "r.json").read_text())["blocks"] == 1
    assert "warning: --report FILE is deprecated; use --out FILE" in result.err


def test_import_out_folder_is_a_deprecated_alias_of_into(tmp_path: Path) -> None:
    lookups(tmp_path)
    result = run_cli(
        "import",
        "--metadata",
        "metadata",
        "--schema",
        "schema.yaml",
        "--out",
        "rules",
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
    assert (tmp_path / "rules" / "roles.yaml").is_file()
    assert "`import --out DIR` for the permissions folder is deprecated; use --into DIR" in (
        result.err
    )


def test_import_format_json_on_stdout_is_only_json(tmp_path: Path) -> None:
    lookups(tmp_path)
    result = run_cli(
        "import",
        "--metadata",
        "metadata",
        "--schema",
        "schema.yaml",
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["blocks"] == 1
    assert "Next:" in result.err


def test_schema_pull_out_is_a_deprecated_alias(tmp_path: Path) -> None:
    result = run_cli(
        "schema",
        "pull",
        "--database-url",
        "postgresql://127.0.0.1:1/x",
        "--out",
        "s.yaml",
        cwd=tmp_path,
    )
    assert "warning: --out is deprecated; use --into FILE" in result.err


def test_explain_and_lint_write_reports(tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    args = ("explain", "--role", "viewer", "--table", "public.projects", "--action", "select")
    result = run_cli(*args, "--out", str(out), cwd=REPO)
    assert result.code == 0, result.err
    assert json.loads(out.read_text())["role"] == "viewer"
    lint_out = tmp_path / "lint.sarif"
    assert run_cli("lint", "--out", str(lint_out), cwd=REPO).code == 0
    assert json.loads(lint_out.read_text())["version"] == "2.1.0"
