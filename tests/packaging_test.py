"""The test environment is locked: every dependency is pinned in requirements/test.lock, and the
suite runs with exactly those versions (a machine with other versions installed must not pass or
fail for reasons a fresh machine does not share)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "test.lock"


def _name(requirement: str) -> str:
    """The normalised distribution name of a PEP 508 requirement string."""
    bare = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


def _declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    test = [r for r in project["optional-dependencies"]["test"] if not r.startswith("hasura")]
    return [_name(r) for r in project["dependencies"] + test]


def test_every_declared_dependency_is_pinned_in_the_lock() -> None:
    locked = _locked()
    missing = [name for name in _declared() if name not in locked]
    assert not missing, f"not pinned in {LOCK.name}: {missing}; run ./run-tests --refresh-lock"


def test_every_lock_line_is_an_exact_pin() -> None:
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+!\-]+", line), line


def test_the_suite_runs_with_the_locked_versions() -> None:
    locked = _locked()
    wrong = []
    for name in _declared():
        installed = metadata.version(name)
        if installed != locked[name]:
            wrong.append(f"{name} {installed} installed, {locked[name]} locked")
    assert not wrong, "run the tests with ./run-tests: " + "; ".join(wrong)
