"""`hasura-perm schema pull`: write the schema snapshot from a live database."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from hasura_perm.errors import ExitCode
from hasura_perm.errors import HasuraPermError
from hasura_perm.introspect import introspect
from hasura_perm.metadata import yamlfmt
from hasura_perm.metadata.directory import write_files
from hasura_perm.project import load_project

NAME = "schema"
HELP = "Manage the schema snapshot (tables, columns, keys) that compile checks rules against."
DESCRIPTION = """\
The schema snapshot lists every table with its columns and types, primary, unique and
foreign keys, so compile, lint and tests work offline.

examples:
  hasura-perm schema pull --database-url postgresql://user@localhost:5432/app
  DATABASE_URL=postgresql://... hasura-perm schema pull --schemas public,audit
"""
HEADER = "# Schema snapshot written by `hasura-perm schema pull`; do not edit by hand.\n"


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
        "--schemas",
        metavar="LIST",
        help="comma-separated schemas to include (default: all but system schemas)",
    )
    pull.add_argument(
        "--out", metavar="FILE", help="where to write (default: the project's snapshot)"
    )


def run(args: argparse.Namespace) -> int:
    url = args.database_url or os.environ.get("DATABASE_URL")
    if not url:
        raise HasuraPermError("no database given: pass --database-url URL or set DATABASE_URL")
    out = Path(args.out) if args.out else load_project(args.project).schema_file
    schemas = [s.strip() for s in args.schemas.split(",") if s.strip()] if args.schemas else None
    snapshot = introspect(url, schemas=schemas)
    text = HEADER + yamlfmt.dump(snapshot, kind="other")
    write_files({out: text})
    print(f"Wrote {len(snapshot['tables'])} tables to {out}.")
    return ExitCode.OK
