"""`hasura-perm matrix`: who can do what, as one role x table x action grid."""

from __future__ import annotations

import argparse

from hasura_perm.commands.output import add_output_arguments
from hasura_perm.commands.output import emit
from hasura_perm.core.errors import ExitCode
from hasura_perm.review.access_matrix import build_matrix
from hasura_perm.review.merged import compile_project
from hasura_perm.spec.project import load_project

NAME = "matrix"
HELP = "Show the access matrix: every role x table x action, as text, markdown, HTML or JSON."
DESCRIPTION = """\
Compile the project and show, for every managed table, declared role and action (select,
insert, update, delete), whether the role has the action, whether rows are filtered (the
filter; for insert, the check) and how many of the table's columns it may use.
The HTML page is one self-contained file (no network): sort by clicking a header, filter by
table, role and action, click a cell for its rule (origin, file and line, compiled
permission, rule as written).

examples:
  hasura-perm matrix                                  # text on stdout
  hasura-perm matrix --format markdown > matrix.md
  hasura-perm matrix --format html --out matrix.html
  hasura-perm matrix --role viewer --role editor --table 'public.project_*'
  hasura-perm matrix --format json | jq '.cells[] | select(.allowed and (.row_filtered|not))'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_arguments(parser, "matrix", what="access matrix")
    parser.add_argument(
        "--role",
        action="append",
        metavar="R",
        help="only this role (a name or pattern like '*_admin'; repeat for more)",
    )
    parser.add_argument(
        "--table",
        action="append",
        metavar="T",
        help="only this table (schema.table, table, or a pattern like 'public.project_*'; repeat for more)",
    )


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    result, index = compile_project(project)
    matrix = build_matrix(
        result.compiled, index.catalog.snapshot, index, roles=args.role, tables=args.table
    )
    emit(args, matrix, what="access matrix", title=f"Access matrix: {project.root.name}")
    return ExitCode.OK
