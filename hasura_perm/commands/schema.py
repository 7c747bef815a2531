"""`hasura-perm schema pull`: write the schema snapshot from a live database, through
Hasura, or without a database from a SQL dump or the project's migrations."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from hasura_perm.commands.output import DeprecatedAlias
from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.terminal import warn
from hasura_perm.metadata.directory import write_files
from hasura_perm.remote.client import Client
from hasura_perm.schema.files import migrations_schemas
from hasura_perm.schema.files import sql_schema
from hasura_perm.schema.introspect import INTROSPECTION_SQL
from hasura_perm.schema.introspect import introspect
from hasura_perm.schema.introspect import snapshot_from_rows
from hasura_perm.schema.replay import Replayed
from hasura_perm.schema.replay import stderr_progress
from hasura_perm.schema.snapshot import SNAPSHOT_HEADER
from hasura_perm.spec.project import Project
from hasura_perm.spec.project import load_project

NAME = "schema"
HELP = "Manage the schema snapshot (tables, columns, keys) that compile checks rules against."
DESCRIPTION = """\
The schema snapshot lists every table with its columns and types, primary, unique and
foreign keys, so compile, lint and tests work offline.

examples:
  hasura-perm schema pull --database-url postgresql://user@localhost:5432/app
  DATABASE_URL=postgresql://... hasura-perm schema pull --schemas public,audit
  hasura-perm schema pull --env staging   # through Hasura's run_sql (read-only)
  hasura-perm schema pull --sql db/schema.sql          # a pg_dump, no database needed
  hasura-perm schema pull --migrations                 # replay migrations/ in order
  hasura-perm schema pull --migrations hasura/migrations --extensions postgis

