"""`hasura-perm apply`: make the live permissions hasura-perm owns equal to the project's."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hasura_perm.commands._remote import ENVIRONMENT_HELP
from hasura_perm.commands._remote import Remote
from hasura_perm.commands._remote import add_environment_arguments
from hasura_perm.commands._remote import add_prune_argument
from hasura_perm.commands._remote import add_target_arguments
from hasura_perm.commands._remote import connect
from hasura_perm.commands._remote import fresh_plan
from hasura_perm.commands._remote import partial_preface
from hasura_perm.commands._remote import target_of
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.terminal import visible
from hasura_perm.core.terminal import warn
from hasura_perm.remote.apply import Live
from hasura_perm.remote.apply import apply_plan
from hasura_perm.remote.apply import bulk_of
from hasura_perm.remote.apply import check_saved_plan
from hasura_perm.remote.apply import project_sources
from hasura_perm.remote.apply import read_live
from hasura_perm.remote.endpoint import redact_url
from hasura_perm.remote.plan import Plan
from hasura_perm.report import text

NAME = "apply"
HELP = "Apply the plan to a Hasura server in one atomic request, then verify it."
DESCRIPTION = f"""\
Show the plan, ask for confirmation, and send every change in ONE `bulk` request carrying the
resource_version the plan was made against: if anyone changed the metadata since (console,
another apply), the server refuses it and nothing changes. After the write the metadata is read
back and the live permissions must equal the intended ones.

Only permissions hasura-perm owns change (declared roles on managed tables); --prune also
removes permissions of undeclared roles on managed tables. Relationships, other roles'
permissions and all other metadata are never touched. If the server's answer is lost (timeout,
dropped connection, 5xx), apply finds out whether the server holds the old or the intended
permissions and says which; it never resends a write blindly.

exit codes: 0 applied (or nothing to do), 1 error or cancelled

examples:
  hasura-perm apply --env staging
  hasura-perm apply --env staging --yes              # CI: no prompt
  hasura-perm apply --env production --plan plan.json --yes
  hasura-perm apply --env staging --dry-run          # print the request (secret redacted)

{ENVIRONMENT_HELP}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_environment_arguments(parser)
    parser.add_argument("--yes", action="store_true", help="apply without asking")
    parser.add_argument(
        "--plan",
        metavar="FILE",
        help="apply a plan saved by `plan --out`; refused if the server changed since",
    )
    add_prune_argument(parser)
    add_target_arguments(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the request apply would send (admin secret redacted) and change nothing",
    )


def run(args: argparse.Namespace) -> int:
    remote = connect(args)
    if args.plan and target_of(args):
        raise HasuraPermError(
            "--table and --role cannot be combined with --plan: target at plan time"
        )
    plan, live = (
        _saved_plan(args, remote)
        if args.plan
        else fresh_plan(remote, prune=args.prune, target=target_of(args))
    )
    sys.stdout.write(partial_preface(plan)("text") + text.render_plan(plan))
    if not plan.changed:
        return ExitCode.OK
    if args.dry_run:
        request = bulk_of(plan, live)
        print("\nDry run: apply would send this request (and change nothing now):\n")
        print(visible(remote.client.describe_request(request), keep="\n"))
        return ExitCode.OK
    if not args.yes and not _confirmed(plan):
        print("Apply cancelled; nothing was changed.")
        return ExitCode.ERROR
    outcome = apply_plan(remote.client, plan, live)
    for warning in outcome.warnings:
        warn(warning)
    print(visible(outcome.message, keep="\n"))  # may quote the server
    return ExitCode.OK


def _saved_plan(args: argparse.Namespace, remote: Remote) -> tuple[Plan, Live]:
    plan = _load_plan(Path(args.plan))
    if args.prune:
        raise HasuraPermError("--prune cannot be combined with --plan: it is chosen at plan time")
    expected = (
        remote.environment.name,
        remote.client.shown_endpoint,
        project_sources(remote.project),
    )
    found = (plan.environment, plan.endpoint, plan.source)
    if expected != found:
        raise HasuraPermError(
            f"{args.plan} was made for environment {plan.environment!r} at {redact_url(plan.endpoint)} "
            f"(source {plan.source!r}), not {expected[0]!r} at {expected[1]} "
            f"(source {expected[2]!r}); nothing was applied"
        )
    live = read_live(remote.client, plan.source)
    check_saved_plan(plan, live, args.plan)
    return plan, live


def _load_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HasuraPermError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise HasuraPermError(f"{path} is not JSON; save plans with `plan --out FILE`") from None
    return Plan.from_json(data, str(path))


def _confirmed(plan: Plan) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        raise HasuraPermError(
            "refusing to ask for confirmation: stdin is not a terminal; review the plan and "
            "pass --yes to apply without asking"
        )
    count = len(plan.changes) + len(plan.surface)
    answer = input(f"\nApply {count} change(s) to {plan.environment}? Only 'yes' applies: ")
    return answer.strip() == "yes"
