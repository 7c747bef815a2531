"""YAML anchors, aliases and tags in metadata/ are refused at file:line, as in permissions/.

Before, a 2.4 KB table file with seven alias levels made compile write a 117 MB file, and
import and `lint --metadata` hang. Files the Hasura CLI writes never use them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.helpers import NOTES_METADATA
from tests.helpers import run_cli
from tests.helpers import table_file
from tests.helpers import write
from tests.hostile.support import project
from tests.hostile.support import snapshot_tree


def alias_bomb(levels: int = 7) -> str:
    lines = [NOTES_METADATA.rstrip("\n"), "configuration:", "  comment_bomb:"]
    lines.append("    l0: &l0 [" + ", ".join(["lol"] * 9) + "]")
    for level in range(1, levels):
        lines.append(f"    l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _bombed(tmp_path: Path) -> tuple[Path, Path]:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    target = table_file(root, "public.notes")
    target.write_text(alias_bomb())
    return root, target


def test_compile_refuses_an_alias_bomb_quickly(tmp_path: Path) -> None:
    root, target = _bombed(tmp_path)
    before = snapshot_tree(root / "metadata")
    started = time.monotonic()
    result = run_cli("--project", str(root), "compile")
    assert time.monotonic() - started < 5
    assert result.code == 1
    line = (
        target.read_text()
        .splitlines()
        .index(next(text for text in target.read_text().splitlines() if "&l0" in text))
        + 1
    )
    assert f"{target}:{line}:9: YAML anchors (&name) are not allowed in metadata" in result.err
    assert snapshot_tree(root / "metadata") == before


def test_lint_metadata_refuses_an_alias_bomb(tmp_path: Path) -> None:
    root, target = _bombed(tmp_path)
    started = time.monotonic()
    result = run_cli("lint", "--metadata", str(root / "metadata"))
    assert time.monotonic() - started < 5
    assert result.code == 1
    assert f"{target}:" in result.err and "anchors" in result.err


def test_import_refuses_an_alias_bomb(tmp_path: Path) -> None:
    root, target = _bombed(tmp_path)
    out = tmp_path / "out"
    result = run_cli(
        "import",
        "--metadata",
        str(root / "metadata"),
        "--schema",
        str(root / "permissions" / "schema.yaml"),
        "--out",
        str(out),
    )
    assert result.code == 1
    assert f"{target}:" in result.err and "anchors" in result.err
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("configuration:\n  custom_name: *nothing\n", "aliases (*name) are not allowed"),
        ("configuration: !!map {}\n", "tags (tag:yaml.org,2002:map) are not allowed"),
        ("configuration:\n  comment: !secret x\n", "tags (!secret) are not allowed"),
        ("configuration: &c {}\n", "anchors (&name) are not allowed"),
    ],
)
def test_each_construct_is_refused_at_its_place(tmp_path: Path, extra: str, fragment: str) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA + extra})
    target = table_file(root, "public.notes")
    line = len(NOTES_METADATA.splitlines()) + len(extra.splitlines())
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert f"{target}:{line}:" in result.err
    assert fragment in result.err


def test_deep_nesting_in_metadata_is_refused_at_its_place(tmp_path: Path) -> None:
    deep = "{_not: " * 500 + "{id: {_eq: 1}}" + "}" * 500
    body = (
        "select_permissions:\n  - role: legacy\n    permission:\n      columns: [id]\n"
        f"      filter: {deep}\n"
    )
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA + body})
    target = table_file(root, "public.notes")
    for args in (
        ("--project", str(root), "compile"),
        ("lint", "--metadata", str(root / "metadata")),
    ):
        result = run_cli(*args)
        assert result.code == 1, result.out
        assert f"{target}:" in result.err and "nesting deeper than 64 levels" in result.err
        assert "internal error" not in result.err


def test_include_strings_and_quoted_stars_are_still_fine(tmp_path: Path) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    write(
        root / "metadata",
        "databases/default/tables/public_notes.yaml",
        NOTES_METADATA + "configuration:\n  comment: 'a * b & c ! d'\n",
    )
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err
