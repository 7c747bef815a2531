"""`hasura-perm explain`: one resolved rule, where it came from, and what it amounts to."""

from __future__ import annotations

import argparse

from hasura_perm.cognito.loader import checked_build
from hasura_perm.commands.output import add_output_arguments
from hasura_perm.commands.output import emit
from hasura_perm.compiler.build import Build
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.review.explain_action import explain_action
from hasura_perm.review.explain_action import explain_function
from hasura_perm.review.explain_remote import explain_remote
from hasura_perm.review.explanation import explain
from hasura_perm.review.rules import SpecIndex
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.spec import ACTIONS
from hasura_perm.spec.by_source import split_source
from hasura_perm.spec.project import Project
from hasura_perm.spec.project import load_project

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
  hasura-perm explain --role project_admin --hasura-action export_project_report
  hasura-perm explain --role viewer --remote-schema countries
  hasura-perm explain --role editor --hasura-function search_projects
  hasura-perm explain --role editor --table projects --action update \\
      --session x-hasura-user-db-id=7 --session 'x-hasura-department-ids={1,2}'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, metavar="R", help="a declared role")
    parser.add_argument(
        "--table",
        metavar="T",
        help="a managed table: schema.table (or table for public)",
    )
    parser.add_argument("--action", choices=ACTIONS, help="the action on the table")
    parser.add_argument(
        "--hasura-action",
        metavar="NAME",
        help="instead of --table/--action: a Hasura action (actions.yaml) the role may call",
    )
    parser.add_argument(
        "--remote-schema",
        metavar="NAME",
        help="instead of --table/--action: a remote schema (remote_schemas.yaml): the role's schema",
    )
    parser.add_argument(
        "--hasura-function",
        metavar="NAME",
        help="instead of --table/--action: a tracked function (schema.name) the role may call",
    )
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
    if args.hasura_action is not None:
        return _run_action(args, checked_build(project))
    if args.remote_schema is not None:
        return _run_remote(args, checked_build(project))
    if args.hasura_function is not None:
        project, function = source_of_table(project, args.hasura_function)
        by_function = explain_function(checked_build(project), function, args.role)
        args.output_kind = "explain-function"
        emit(args, by_function, what="explanation")
        return ExitCode.OK
    if args.table is None or args.action is None:
        raise HasuraPermError(
            "explain needs --table and --action (or --hasura-action NAME, --remote-schema NAME, "
            "or --hasura-function NAME)"
        )
    project, table = source_of_table(project, args.table)
    result = checked_build(project)
    index = SpecIndex.of(result)
    explanation = explain(
        project,
        result,
        index,
        index.catalog.snapshot,
        table=table,
        action=args.action,
        role=args.role,
        session=session,
    )
    emit(args, explanation, what="explanation")
    return ExitCode.OK


def source_of_table(project: Project, table: str) -> tuple[Project, str]:
    """The project seen from the source of `table` (`source:schema.table`, or the one
    source whose snapshot has it), and the table name within that source."""
    source, rest = split_source(table)
    if source is not None:
        return project.for_source(source), rest
    if not project.several_sources:
        return project, table
    name = TableName.parse(table)
    holders = [
        one
        for one in project.each_source()
        if one.schema_file.is_file()
        and name in load_snapshot(one.schema_file, project.relative(one.schema_file)).tables
    ]
    if len(holders) > 1:
        sources = ", ".join(f"`{one.source}:{name}`" for one in holders)
        raise HasuraPermError(f"{name} is in several sources; say which: {sources}")
    return (holders[0] if holders else project), table


def _run_action(args: argparse.Namespace, result: Build) -> int:
    explanation = explain_action(result, args.hasura_action, args.role)
    args.output_kind = "explain-action"  # same formats as explain, its own renderers
    emit(args, explanation, what="explanation")
    return ExitCode.OK


def _run_remote(args: argparse.Namespace, result: Build) -> int:
    explanation = explain_remote(result, args.remote_schema, args.role)
    args.output_kind = "explain-remote"  # same formats as explain, its own renderers
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
