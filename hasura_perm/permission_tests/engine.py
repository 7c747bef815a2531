"""Load a project's permission tests and run them: the one entry point the CLI, the
benchmark and the tests use."""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path

from hasura_perm.boolexp import tree as t
from hasura_perm.cognito.loader import checked_build
from hasura_perm.compiler.build import Build
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.permission_tests.cases import TestFile
from hasura_perm.permission_tests.cases import load_suite
from hasura_perm.permission_tests.cases import test_files
from hasura_perm.permission_tests.coverage import CoverageReport
from hasura_perm.permission_tests.coverage import measure
from hasura_perm.permission_tests.database import open_database
from hasura_perm.permission_tests.mutation import MutationReport
from hasura_perm.permission_tests.mutation import deny_mutants
from hasura_perm.permission_tests.mutation import rule_mutants
from hasura_perm.permission_tests.mutation import run_mutants
from hasura_perm.permission_tests.outcome import CaseResult
from hasura_perm.permission_tests.outcome import Lookup
from hasura_perm.permission_tests.relations import schema_from_metadata
from hasura_perm.permission_tests.runner import Runner
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec import Spec
from hasura_perm.spec.project import Project

Progress = Callable[[str], None]
DEFAULT_SCHEMA_SQL = "db/schema.sql"


@dataclass
class Loaded:
    project: Project
    build: Build
    spec: Spec
    catalog: Catalog
    snapshot: Snapshot
    schema: t.Schema
    files: list[TestFile]

    @property
    def cases(self) -> int:
        return sum(len(f.cases) for f in self.files)

    def lookup(self) -> Lookup:
        compiled = self.build.compiled

        def find(table: TableName, action: str, role: str) -> Permission | None:
            return compiled.get(table, action, role)

        return find


@dataclass
class Report:
    results: list[CaseResult]
    files: int
    database: str
    startup_seconds: float
    schema_seconds: float
    run_seconds: float
    coverage: CoverageReport | None = None
    mutation: MutationReport | None = None
    mutation_seconds: float = 0.0
    min_coverage: float | None = None

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    @property
    def coverage_ok(self) -> bool:
        if self.min_coverage is None or self.coverage is None:
            return True
        return self.coverage.at_least(self.min_coverage)

    @property
    def ok(self) -> bool:
        survivors = self.mutation.survivors if self.mutation else []
        return not self.failures and self.coverage_ok and not survivors


def tests_dir(project: Project) -> Path:
    return project.permissions_dir / "tests"


def schema_sql_path(project: Project, override: str | None = None) -> Path | None:
    """--schema-sql, else `tests.schema_sql` of hasura-perm.yaml, else db/schema.sql if present."""
    if override:
        return Path(override).resolve()
    if project.schema_sql is not None:
        return project.schema_sql
    default = project.root / DEFAULT_SCHEMA_SQL
    return default if default.is_file() else None


def load(project: Project, only: list[str] | None = None, case_filter: str | None = None) -> Loaded:
    compiled_build = checked_build(project)
    spec, catalog = compiled_build.spec, compiled_build.catalog
    assert spec is not None and catalog is not None  # a build of one source has both
    snapshot = catalog.snapshot
    schema = schema_from_metadata(snapshot, compiled_build.metadata)
    paths = selected_files(project, only)
    files = load_suite(paths, project.root, spec, snapshot)
    if not files and not only:  # every file is comments only, as init writes the first one
        folder = project.relative(tests_dir(project))
        raise HasuraPermError(
            f"no permission tests: the files in {folder}/ hold no cases yet; write `cases:` "
            "(see docs/permission-tests.md)"
        )
    if case_filter:
        files = [
            replace(f, cases=[c for c in f.cases if _matches(c.name, case_filter)]) for f in files
        ]
        files = [f for f in files if f.cases]
    return Loaded(project, compiled_build, spec, catalog, snapshot, schema, files)


def selected_files(project: Project, only: list[str] | None) -> list[Path]:
    folder = tests_dir(project)
    if not only:
        found = test_files(folder, project.root)
        if not found:
            raise HasuraPermError(
                f"no permission tests in {project.relative(folder)}/; write cases in "
                f"{project.relative(folder)}/*.yaml (see docs/permission-tests.md)"
            )
        return found
    paths: list[Path] = []
    for item in only:
        path = Path(item)
        candidates = [path, project.root / path] if not path.is_absolute() else [path]
        hit = next((c for c in candidates if c.exists()), None)
        if hit is None:
            raise HasuraPermError(f"{item} does not exist")
        paths += test_files(hit, project.root) if hit.is_dir() else [hit]
    return sorted({p.resolve() for p in paths})


def _matches(name: str, pattern: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatch(name.lower(), pattern.lower())
    return pattern.lower() in name.lower()


def run(
    loaded: Loaded,
    *,
    db_url: str | None = None,
    schema_sql: Path | None = None,
    coverage: bool = False,
    mutate: bool = False,
    min_coverage: float | None = None,
    progress: Progress | None = None,
) -> Report:
    project = loaded.project
    display = project.relative(schema_sql) if schema_sql else ""
    with open_database(loaded.schema, db_url, schema_sql, display) as database:
        runner = Runner(database.conn, loaded.schema, project.boolean_null_collapse)
        lookup = loaded.lookup()
        began = time.monotonic()
        results = run_cases(loaded, runner, lookup, progress)
        report = Report(
            results,
            len(loaded.files),
            database.description,
            database.startup_seconds,
            database.schema_seconds,
            time.monotonic() - began,
            min_coverage=min_coverage,
        )
        if coverage or min_coverage is not None:
            report.coverage = measure(loaded.build.compiled, loaded.schema, results)
        if mutate:
            began = time.monotonic()
            report.mutation = mutation(loaded, runner, lookup, results, progress)
            report.mutation_seconds = time.monotonic() - began
    return report


def run_cases(
    loaded: Loaded, runner: Runner, lookup: Lookup, progress: Progress | None = None
) -> list[CaseResult]:
    results = []
    total, done = loaded.cases, 0
    for test_file in loaded.files:
        with runner.fixtures(test_file):
            for case in test_file.cases:
                results.append(runner.run(case, lookup))
                done += 1
                if progress:
                    progress(f"cases: {done}/{total} ({test_file.display})")
    return results


def mutation(
    loaded: Loaded,
    runner: Runner,
    lookup: Lookup,
    results: list[CaseResult],
    progress: Progress | None = None,
) -> MutationReport:
    report = MutationReport()
    compiled = loaded.build.compiled
    report.mutants = rule_mutants(compiled, loaded.schema, report)
    report.mutants += deny_mutants(loaded.spec, loaded.catalog, compiled, report)
    run_mutants(report.mutants, results, loaded.files, runner, lookup, progress)
    return report
