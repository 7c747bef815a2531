"""`hasura-perm schema pull`: write the schema snapshot from a live database."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from hasura_perm.errors import ExitCode
from hasura_perm.errors import HasuraPermError
from hasura_perm.hasura.client import Client
from hasura_perm.introspect import INTROSPECTION_SQL
from hasura_perm.introspect import introspect
from hasura_perm.introspect import snapshot_from_rows
from hasura_perm.metadata import yamlfmt
from hasura_perm.metadata.directory import write_files
from hasura_perm.project import Project
from hasura_perm.project import load_project
from hasura_perm.report.output import DeprecatedAlias
from hasura_perm.snapshot import SNAPSHOT_HEADER

NAME = "schema"
HELP = "Manage the schema snapshot (tables, columns, keys) that compile checks rules against."
DESCRIPTION = """\
The schema snapshot lists every table with its columns and types, primary, unique and
foreign keys, so compile, lint and tests work offline.

examples:
  hasura-perm schema pull --database-url postgresql://user@localhost:5432/app
  DATABASE_URL=postgresql://... hasura-perm schema pull --schemas public,audit
  hasura-perm schema pull --env staging   # through Hasura's run_sql (read-only)
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
        "--into", metavar="FILE", help="where to write (default: the project's snapshot)"
    )
    pull.add_argument(  # the old spelling; --out names a report file in every other command
        "--out", dest="into", action=DeprecatedAlias, new="--into FILE", help=argparse.SUPPRESS
    )


def run(args: argparse.Namespace) -> int:
    schemas = [s.strip() for s in args.schemas.split(",") if s.strip()] if args.schemas else None
    if args.env:
        if args.database_url:
            raise HasuraPermError("pass either --env or --database-url, not both")
        project = load_project(args.project)
        snapshot = _through_hasura(project, args.env, args.insecure, schemas)
    else:
        url = args.database_url or os.environ.get("DATABASE_URL")
        if not url:
            raise HasuraPermError(
                "no database given: pass --database-url URL, set DATABASE_URL, or pass --env NAME"
            )
        project = None if args.into else load_project(args.project)
        snapshot = introspect(url, schemas=schemas)
    text = SNAPSHOT_HEADER + yamlfmt.dump(snapshot, kind="other")
    if args.into:  # the user's own choice of place
        out = Path(args.into)
        write_files({out: text})
    else:  # the project's snapshot, which hasura-perm.yaml keeps inside the project
        assert project is not None
        out = project.schema_file
        write_files({out: text}, inside=project.root, show=project.relative)
    print(f"Wrote {len(snapshot['tables'])} tables to {out}.")
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
