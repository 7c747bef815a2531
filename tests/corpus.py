"""Where the real projects of the shared corpus lie: ../shared/corpus beside the main
checkout, ../../shared/corpus from a worktree under wt/ (read where they lie, never copied
into the repository); HASURA_PERM_CORPUS overrides."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = (ROOT / ".." / "shared" / "corpus", ROOT / ".." / ".." / "shared" / "corpus")


def corpus_dir() -> Path:
    override = os.environ.get("HASURA_PERM_CORPUS")
    if override:
        return Path(override)
    return next((c for c in CANDIDATES if c.is_dir()), CANDIDATES[0])


def corpus_project(name: str, needs: str = "metadata") -> Path:
    """The corpus project `name`; skips the test (with the reason) when it is absent."""
    folder = corpus_dir() / name
    if not (folder / needs).exists():
        pytest.skip(f"the corpus project {name} is not in {corpus_dir()}")
    return folder
