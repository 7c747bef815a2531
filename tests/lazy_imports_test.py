"""A command loads only what it uses: `compile --check` runs in pre-commit hooks, where
start-up time is most of the wait."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hasura_perm import cli
from hasura_perm import commands

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("requests", "urllib3", "psycopg", "jsonschema", "boto3", "botocore", "ruamel", "jwt")


def _modules_after(*argv: str) -> set[str]:
    script = (
        "import sys\n"
        "from hasura_perm import cli\n"
        f"code = cli.main({list(argv)!r})\n"
        "print(code, ' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    code, names = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code == "0", result.stderr
    return set(names.split())


def test_compile_check_imports_no_http_database_aws_or_jsonschema_library() -> None:
    loaded = _modules_after("--project", str(REPO), "compile", "--check")
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == []
    other_commands = sorted(
        m
        for m in loaded
        if m.startswith("hasura_perm.commands.") and m != commands.MODULES["compile"]
    )
    assert other_commands == []


def test_the_registry_names_every_command_module_by_its_own_name() -> None:
    for name in commands.MODULES:
        assert commands.load(name).NAME == name


def test_a_lazily_built_parser_reads_the_command_like_the_full_one() -> None:
    argv = ["--project", "p", "--debug", "compile", "--check"]
    assert cli._chosen_command(argv) == "compile"
    lazy = cli.build_parser("compile").parse_args(argv)
    full = cli.build_parser().parse_args(argv)
    assert vars(lazy) == vars(full)
    assert cli._chosen_command(["--help", "compile"]) is None
    assert cli._chosen_command(["--project", "compile"]) is None  # "compile" is the folder here
