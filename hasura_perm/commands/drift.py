"""`hasura-perm drift`: does the live server still hold the permissions the project compiles to?"""

from __future__ import annotations

import argparse

from hasura_perm.commands._remote import ENVIRONMENT_HELP
from hasura_perm.commands._remote import add_environment_arguments
from hasura_perm.commands._remote import compile_and_read
from hasura_perm.commands._remote import connect
from hasura_perm.commands.output import emit
from hasura_perm.core.errors import ExitCode
from hasura_perm.remote.apply import find_drift

NAME = "drift"
HELP = "Compare the live permissions hasura-perm owns with the project (exit 2 on drift)."
DESCRIPTION = f"""\
Read the server's metadata and report every owned permission (declared role, managed table)
that is missing on the server, unexpected there, or changed, with the detail. Permissions of
roles the project does not declare are listed separately, as information. Comparison is
semantic: key order, list order, `$eq` vs `_eq` and `check: null` vs absent are not drift.
Only the report goes to stdout, so `--format json` output can be piped.

exit codes: 0 no drift, 1 could not check, 2 drift

examples:
  hasura-perm drift --env production
  hasura-perm drift --env production --format json > drift.json

{ENVIRONMENT_HELP}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_environment_arguments(parser, kind="drift")


def run(args: argparse.Namespace) -> int:
    remote = connect(args)
    result, live = compile_and_read(remote)
    drift = find_drift(result, live, environment=remote.environment.name)
    emit(args, drift, what="drift report")
    return ExitCode.DIFFERENCES if drift.changed else ExitCode.OK
