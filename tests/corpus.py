"""Where the real projects of the shared corpus lie: ../shared/corpus beside the repository
(read where they lie, never copied into it); HASURA_PERM_CORPUS overrides, for worktrees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    override = os.environ.get("HASURA_PERM_CORPUS")
    return Path(override) if override else ROOT / ".." / "shared" / "corpus"


def corpus_project(name: str, needs: str = "metadata") -> Path:
    """The corpus project `name`; skips the test (with the reason) when it is absent."""
    folder = corpus_dir() / name
    if not (folder / needs).exists():
        pytest.skip(f"the corpus project {name} is not in {corpus_dir()}")
    return folder
