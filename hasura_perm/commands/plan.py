"""`hasura-perm plan`: what apply would change on a live server."""

from __future__ import annotations

import argparse
import sys

from hasura_perm.commands._remote import ENVIRONMENT_HELP
from hasura_perm.commands._remote import add_environment_arguments
from hasura_perm.commands._remote import add_prune_argument
from hasura_perm.commands._remote import add_target_arguments
from hasura_perm.commands._remote import connect
from hasura_perm.commands._remote import fresh_plan
from hasura_perm.commands._remote import partial_preface
from hasura_perm.commands._remote import target_of
from hasura_perm.commands.output import chosen_format
from hasura_perm.commands.output import emit

NAME = "plan"
HELP = "Show what apply would change on a Hasura server (exit 2 when there are changes)."
DESCRIPTION = f"""\
Read the server's metadata (one export_metadata call) and compare the permissions hasura-perm
owns (declared roles on managed tables) with the compiled project, per table, action and role,
with column and expression detail. Each change is labelled widening (grants more), narrowing,
mixed or neutral. Nothing is changed.

exit codes: 0 no changes, 1 error, 2 changes

examples:
  hasura-perm plan --env staging
  hasura-perm plan --env production --format markdown > plan.md
  hasura-perm plan --env production --out plan.json   # JSON; then: apply --plan plan.json
  hasura-perm plan --env production --table public.projects --role editor   # partial plan

{ENVIRONMENT_HELP}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_environment_arguments(parser, kind="plan")
    add_prune_argument(parser)
    add_target_arguments(parser)


def run(args: argparse.Namespace) -> int:
    remote = connect(args)
    plan, _ = fresh_plan(remote, prune=args.prune, target=target_of(args))
    emit(args, plan, what="plan", preface=partial_preface(plan))
    if args.out and chosen_format(args) == "json":
        print(
            f"Apply it with `hasura-perm apply --env {args.env} --plan {args.out}`.",
            file=sys.stderr,
        )
    return plan.exit_code
