"""`hasura-perm cognito ...`: the Cognito side of the role definitions (docs/cognito.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from hasura_perm.cognito.jwt_secret import claims_map_secret
from hasura_perm.cognito.jwt_secret import jwt_secret
from hasura_perm.cognito.loader import load_cognito
from hasura_perm.cognito.package import lambda_files
from hasura_perm.cognito.package import write_package
from hasura_perm.cognito.pool import pool_for
from hasura_perm.commands.output import DeprecatedAlias
from hasura_perm.commands.output import add_output_arguments
from hasura_perm.commands.output import chosen_format
from hasura_perm.commands.output import emit
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.terminal import visible
from hasura_perm.core.terminal import warn
from hasura_perm.spec.project import load_project

NAME = "cognito"
HELP = "Cognito: claims Lambda, JWT secret, token inspection and user sync."
DESCRIPTION = """\
Cognito users get their Hasura roles and session variables from the same role definitions:
`cognito_groups` on roles, `from:` on session variables and the `cognito:` section.

examples:
  hasura-perm cognito mapping                           # the compiled claims mapping (JSON)
  hasura-perm cognito lambda build --out build/cognito-lambda.zip
  hasura-perm cognito jwt-secret --env production --format env
  hasura-perm cognito whoami --env staging --token "$ID_TOKEN"
  hasura-perm cognito sync-users --env staging
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="cognito_command", metavar="SUBCOMMAND", required=True)
    _subparser(
        sub,
        "mapping",
        "print the compiled claims mapping the Lambdas read (JSON)",
        "hasura-perm cognito mapping > mapping.json",
    )

    lam = _subparser(
        sub,
        "lambda",
        "package the Lambda handlers",
        "hasura-perm cognito lambda build --out build/cognito-lambda.zip",
    )
    lam_sub = lam.add_subparsers(dest="lambda_command", metavar="SUBCOMMAND", required=True)
    build = _subparser(
        lam_sub,
        "build",
        "write pre_token.py, user_sync.py and the mapping to a folder or a reproducible zip",
        "hasura-perm cognito lambda build --into build/cognito-lambda.zip\n"
        "  hasura-perm cognito lambda build --into build/lambda/",
    )
    build.add_argument(
        "--into", metavar="DIR|ZIP", help="a folder, or a path ending in .zip (required)"
    )
    build.add_argument(  # the old spelling; --out names a report file in every other command
        "--out", dest="into", action=DeprecatedAlias, new="--into DIR|ZIP", help=argparse.SUPPRESS
    )

    secret = _subparser(
        sub,
        "jwt-secret",
        "print HASURA_GRAPHQL_JWT_SECRET for an environment's user pool",
        "hasura-perm cognito jwt-secret --env production\n"
        "  hasura-perm cognito jwt-secret --env production --format env\n"
        "  hasura-perm cognito jwt-secret --env staging --format terraform --claims-map",
    )
    _env_argument(secret)
    add_output_arguments(secret, "jwt-secret", default="json", what="secret")
    secret.add_argument(
        "--claims-map",
        action="store_true",
        help="no-Lambda variant: map cognito:groups and attributes with claims_map",
    )

    whoami = _subparser(
        sub,
        "whoami",
        "verify a token like Hasura would and show the session and what its role may do",
        'hasura-perm cognito whoami --env staging --token "$ID_TOKEN"\n'
        "  hasura-perm cognito whoami --env staging --role viewer --format json < token.txt",
    )
    _env_argument(whoami)
    whoami.add_argument("--token", metavar="T", help="the JWT (default: read from stdin)")
    whoami.add_argument("--role", help="act as this role, as the X-Hasura-Role header would")
    whoami.add_argument(
        "--claims-map", action="store_true", help="read claims as the --claims-map secret does"
    )
    whoami.add_argument("--leeway", type=float, default=0, metavar="S", help="clock skew, seconds")
    add_output_arguments(whoami, "whoami", what="session")
    whoami.add_argument(  # the old spelling of --format json
        "--json",
        nargs=0,
        dest="format",
        action=DeprecatedAlias,
        new="--format json",
        value="json",
        help=argparse.SUPPRESS,
    )

    sync = _subparser(
        sub,
        "sync-users",
        "upsert every user of the pool into the users table through Hasura's GraphQL API",
        "hasura-perm cognito sync-users --env staging",
    )
    _env_argument(sync)
    sync.add_argument("--aws-endpoint-url", metavar="URL", help="Cognito API endpoint override")
    sync.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _subparser(sub: Any, name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=help_text,
        description=f"{help_text[0].upper()}{help_text[1:]}.\n\nexamples:\n  {examples}\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _env_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env", required=True, metavar="NAME", help="environment in hasura-perm.yaml"
    )


def run(args: argparse.Namespace) -> int:
    handlers = {
        "mapping": _mapping,
        "lambda": _lambda_build,
        "jwt-secret": _jwt_secret,
        "whoami": _whoami,
        "sync-users": _sync_users,
    }
    return handlers[args.cognito_command](args)


