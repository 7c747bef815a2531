"""Where the shared corpus of real Hasura projects lies: ../shared/corpus seen from the
main checkout, ../../shared/corpus from a worktree under wt/. Tests read it in place."""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = (_ROOT / ".." / "shared" / "corpus", _ROOT / ".." / ".." / "shared" / "corpus")


def corpus_dir(name: str) -> Path:
    """The project's folder (it may not exist: callers skip then)."""
    for base in CANDIDATES:
        if (base / name).is_dir():
            return base / name
    return CANDIDATES[0] / name
