"""`hasura-perm test`: run the permission tests in permissions/tests/ on real PostgreSQL."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from hasura_perm.commands.output import add_output_arguments
from hasura_perm.commands.output import chosen_format
from hasura_perm.commands.output import emit
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.metadata.directory import write_files
from hasura_perm.permission_tests import engine
from hasura_perm.permission_tests.render import junit_sources
from hasura_perm.permission_tests.render import render
from hasura_perm.spec.project import Project
from hasura_perm.spec.project import load_project

NAME = "test"
HELP = "Run the permission tests in permissions/tests/ on real PostgreSQL."
DESCRIPTION = """\
Load the schema SQL and each test file's fixtures into PostgreSQL and check every case
against the COMPILED permissions (what `compile` writes and `apply` would send): which rows
a role sees, which inserts pass the check (after presets), which rows an update or delete
may touch. Everything runs in a transaction that is rolled back.

Without --db a throwaway PostgreSQL is started (the system's binaries) and removed
afterwards. The schema SQL is `tests.schema_sql` of hasura-perm.yaml, else db/schema.sql.

With several sources (`sources:` in hasura-perm.yaml) the cases under
permissions/tests/SOURCE/ run against that source's database, the others against the
primary source's; each source's schema SQL is `sources.SOURCE.schema_sql`. Say which
source a database or schema SQL is for: --db SOURCE=URL, --schema-sql SOURCE=FILE (repeat
them, one per source; sources without --db get a throwaway PostgreSQL).

exit codes: 0 all passed, 1 error, 3 a case failed, coverage below --min-coverage, or a
mutant survived --mutate

examples:
  hasura-perm test
  hasura-perm test --coverage --min-coverage 100 --mutate
  hasura-perm test --db postgresql://ci@localhost/app_test --format junit --out perms.xml
  hasura-perm test permissions/tests/projects.yaml --case "*editor*"
  hasura-perm test --db default=$APP_TEST_URL --db reports=$REPORTS_TEST_URL  # several sources
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="test files or folders (default: all)"
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        action="append",
        help="use this database (nothing outside a rolled-back transaction is touched); "
        "several sources: SOURCE=URL, once per source",
    )
    parser.add_argument(
        "--schema-sql",
        metavar="FILE",
        action="append",
        help="schema SQL to load (default: tests.schema_sql, else db/schema.sql); "
        "several sources: SOURCE=FILE, once per source (default: sources.SOURCE.schema_sql)",
    )
    parser.add_argument(
        "--case",
        metavar="PATTERN",
        help="run only cases whose name contains PATTERN (or matches a glob)",
    )
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="report which rules, allow/deny outcomes and `_or` arms the cases reach",
    )
    parser.add_argument(
        "--min-coverage",
        type=_percent,
        metavar="N",
        help="exit 3 when rule coverage is below N percent (implies --coverage)",
    )
    parser.add_argument(
        "--mutate",
        action="store_true",
        help="weaken each rule in turn and report mutants no case notices",
    )
    add_output_arguments(parser, "test")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress messages (shown only on a terminal)"
    )


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    if project.several_sources:
        return _run_sources(args, project)
    loaded = engine.load(project, args.files or None, args.case)
    if not loaded.cases:
        raise HasuraPermError(f"no case matches {args.case!r}")
    progress = None if args.quiet else _Progress()
    db = _one_source_value(args.db, project)
    report = engine.run(
        loaded,
        db_url=db,
        schema_sql=engine.schema_sql_path(project, _one_source_value(args.schema_sql, project)),
        coverage=args.coverage,
        mutate=args.mutate,
        min_coverage=args.min_coverage,
        progress=progress,
    )
    if progress:
        progress.done()
    emit(args, report)
    return ExitCode.OK if report.ok else ExitCode.CHECKS_FAILED


