"""Wall-clock time of `hasura-perm compile --check` on the example project, as a whole process.

    python benchmarks/startup.py [--runs 10] [--project DIR]

A pre-commit hook pays interpreter start-up, imports and the compile every time; this times
exactly that with a process timer (goal: under 0.3 s) and prints the min and median of the
runs, beside a bare `python -c pass` and `python -c "import yaml"` for scale, and again with
its bytecode cached in a temporary folder (as an installed package has it; a checkout run
with PYTHONDONTWRITEBYTECODE=1 compiles every module at every start).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 0.3


def wall_times(command: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--project", default=str(REPO), help="project folder (default: the example)"
    )
    args = parser.parse_args()
    python = sys.executable
    cases = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import yaml'": [python, "-c", "import yaml"],
        "hasura-perm compile --check": [
            python, "-m", "hasura_perm", "--project", args.project, "compile", "--check",
        ],
    }  # fmt: skip
    # An installed package has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE compiles every module on every start. Both are shown; the
    # bytecode goes to a temporary folder, never into the checkout.
    pycache = tempfile.mkdtemp(prefix="hasura-perm-pycache-")
    with_bytecode = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with_bytecode["PYTHONPYCACHEPREFIX"] = pycache
    bytecode_case = "  ... bytecode cached"
    wall_times(cases["hasura-perm compile --check"], 1, with_bytecode)  # writes the bytecode
    results = {}
    # Interleaved rounds, so machine load hits every case alike.
    per_case: dict[str, list[float]] = {name: [] for name in [*cases, bytecode_case]}
    for _ in range(args.runs):
        for name, command in cases.items():
            per_case[name] += wall_times(command, 1)
        per_case[bytecode_case] += wall_times(
            cases["hasura-perm compile --check"], 1, with_bytecode
        )
    shutil.rmtree(pycache, ignore_errors=True)
    bytecode = "off" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "as configured"
    print(f"wall clock over {args.runs} runs (min / median; bytecode writing {bytecode}):")
    for name, times in per_case.items():
        results[name] = min(times)
        print(
            f"  {name:30} {min(times) * 1000:6.0f} ms / {statistics.median(times) * 1000:6.0f} ms"
        )
    best = results["hasura-perm compile --check"]
    median = statistics.median(per_case["hasura-perm compile --check"])
    verdict = "met" if median < GOAL_SECONDS else "NOT met"
    print(
        f"goal: compile --check under {GOAL_SECONDS} s (median): {verdict} "
        f"(min {best:.3f} s, median {median:.3f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