--sql and --migrations replay the SQL into a throwaway PostgreSQL (its server binaries must
be installed) and read its catalog: PostgreSQL is the parser. A failing statement is named
by file and line. --extensions creates extensions the real database had before its
migrations ran (also `sources: {NAME: {extensions: [...]}}` in hasura-perm.yaml); roles
the SQL grants to are created (NOLOGIN) as needed.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="schema_command", metavar="SUBCOMMAND", required=True)
    pull = sub.add_parser(
        "pull",
        help="read tables, columns and keys from a live PostgreSQL database",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pull.add_argument(
        "--database-url",
        metavar="URL",
        help="PostgreSQL URL to read (default: $DATABASE_URL); a password in it is never printed",
    )
    pull.add_argument(
        "--sql",
        metavar="FILE",
        help="replay this SQL file (pg_dump --schema-only, or any schema SQL) into a throwaway "
        "PostgreSQL and read the schema from it",
    )
    pull.add_argument(
        "--migrations",
        metavar="DIR",
        nargs="?",
        const="",
        help="replay the Hasura migrations (DIR, default: migrations/ beside metadata/) in "
        "order into a throwaway PostgreSQL",
    )
    pull.add_argument(
        "--extensions",
        metavar="LIST",
        help="with --sql/--migrations: comma-separated extensions to create first "
        "(those the real database has without its migrations creating them)",
    )
    pull.add_argument(
        "--env",
        metavar="NAME",
        help="read the project's source through the Hasura server of this environment "
        "(run_sql, read-only) instead of connecting to the database",
    )
    pull.add_argument(
        "--insecure",
        action="store_true",
        help="with --env: allow a plain http:// endpoint that is not on this machine",
    )
    pull.add_argument(
        "--schemas",
        metavar="LIST",
        help="comma-separated schemas to include (default: all but system schemas)",
    )
    pull.add_argument(
        "--source",
        metavar="NAME",
        help="the project's source (database) to pull (default: the primary one; with "
        "--migrations or --env: every source of the project, each into its snapshot)",
    )
    pull.add_argument(
        "--into", metavar="FILE", help="where to write (default: the source's snapshot)"
    )
    pull.add_argument(  # the old spelling; --out names a report file in every other command
        "--out", dest="into", action=DeprecatedAlias, new="--into FILE", help=argparse.SUPPRESS
    )


def run(args: argparse.Namespace) -> int:
    schemas = _list(args.schemas) or None
    _one_origin(args)
    if args.extensions and args.sql is None and args.migrations is None:
        raise HasuraPermError("--extensions goes with --sql or --migrations")
    if args.migrations is not None:
        return _pull_migrations(args, schemas)
    project = _project(args, required=bool(args.env or args.source or not args.into))
    if project is not None and args.source:
        project = project.for_source(args.source)
    if args.env and project is not None and project.several_sources and not args.source:
        return _pull_sources_through_hasura(args, project, schemas)
    if args.sql is not None:
        extensions = tuple(_list(args.extensions))
        replayed = sql_schema(
            Path(args.sql), extensions=extensions, schemas=schemas, progress=stderr_progress
        )
        _notes(replayed)
        snapshot = replayed.document
    elif args.env:
        snapshot = _through_hasura(project, args.env, args.insecure, schemas)  # type: ignore[arg-type]
    else:
        url = args.database_url or os.environ.get("DATABASE_URL")
        if not url:
            raise HasuraPermError(
                "no database given: pass --database-url URL, set DATABASE_URL, --env NAME, "
                "--sql FILE or --migrations"
            )
        snapshot = introspect(url, schemas=schemas)
    _write(snapshot, Path(args.into) if args.into else None, project)
    return ExitCode.OK


def _write(snapshot: dict[str, Any], out: Path | None, project: Project | None) -> None:
    """To `out` (the user's own choice of place), else to the project's snapshot of its
    source, which hasura-perm.yaml keeps inside the project."""
    text = SNAPSHOT_HEADER + yamlfmt.dump(snapshot, kind="other")
    if out is not None:
        write_files({out: text})
    else:
        assert project is not None
        out = project.schema_file
        write_files({out: text}, inside=project.root, show=project.relative)
    functions = len(snapshot.get("functions") or {})
    also = f" and {functions} function(s) Hasura can track" if functions else ""
    print(f"Wrote {len(snapshot['tables'])} tables{also} to {out}.")


def _list(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _one_origin(args: argparse.Namespace) -> None:
    given = [
        flag
        for flag, value in (
            ("--database-url", args.database_url),
            ("--env", args.env),
            ("--sql", args.sql),
            ("--migrations", args.migrations),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise HasuraPermError(f"pass only one of {', '.join(given)}")


def _pull_migrations(args: argparse.Namespace, schemas: list[str] | None) -> int:
    """Every source of the project (or --source), each into its own snapshot."""
    project = _project(args, required=not args.migrations)
    if project is None:  # a folder of someone's migrations, before adopting hasura-perm
        primary = args.source or "default"
        targets, root = [primary], Path.cwd()
    else:
        targets = [args.source] if args.source else list(project.sources)
        root, primary = project.root, next(iter(project.sources))
        project.for_source(targets[0])  # an unknown --source is an error here
    if args.into and len(targets) > 1:
        raise HasuraPermError(
            "--out writes one snapshot; the project has several sources, pass --source NAME"
        )
    if project is None and not args.into:
        raise HasuraPermError("no project: pass --out FILE or --project DIR")
    if args.migrations:
        folder = Path(args.migrations)
    else:
        assert project is not None  # required above when there is no --migrations
        folder = project.metadata_dir.parent / "migrations"
    given = tuple(_list(args.extensions))
    extensions = {
        name: (*(project.extensions.get(name, ()) if project else ()), *given) for name in targets
    }
    found = migrations_schemas(
        folder,
        primary,
        root,
        only=set(targets),
        extensions=extensions,
        schemas=schemas,
        progress=stderr_progress,
    )
    for name in targets:
        _notes(found[name])
        one = project.for_source(name) if project is not None else None
        _write(found[name].document, Path(args.into) if args.into else None, one)
    return ExitCode.OK


def _notes(replayed: Replayed) -> None:
    for note in replayed.notes:
        warn(note, kind="note")


def _project(args: argparse.Namespace, *, required: bool) -> Project | None:
    if required or args.project:
        return load_project(args.project)
    try:
        return load_project(None)
    except HasuraPermError:
        return None


def _pull_sources_through_hasura(
    args: argparse.Namespace, project: Project, schemas: list[str] | None
) -> int:
    if args.into:
        raise HasuraPermError(
            "--out writes one snapshot; the project has several sources, pass --source NAME"
        )
    for one in project.each_source():
        _write(_through_hasura(one, args.env, args.insecure, schemas), None, one)
    return ExitCode.OK


def _through_hasura(
    project: Project, env_name: str, insecure: bool, schemas: list[str] | None
) -> dict[str, Any]:
    client = Client.for_environment(project.environment(env_name), insecure=insecure)
    rows = client.run_sql(INTROSPECTION_SQL, source=project.source)
    try:
        return snapshot_from_rows(rows, schemas=schemas)
    except HasuraPermError as exc:  # it may quote the answer, which a hostile server controls
        raise HasuraPermError(client.scrub(f"{client.shown_endpoint}: {exc}")) from None
