"""The package type-checks: mypy, configured in pyproject.toml ([tool.mypy]), finds no error.

mypy runs in a subprocess with the repository's configuration: its defaults on the whole
package, every flag of --strict on the early stages (core, schema, spec, boolexp). Its cache
lives in .mypy_cache/ at the repository root (git ignores it): a second run takes about a
second, a fresh clone's first run about ten.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What `mypy --strict` turns on, as per-module options (warn_redundant_casts is global only).
STRICT_FLAGS = {
    "disallow_any_generics": True,
    "disallow_subclassing_any": True,
    "disallow_untyped_calls": True,
    "disallow_untyped_defs": True,
    "disallow_incomplete_defs": True,
    "check_untyped_defs": True,
    "disallow_untyped_decorators": True,
    "warn_return_any": True,
    "implicit_reexport": False,
    "strict_equality": True,
    "extra_checks": True,
}
STRICT_STAGES = ["core", "schema", "spec", "boolexp"]


def _mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_package_type_checks() -> None:
    result = _mypy("--cache-dir", str(ROOT / ".mypy_cache"))
    assert result.returncode == 0, "mypy found errors:\n" + result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_early_stages_are_checked_strictly() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["packages"] == ["hasura_perm"]
    assert config["warn_unused_ignores"] and config["warn_redundant_casts"]
    strict = [o for o in config["overrides"] if o.get("disallow_untyped_defs")]
    assert len(strict) == 1, "one override holds the strict flags"
    assert {k: strict[0].get(k) for k in STRICT_FLAGS} == STRICT_FLAGS
    assert {f"hasura_perm.{stage}.*" for stage in STRICT_STAGES} <= set(strict[0]["module"])


def test_a_type_error_fails_the_check(tmp_path: Path) -> None:
    # The harness itself: the same configuration reports a wrong type and exits non-zero.
    (tmp_path / "wrong.py").write_text("def name() -> str:\n    return 1\n")
    # The repository's cache holds the standard library's types: a second or so, not five.
    result = _mypy("--cache-dir", str(ROOT / ".mypy_cache"), "wrong.py", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'wrong.py:2: error: Incompatible return value type (got "int", expected "str")' in (
        result.stdout
    )
