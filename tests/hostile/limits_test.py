"""Huge input fails fast with a message naming the limit, instead of running for tens of
seconds (a 4.9 MB file with 190,000 roles took 26 s and 385 MB before)."""

from __future__ import annotations

import time
from pathlib import Path

from hasura_perm.core.yaml_source import MAX_NODES
from hasura_perm.spec import LIMITS
from tests.helpers import run_cli
from tests.hostile.support import project


def test_190000_roles_fail_fast(tmp_path: Path) -> None:
    roles = "roles:\n" + "".join(f"  r{i}: {{}}\n" for i in range(190_000))
    root = project(tmp_path, {"roles.yaml": roles})
    started = time.monotonic()
    result = run_cli("--project", str(root), "compile")
    elapsed = time.monotonic() - started
    assert result.code == 1
    assert f"more than {MAX_NODES} values in one file; split it" in result.err
    assert "permissions/roles.yaml:" in result.err
    assert elapsed < 8, elapsed


def test_role_count_limit_in_one_file(tmp_path: Path) -> None:
    count = LIMITS["roles"] + 1
    roles = "roles:\n" + "".join(f"  r{i}: {{}}\n" for i in range(count))
    root = project(tmp_path, {"roles.yaml": roles})
    started = time.monotonic()
    result = run_cli("--project", str(root), "compile")
    assert time.monotonic() - started < 8
    assert result.code == 1
    assert f"permissions/roles.yaml:1:1: `roles` has {count} entries; the limit is" in result.err


def test_role_count_limit_across_files(tmp_path: Path) -> None:
    half = LIMITS["roles"] // 2 + 1
    files = {
        f"roles_{part}.yaml": "roles:\n" + "".join(f"  {part}{i}: {{}}\n" for i in range(half))
        for part in ("a", "b")
    }
    files["roles.yaml"] = "roles:\n  viewer: {}\n  editor: {inherits: viewer}\n"
    root = project(tmp_path, files)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert f"more than {LIMITS['roles']} roles across all files" in result.err


def test_a_real_sized_project_is_under_every_limit(tmp_path: Path) -> None:
    roles = "roles:\n" + "".join(f"  r{i}: {{}}\n" for i in range(200))
    root = project(tmp_path, {"roles.yaml": roles + "  viewer: {}\n  editor: {}\n"})
    assert run_cli("--project", str(root), "compile").code == 0
