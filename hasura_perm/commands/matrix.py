"""`hasura-perm matrix`: who can do what, as one role x table x action grid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hasura_perm.errors import ExitCode
from hasura_perm.metadata.directory import write_files
from hasura_perm.project import load_project
from hasura_perm.review import matrix_html
from hasura_perm.review.matrix import build_matrix
from hasura_perm.review.matrix import render_json
from hasura_perm.review.matrix import render_markdown
from hasura_perm.review.merged import compile_project

NAME = "matrix"
HELP = "Show the access matrix: every role x table x action, as markdown, HTML or JSON."
DESCRIPTION = """\
Compile the project and show, for every managed table, declared role and action (select,
insert, update, delete), whether the role has the action, whether rows are filtered (the
filter; for insert, the check) and how many of the table's columns it may use.
The HTML page is one self-contained file (no network): sort by clicking a header, filter by
table, role and action, click a cell for its rule (origin, file and line, compiled
permission, rule as written).

examples:
  hasura-perm matrix                                  # markdown on stdout
  hasura-perm matrix --format html --out matrix.html
  hasura-perm matrix --role viewer --role editor --table 'public.project_*'
  hasura-perm matrix --format json | jq '.cells[] | select(.allowed and (.row_filtered|not))'
"""
FORMATS = ("markdown", "html", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, default="markdown", help="output format (default markdown)"
    )
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
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    result, index = compile_project(project)
    matrix = build_matrix(
        result.compiled, index.catalog.snapshot, index, roles=args.role, tables=args.table
    )
    if args.format == "html":
        text = matrix_html.render_html(matrix, f"Access matrix: {project.root.name}")
    elif args.format == "json":
        text = render_json(matrix)
    else:
        text = render_markdown(matrix)
    if args.out:
        write_files({Path(args.out): text})
        print(f"Wrote the access matrix to {args.out}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return ExitCode.OK