def _run_sources(args: argparse.Namespace, project: Project) -> int:
    """Each source's cases against that source's own database: files under
    permissions/tests/<source>/ belong to that source, all others to the primary one."""
    fmt = chosen_format(args)
    dbs = _per_source("--db", "URL", args.db, project)
    schema_sqls = _per_source("--schema-sql", "FILE", args.schema_sql, project)
    reports = {}
    for source, files in _files_by_source(project, args.files).items():
        one = project.for_source(source)
        loaded = engine.load(one, [str(f) for f in files], args.case)
        if not loaded.cases:
            continue
        schema_sql = (
            Path(schema_sqls[source]).resolve() if source in schema_sqls else one.schema_sql
        )
        if schema_sql is None and source not in dbs:
            raise HasuraPermError(
                f"source {source!r} has permission tests but no schema SQL: set "
                f"`sources: {{{source}: {{schema_sql: FILE}}}}` in hasura-perm.yaml, pass "
                f"--schema-sql {source}=FILE, or run on a database that has the schema with "
                f"--db {source}=URL"
            )
        progress = None if args.quiet else _Progress()
        reports[source] = engine.run(
            loaded,
            db_url=dbs.get(source),
            schema_sql=schema_sql,
            coverage=args.coverage,
            mutate=args.mutate,
            min_coverage=args.min_coverage,
            progress=progress,
        )
        if progress:
            progress.done()
    if not reports:
        raise HasuraPermError(f"no case matches {args.case!r}")
    as_text = "".join(f"== source {s}\n{render(r, 'text')}" for s, r in reports.items())
    if fmt == "json":
        output = json.dumps(
            {"sources": {s: json.loads(render(r, "json")) for s, r in reports.items()}},
            indent=2,
            ensure_ascii=False,
        )
        output += "\n"
    elif fmt == "junit":
        output = junit_sources(reports)
    else:
        output = as_text
    if args.out:
        write_files({Path(args.out): output})
        print(f"Wrote the report ({fmt}) to {args.out}.", file=sys.stderr)
        if fmt != "text":
            sys.stdout.write(as_text)
    else:
        sys.stdout.write(output)
    ok = all(r.ok for r in reports.values())
    return ExitCode.OK if ok else ExitCode.CHECKS_FAILED


def _split_source(value: str, project: Project) -> tuple[str | None, str]:
    """`SOURCE=VALUE` -> (SOURCE, VALUE) when SOURCE is one of the project's sources; any
    other text (a URL, `host=... dbname=...`, a file name) -> (None, text)."""
    source, found, rest = value.partition("=")
    return (source, rest) if found and source in project.sources else (None, value)


def _one_source_value(values: list[str] | None, project: Project) -> str | None:
    """--db / --schema-sql of a project with one source: the last one given (as before),
    without a `SOURCE=` prefix naming that source."""
    return _split_source(values[-1], project)[1] if values else None


def _per_source(flag: str, what: str, values: list[str] | None, project: Project) -> dict:
    """--db / --schema-sql with several sources: SOURCE=VALUE, at most once per source."""
    found: dict[str, str] = {}
    sources = ", ".join(project.sources)
    for value in values or ():
        source, rest = _split_source(value, project)
        if source is None:
            shown = f" {value!r}" if flag == "--schema-sql" else ""  # a URL may hold a password
            raise HasuraPermError(
                f"{flag}{shown}: the project has several sources ({sources}); say which "
                f"one this {what} is for: {flag} SOURCE={what}, once per source"
            )
        if source in found:
            raise HasuraPermError(f"{flag} is given twice for source {source!r}")
        found[source] = rest
    return found


def _files_by_source(project: Project, only: list[str] | None) -> dict[str, list[Path]]:
    folder = engine.tests_dir(project).resolve()
    primary = next(iter(project.sources))
    groups: dict[str, list[Path]] = {}
    for path in engine.selected_files(project, only or None):
        relative = (
            path.resolve().relative_to(folder).parts if folder in path.resolve().parents else ()
        )
        source = relative[0] if len(relative) > 1 and relative[0] in project.sources else primary
        groups.setdefault(source, []).append(path)
    return groups


def _percent(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0 <= number <= 100:
        raise argparse.ArgumentTypeError("a percentage between 0 and 100")
    return number


class _Progress:
    """Progress on stderr for runs longer than a second, at most once a second."""

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.last = self.began
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, message: str) -> None:
        if not self.tty:  # a log (CI, a pipe) gets the report, not progress lines
            return
        now = time.monotonic()
        if now - self.began < 1.0 or now - self.last < 1.0:
            return
        self.last, self.shown = now, True
        sys.stderr.write(f"\r\033[K{message}")
        sys.stderr.flush()

    def done(self) -> None:
        if self.shown and self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
