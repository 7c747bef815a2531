"""Benchmark `hasura-perm test` on the worked example's schema with 1,000 cases.

    python benchmarks/permission_tests.py [--cases 1000] [--mutate] [--coverage] [--db URL]

The worked example's own suite (permissions/tests/*.yaml) is copied into a temporary copy
of the project and its cases are repeated, file by file, until there are --cases of them:
the mix of selects, inserts, updates and deletes, relationships, `_exists` and presets is
the example's. It then runs the suite as `hasura-perm test` does and reports, separately:

* the embedded database's start-up (initdb + postmaster, TempCluster) and the schema load;
* the time per case (all cases, and per action), fixtures included;
* with --coverage / --mutate, the extra time those take.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hasura_perm.permission_tests import engine  # noqa: E402
from hasura_perm.spec.project import load_project  # noqa: E402

COPIED = ("hasura-perm.yaml", "permissions", "metadata", "db")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--coverage", action="store_true")
    parser.add_argument("--mutate", action="store_true")
    parser.add_argument("--db", metavar="URL", help="use this database instead of a throwaway one")
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="hasura-perm-bench-"))
    try:
        project_dir = build_project(folder / "project", args.cases)
        report(project_dir, args)
    finally:
        if args.keep:
            print(f"project kept in {folder / 'project'}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def build_project(target: Path, wanted: int) -> Path:
    """A copy of the worked example whose test files repeat their cases up to `wanted`."""
    target.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    tests = target / "permissions" / "tests"
    files = {p: yaml.safe_load(p.read_text()) for p in sorted(tests.glob("*.yaml"))}
    original = sum(len(doc["cases"]) for doc in files.values())
    left = wanted
    for index, (path, doc) in enumerate(files.items()):
        last = index == len(files) - 1
        share = left if last else round(wanted * len(doc["cases"]) / original)
        left -= share
        doc["cases"] = repeat(doc["cases"], share)
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return target


def repeat(cases: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        case = copy.deepcopy(cases[i % len(cases)])  # shared objects would dump as YAML anchors
        case["name"] = f"{case['name']} #{i // len(cases) + 1}"
        out.append(case)
    return out


def report(project_dir: Path, args: argparse.Namespace) -> None:
    project = load_project(project_dir)
    began = time.perf_counter()
    loaded = engine.load(project)
    load_seconds = time.perf_counter() - began
    began = time.perf_counter()
    result = engine.run(
        loaded,
        db_url=args.db,
        schema_sql=engine.schema_sql_path(project),
        coverage=args.coverage,
        mutate=args.mutate,
    )
    total = time.perf_counter() - began
    cases = result.results
    per_action: dict[str, list[float]] = defaultdict(list)
    for case_result in cases:
        per_action[case_result.case.action].append(case_result.seconds)

    print(f"worked example, {len(cases)} cases in {result.files} files ({result.database})")
    print(f"  load + compile + validate test files  {load_seconds * 1000:8.1f} ms")
    if not args.db:
        print(f"  embedded PostgreSQL start-up          {result.startup_seconds * 1000:8.1f} ms")
    print(f"  schema SQL load                       {result.schema_seconds * 1000:8.1f} ms")
    print(f"  all cases (fixtures included)         {result.run_seconds * 1000:8.1f} ms")
    print(
        f"  per case                              {1000 * result.run_seconds / len(cases):8.3f} ms"
    )
    for action in ("select", "insert", "update", "delete"):
        times = per_action.get(action)
        if times:
            print(
                f"    {action:<7} x{len(times):<5} median {statistics.median(times) * 1000:6.3f} ms, "
                f"p95 {sorted(times)[int(len(times) * 0.95) - 1] * 1000:6.3f} ms"
            )
    if result.coverage is not None:
        print(f"  coverage                              {result.coverage.percent:8.1f} %")
    if result.mutation is not None:
        mutation = result.mutation
        print(
            f"  mutation testing                      {result.mutation_seconds * 1000:8.1f} ms "
            f"({len(mutation.mutants)} mutants, {len(mutation.survivors)} survived)"
        )
    print(f"  end to end (engine.run)               {total * 1000:8.1f} ms")
    print(f"  passed {len(cases) - len(result.failures)}, failed {len(result.failures)}")


if __name__ == "__main__":
    raise SystemExit(main())
