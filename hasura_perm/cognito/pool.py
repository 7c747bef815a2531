"""An environment's Cognito user pool: `environments.<name>.cognito` in hasura-perm.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.spec.project import CONFIG_NAME
from hasura_perm.spec.project import Environment

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(-[a-z]+)+-\d{1,2})_[0-9a-zA-Z]+$")


@dataclass(frozen=True)
class Pool:
    environment: str
    user_pool_id: str
    region: str
    app_client_ids: tuple[str, ...]
    jwks_url: str
    issuer: str
    aws_endpoint_url: str | None = None


def aws_host(region: str) -> str:
    # GUESS: China regions use amazonaws.com.cn; set `issuer`/`jwks_url` there if it differs.
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"cognito-idp.{region}.{suffix}"


def pool_for(env: Environment) -> Pool:
    """The pool settings of an environment, validated; raise with what to fix."""
    settings = env.settings.get("cognito")
    where = f"`environments.{env.name}.cognito` in {CONFIG_NAME}"
    if not isinstance(settings, dict) or not settings.get("user_pool_id"):
        raise HasuraPermError(
            f"environment {env.name!r} has no Cognito pool; add {where} with `user_pool_id` "
            "and `app_client_ids` (see docs/cognito.md)"
        )
    pool_id = str(settings["user_pool_id"])
    match = _POOL_ID.match(pool_id)
    if not match or len(pool_id) > 55:
        raise HasuraPermError(
            f"{pool_id!r} is not a Cognito user pool id (expected <region>_<id>, e.g. "
            f"eu-west-1_AbC123xyz); fix {where}"
        )
    region = str(settings.get("region") or match["region"])
    if not _REGION.match(region):
        raise HasuraPermError(f"{region!r} is not an AWS region (e.g. eu-west-1); fix {where}")
    if region != match["region"]:
        raise HasuraPermError(
            f"region {region!r} does not match pool {pool_id} (region {match['region']}); "
            f"fix {where}"
        )
    issuer = str(settings.get("issuer") or f"https://{aws_host(region)}/{pool_id}")
    return Pool(
        environment=env.name,
        user_pool_id=pool_id,
        region=region,
        app_client_ids=tuple(settings.get("app_client_ids") or ()),
        jwks_url=str(settings.get("jwks_url") or f"{issuer}/.well-known/jwks.json"),
        issuer=issuer,
        aws_endpoint_url=settings.get("aws_endpoint_url"),
    )