def _mapping(args: argparse.Namespace) -> int:
    loaded = load_cognito(load_project(args.project))
    print(json.dumps(loaded.mapping, indent=2, sort_keys=True))
    return ExitCode.OK


def _lambda_build(args: argparse.Namespace) -> int:
    if not args.into:
        raise HasuraPermError("lambda build needs --into DIR|ZIP (a folder, or a .zip path)")
    loaded = load_cognito(load_project(args.project))
    path, size, digest = write_package(lambda_files(loaded.mapping), Path(args.into))
    kind = "zip" if path.suffix.lower() == ".zip" else "folder"
    print(f"Wrote {kind} {path} ({size} bytes, sha256 {digest}).")
    print(
        "Handlers: pre_token.handler (pre token generation, event version "
        f"{loaded.mapping['trigger_version']}), user_sync.handler (post confirmation/authentication)."
    )
    return ExitCode.OK


def _jwt_secret(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    pool = pool_for(project.environment(args.env))
    mapping = load_cognito(project).mapping
    if args.claims_map:
        secret, warnings = claims_map_secret(mapping, pool)
        for warning in warnings:
            warn(warning)
    else:
        secret = jwt_secret(mapping, pool)
    emit(args, secret, what="secret", env=args.env)
    return ExitCode.OK


def _whoami(args: argparse.Namespace) -> int:
    from hasura_perm.cognito import whoami  # PyJWT is only needed here

    project = load_project(args.project)
    pool = pool_for(project.environment(args.env))
    loaded = load_cognito(project)
    token = whoami.read_token(args.token if args.token is not None else sys.stdin.read())
    warnings: list[str] = []
    claims = whoami.verify(token, pool, leeway=args.leeway, warnings=warnings)
    session = whoami.hasura_session(
        claims, loaded.mapping, role=args.role, use_claims_map=args.claims_map, pool=pool
    )
    session.notes = warnings
    summary = whoami.role_summary(loaded.build.compiled, session.role, session.variables)
    report = {
        "json": _whoami_json(session, summary),
        "text": _whoami_text(session, summary, loaded.mapping, args.claims_map),
    }
    emit(args, report, what="session")
    if chosen_format(args) == "text":  # JSON carries them in the record
        for warning in warnings:
            warn(warning)
    return ExitCode.OK


def _whoami_json(session: Any, summary: list[str]) -> dict[str, Any]:
    return {
        "token_use": session.token_use,
        "client_id": session.client_id,
        "sub": session.subject,
        "expires_at": session.expires_at,
        "allowed_roles": session.allowed_roles,
        "default_role": session.default_role,
        "role": session.role,
        "session": session.variables,
        "permissions": summary,
        "warnings": session.notes,
    }


def _whoami_text(
    session: Any, summary: list[str], mapping: dict[str, Any], claims_map: bool
) -> str:
    expires = dt.datetime.fromtimestamp(session.expires_at, dt.UTC)
    fmt = "claims_map" if claims_map else f"claims_format {mapping['claims_format']}"
    lines = [
        f"Valid {session.token_use} token for app client {session.client_id}, user {session.subject}, "
        f"expires {expires:%Y-%m-%d %H:%M:%S} UTC.",
        f"Hasura ({fmt}) accepts it:",
        f"  allowed roles: {', '.join(session.allowed_roles)}",
        f"  default role:  {session.default_role}",
        "  session:",
        *(f"    {k}: {v}" for k, v in session.variables.items()),
        f"What `{session.role}` may do:",
        *(f"  {line}" for line in summary),
    ]
    # Claims are the user pool's attributes, some of which users may set themselves.
    return "\n".join(visible(line) for line in lines)


def _sync_users(args: argparse.Namespace) -> int:
    from hasura_perm.cognito import sync

    project = load_project(args.project)
    env = project.environment(args.env)
    pool = pool_for(env)
    mapping = load_cognito(project).mapping
    if not mapping.get("user_sync"):
        raise HasuraPermError(
            "no `cognito.user_sync` section in permissions/; add one naming the users table "
            "and its key column (see docs/cognito.md)"
        )
    client = sync.cognito_client(pool, args.aws_endpoint_url)
    progress = None if args.quiet else _progress_printer()
    report = sync.sync_users(
        sync.list_users(client, pool), mapping["user_sync"], env, progress=progress
    )
    if progress is not None and report.total and sys.stderr.isatty():
        print(file=sys.stderr)
    for username, reason in report.failures:
        warn(f"{username}: {reason}", kind="failed")  # both come from Cognito
    print(
        f"Synced {report.total} users of {pool.user_pool_id} into {mapping['user_sync']['table']}: "
        f"{report.summary()}."
    )
    return ExitCode.ERROR if report.counts["failed"] else ExitCode.OK


def _progress_printer() -> Any:
    tty = sys.stderr.isatty()

    def progress(done: int, report: Any) -> None:
        if tty:
            print(f"\r{done} users: {report.summary()}", end="", file=sys.stderr, flush=True)
        elif done % 100 == 0:
            print(f"{done} users: {report.summary()}", file=sys.stderr, flush=True)

    return progress
