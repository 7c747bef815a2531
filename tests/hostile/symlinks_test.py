"""Links out of the project are refused by name, and file contents are never quoted beyond
a short excerpt with anything secret-looking taken out.

Before, `permissions/tables/x.yaml -> ../../.env` printed `expected a mapping, found
HASURA_GRAPHQL_ADMIN_SECRET=...`, and a link to a system file printed it whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.errors import excerpt
from tests.helpers import run_cli
from tests.helpers import write
from tests.hostile.support import project

SECRET = "s3cr3t-canary-9f8e7d6c5b4a"


def test_link_to_a_file_outside_the_project_is_refused_by_its_name(tmp_path: Path) -> None:
    env = write(tmp_path, ".env", f"HASURA_GRAPHQL_ADMIN_SECRET={SECRET}\n")
    root = project(tmp_path)
    (root / "permissions" / "tables" / "x.yaml").symlink_to(env)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/tables/x.yaml: symbolic link pointing outside the project" in result.err
    assert SECRET not in result.out + result.err


def test_link_to_a_folder_outside_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "shared-rules"
    write(outside, "roles.yaml", "roles:\n  intruder: {}\n")
    root = project(tmp_path)
    (root / "permissions" / "shared").symlink_to(outside)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/shared: symbolic link pointing outside the project" in result.err


def test_link_to_a_system_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "permissions" / "passwd.yaml").symlink_to("/etc/passwd")
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/passwd.yaml: symbolic link pointing outside the project" in result.err
    assert "root:" not in result.err


def test_link_inside_the_project_is_followed(tmp_path: Path) -> None:
    root = project(tmp_path)
    shared = write(root, "shared/more_roles.yaml", "roles:\n  auditor: {}\n")
    (root / "permissions" / "more_roles.yaml").symlink_to(shared)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err


def test_env_file_inside_the_project_is_not_echoed(tmp_path: Path) -> None:
    # A link that stays inside the project is allowed; its contents still never leak.
    root = project(tmp_path)
    env = write(root, ".env", f"HASURA_GRAPHQL_ADMIN_SECRET={SECRET}\n")
    (root / "permissions" / "tables" / "x.yaml").symlink_to(env)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/tables/x.yaml:1:1: expected a mapping" in result.err
    assert SECRET not in result.out + result.err
    assert "HASURA_GRAPHQL_ADMIN_SECRET=…" in result.err


def test_snapshot_linked_outside_the_project_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path)
    elsewhere = tmp_path / "schema.yaml"
    (root / "permissions" / "schema.yaml").rename(elsewhere)
    (root / "permissions" / "schema.yaml").symlink_to(elsewhere)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "permissions/schema.yaml: symbolic link pointing outside the project" in result.err


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        (f"HASURA_GRAPHQL_ADMIN_SECRET={SECRET}", SECRET),
        (f"db_password: {SECRET}", SECRET),
        (f"api_key = {SECRET}", SECRET),
        ("token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0", "eyJhbGciOiJIUzI1NiJ9"),
        ("x" * 500, "x" * 41),
        ("AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMIK7MDENGbPxRfiCY", "wJalrXUtnFEMI"),
    ],
)
def test_excerpt_is_short_and_hides_secrets(text: str, hidden: str) -> None:
    shown = excerpt(text)
    assert hidden not in shown
    assert len(shown) <= 40
    assert "\n" not in excerpt("a\nb")


def test_excerpt_keeps_plain_values() -> None:
    assert excerpt("viewer") == "viewer"
    assert excerpt("not_deleted") == "not_deleted"
