"""What the commands that talk to a Hasura server share: options, connecting, compiling."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

from hasura_perm.commands.output import add_output_arguments
from hasura_perm.compiler.build import Build
from hasura_perm.core.background import Background
from hasura_perm.core.terminal import warn
from hasura_perm.metadata.directory import stale_files
from hasura_perm.remote.apply import Live
from hasura_perm.remote.apply import make_plan
from hasura_perm.remote.apply import project_sources
from hasura_perm.remote.apply import read_live
from hasura_perm.remote.client import Client
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.preflight import check_plan
from hasura_perm.remote.target import Target
from hasura_perm.remote.target import narrow
from hasura_perm.remote.target import warning as partial_warning
from hasura_perm.review.merged import merged_build
from hasura_perm.spec.project import Environment
from hasura_perm.spec.project import Project
from hasura_perm.spec.project import load_project

ENVIRONMENT_HELP = """\
environments (hasura-perm.yaml):
  environments:
    staging:
      endpoint: https://hasura.staging.example.org
      admin_secret_env: HASURA_STAGING_ADMIN_SECRET   # the NAME of the variable
  HASURA_GRAPHQL_ENDPOINT and HASURA_GRAPHQL_ADMIN_SECRET override both, as for the Hasura CLI.
"""


@dataclass
class Remote:
    project: Project
    environment: Environment
    client: Client


def add_environment_arguments(parser: argparse.ArgumentParser, *, kind: str | None = None) -> None:
    parser.add_argument(
        "--env", required=True, metavar="NAME", help="environment from hasura-perm.yaml"
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow a plain http:// endpoint that is not on this machine",
    )
    if kind is not None:
        add_output_arguments(parser, kind)


def connect(args: argparse.Namespace) -> Remote:
    """Project, environment and client; every configuration error is raised before any I/O."""
    project = load_project(args.project)
    environment = project.environment(args.env)
    client = Client.for_environment(environment, insecure=args.insecure)
    return Remote(project, environment, client)


def compile_and_read(remote: Remote) -> tuple[Build, Live]:
    """The compiled project and the server's metadata: the export is read in a background
    thread while the project compiles, so the wait for the server overlaps the local work.

    A compile error is raised alone, without waiting for the server (the daemon thread is
    abandoned); a server error is raised, unchanged, only once the compile succeeded, after its
    warnings. The request goes out before the compile is known to succeed: it is a read, sent
    with the checks of `connect` already passed, to the endpoint a successful compile would
    send it to."""
    sources = project_sources(remote.project)
    reading = Background(lambda: read_live(remote.client, sources), name="hasura-perm-export")
    result = compile_project(remote.project)
    return result, reading.result()


def compile_project(project: Project) -> Build:
    result = merged_build(project)
    for warning in result.warnings:
        warn(warning)
    if stale_files(result.files):
        warn(
            "metadata/ is not up to date with permissions/; run `hasura-perm compile` "
            "(the server is compared with permissions/)"
        )
    return result


def add_prune_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prune",
        action="store_true",
        help="also remove permissions on managed tables of roles the project does not declare",
    )


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--table",
        action="append",
        metavar="T",
        help="only changes on this table (schema.table, table or a pattern; repeat for more): "
        "a partial plan, for emergencies",
    )
    parser.add_argument(
        "--role",
        action="append",
        metavar="R",
        help="only changes for this role (a name or a pattern; repeat for more): a partial plan",
    )


def target_of(args: argparse.Namespace) -> Target:
    return Target(
        tuple(getattr(args, "table", None) or ()), tuple(getattr(args, "role", None) or ())
    )


def fresh_plan(remote: Remote, *, prune: bool, target: Target | None = None) -> tuple[Plan, Live]:
    """Compile the project, read the server, and plan the difference (only the targeted
    changes, when a target is given)."""
    result, live = compile_and_read(remote)
    plan = make_plan(
        result,
        live,
        environment=remote.environment.name,
        endpoint=remote.client.shown_endpoint,
        prune=prune,
    )
    if target:
        plan.changes, plan.left_out = narrow(plan.changes, target)
        plan.target = target.describe()
        # a plan for one table and role leaves actions and introspection alone
        plan.left_out += len(plan.surface)
        plan.surface = []
    check_plan(result.catalog, plan.changes, live.export.metadata, live.source, plan.environment)
    return plan, live


def partial_preface(plan: Plan) -> Callable[[str], str]:
    """A partial plan says so first, in the plan itself (JSON: `target` and `left_out` in the
    record, and the line on stderr)."""

    def preface(fmt: str) -> str:
        if not plan.target:
            return ""
        line = partial_warning(plan.target, plan.left_out)
        if fmt == "json":
            print(line, file=sys.stderr)
            return ""
        return f"> **{line}**\n\n" if fmt == "markdown" else f"{line}\n\n"

    return preface
