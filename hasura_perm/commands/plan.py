"""`hasura-perm plan`: what apply would change on a live server."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hasura_perm.commands._remote import ENVIRONMENT_HELP
from hasura_perm.commands._remote import add_environment_arguments
from hasura_perm.commands._remote import add_prune_argument
from hasura_perm.commands._remote import add_target_arguments
from hasura_perm.commands._remote import connect
from hasura_perm.commands._remote import fresh_plan
from hasura_perm.commands._remote import show_partial
from hasura_perm.commands._remote import target_of
from hasura_perm.metadata.directory import write_files
from hasura_perm.report import FORMATS

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
  hasura-perm plan --env production --out plan.json   # then: apply --env production --plan plan.json
  hasura-perm plan --env production --table public.projects --role editor   # partial plan

{ENVIRONMENT_HELP}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_environment_arguments(parser)
    parser.add_argument(
        "--out", metavar="FILE", help="also save the plan (JSON) for `apply --plan FILE`"
    )
    add_prune_argument(parser)
    add_target_arguments(parser)


def run(args: argparse.Namespace) -> int:
    remote = connect(args)
    plan, _ = fresh_plan(remote, prune=args.prune, target=target_of(args))
    show_partial(plan, args.format)
    sys.stdout.write(FORMATS[args.format].render_plan(plan))
    if args.out:
        text = json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n"
        write_files({Path(args.out): text})
        print(f"Saved the plan to {args.out}.", file=sys.stderr)
    return plan.exit_code
