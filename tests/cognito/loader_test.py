"""Every command that compiles checks the Cognito mapping, though compiler/ knows nothing of
Cognito: they all compile through `cognito.loader.checked_build`."""

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

import pytest

import hasura_perm
from hasura_perm import cli
from hasura_perm.cognito.loader import checked_build
from hasura_perm.core.errors import SpecError
from hasura_perm.spec.project import load_project
from tests.cognito.mapping_test import with_section
from tests.cognito.support import make_project

EXPECTED = (
    "error:\n"
    "permissions/cognito.yaml:2:3: default_role_order must list every role with "
    "cognito_groups; missing: viewer\n"
    "permissions/cognito.yaml:5:5: unknown role `viewr` in default_role_order; did you mean "
    "`viewer`?\n"
)
COMMANDS = [
    ["compile"],
    ["compile", "--check"],
    ["lint"],
    ["matrix"],
    ["explain", "--role", "viewer", "--table", "public.projects", "--action", "select"],
    ["cognito", "mapping"],
]


@pytest.fixture(scope="module")
def bad_mapping(tmp_path_factory: pytest.TempPathFactory) -> Path:
    order = ["project_admin", "editor", "viewr", "file_service"]
    return make_project(tmp_path_factory.mktemp("bad"), with_section(default_role_order=order))


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_a_bad_mapping_fails_every_command_that_compiles(bad_mapping: Path, argv: list) -> None:
    before = _contents(bad_mapping / "metadata")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--project", str(bad_mapping), *argv])
    assert (code, out.getvalue(), err.getvalue()) == (1, "", EXPECTED)
    assert _contents(bad_mapping / "metadata") == before  # nothing written


def _contents(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_checked_build_raises_the_mapping_problems(bad_mapping: Path) -> None:
    with pytest.raises(SpecError, match="did you mean `viewer`"):
        checked_build(load_project(bad_mapping))


def test_only_the_loader_compiles_without_the_check() -> None:
    """A new caller of compiler.build.build would skip the Cognito check: use checked_build."""
    package = Path(hasura_perm.__file__).parent
    callers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "hasura_perm.compiler.build":
                if {"build", "build_all"} & {alias.name for alias in node.names}:
                    callers.add(path.relative_to(package).as_posix())
    assert callers == {"cognito/loader.py"}
