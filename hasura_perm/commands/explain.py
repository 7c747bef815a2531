"""`hasura-perm explain`: one resolved rule, where it came from, and what it amounts to."""

from __future__ import annotations

import argparse

from hasura_perm.build import build
from hasura_perm.errors import ExitCode
from hasura_perm.errors import HasuraPermError
from hasura_perm.project import load_project
from hasura_perm.report.output import add_output_arguments
from hasura_perm.report.output import emit
from hasura_perm.review.explain import explain
from hasura_perm.review.rules import SpecIndex
from hasura_perm.spec import ACTIONS

NAME = "explain"
HELP = "Explain one role's permission on one table: where it came from, what it compiles to."
DESCRIPTION = """\
Show how the permission of a role for an action on a table is resolved (the table file's
rule, else the most specific matching default, else the parents'), the rule as written with
the named conditions, column sets and presets it uses (each with file and line), the Hasura
permission it compiles to, and its filter and check as a PostgreSQL condition. With
--session the session variables are replaced by the values given.

examples:
  hasura-perm explain --role viewer --table public.projects --action select
  hasura-perm explain --role editor --table projects --action update \\
      --session x-hasura-user-db-id=7 --session 'x-hasura-department-ids={1,2}'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, metavar="R", help="a declared role")
    parser.add_argument(
        "--table",
        required=True,
        metavar="T",
        help="a managed table: schema.table (or table for public)",
    )
    parser.add_argument("--action", required=True, choices=ACTIONS, help="the action")
    parser.add_argument(
        "--session",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a session variable's value for the SQL (repeat; arrays as Postgres literals: {1,2})",
    )
    add_output_arguments(parser, "explain", what="explanation")


def run(args: argparse.Namespace) -> int:
    session = parse_session(args.session)
    project = load_project(args.project)
    result = build(project)
    index = SpecIndex.load(project, result)
    explanation = explain(
        project,
        result,
        index,
        index.catalog.snapshot,
        table=args.table,
        action=args.action,
        role=args.role,
        session=session,
    )
    emit(args, explanation, what="explanation")
    return ExitCode.OK


def parse_session(items: list[str]) -> dict[str, str]:
    session: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lower()
        if not sep or not name.startswith("x-hasura-"):
            raise HasuraPermError(
                f"--session {item!r}: expected NAME=VALUE with a name starting with x-hasura- "
                "(e.g. --session x-hasura-user-db-id=7)"
            )
        session[name] = value
    return session
