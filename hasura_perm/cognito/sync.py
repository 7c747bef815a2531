"""`cognito sync-users`: upsert every user of the pool into the users table, through Hasura.

Reconciles what the post-confirmation Lambda missed (admin-created users, failed triggers,
users from before the Lambda). Uses the Lambda's own upsert, so both write the same rows.
boto3 is an optional extra: `pip install 'hasura-perm[cognito]'`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.cognito.handler.user_sync import SyncError
from hasura_perm.cognito.handler.user_sync import build_row
from hasura_perm.cognito.handler.user_sync import upsert
from hasura_perm.cognito.pool import Pool
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.spec.project import Environment

SKIPPED_STATUSES = ("UNCONFIRMED",)  # never confirmed: post-confirmation would not fire either


@dataclass
class SyncReport:
    counts: Counter[str] = field(
        default_factory=Counter
    )  # created/updated/unchanged/failed/skipped
    failures: list[tuple[str, str]] = field(default_factory=list)  # (username, reason)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        order = ("created", "updated", "unchanged", "failed", "skipped")
        return ", ".join(f"{self.counts[k]} {k}" for k in order)


def cognito_client(pool: Pool, endpoint_url: str | None = None) -> Any:
    try:
        import boto3
    except ImportError:
        raise HasuraPermError(
            "sync-users needs boto3: pip install 'hasura-perm[cognito]'"
        ) from None
    return boto3.client(
        "cognito-idp", region_name=pool.region, endpoint_url=endpoint_url or pool.aws_endpoint_url
    )


def list_users(client: Any, pool: Pool) -> Iterator[dict[str, Any]]:
    """Every user of the pool (ListUsers pages of 60)."""
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError

    try:
        for page in client.get_paginator("list_users").paginate(UserPoolId=pool.user_pool_id):
            yield from page.get("Users", [])
    except ClientError as err:
        error = err.response.get("Error", {})
        raise HasuraPermError(
            f"Cognito refused to list the users of {pool.user_pool_id}: "
            f"{error.get('Code')}: {error.get('Message')}"
        ) from None
    except BotoCoreError as err:
        raise HasuraPermError(f"cannot list the users of {pool.user_pool_id}: {err}") from None


def sync_users(
    users: Iterator[dict[str, Any]],
    sync: dict[str, Any],
    env: Environment,
    *,
    progress: Callable[[int, SyncReport], None] | None = None,
) -> SyncReport:
    """Upsert each user; never stops at a failed user."""
    url, secret = graphql_target(env)
    report = SyncReport()
    for user in users:
        username = user.get("Username", "?")
        if user.get("UserStatus") in SKIPPED_STATUSES:
            report.counts["skipped"] += 1
        else:
            attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
            try:
                row = build_row(attributes, username, sync)
                outcome = upsert(
                    url,
                    secret,
                    sync,
                    row,
                    timeout=min(env.timeout, 10.0),
                    verify_tls=not env.insecure,
                )
                report.counts[outcome] += 1
            except SyncError as err:
                report.counts["failed"] += 1
                report.failures.append((username, str(err).replace(secret, "***")))
        if progress is not None:
            progress(report.total, report)
    return report


def graphql_target(env: Environment) -> tuple[str, str]:
    secret = os.environ.get(env.admin_secret_env)
    if not secret:
        raise HasuraPermError(
            f"environment variable {env.admin_secret_env} (the admin secret of environment "
            f"{env.name!r}) is not set"
        )
    return f"{env.endpoint}/v1/graphql", secret
