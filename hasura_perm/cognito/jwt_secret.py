"""HASURA_GRAPHQL_JWT_SECRET for an environment's Cognito pool, from the compiled mapping.

Namespace mode (a Lambda adds the claims): jwk_url, issuer, audience (the app clients) and
claims_format matching the trigger version. `claims_map` mode (no Lambda): Hasura reads the
roles straight from `cognito:groups`, which only works when groups are named after roles.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from hasura_perm.cognito.pool import Pool
from hasura_perm.core.errors import HasuraPermError

FORMATS = ("json", "env", "terraform")
ENV_NAME = "HASURA_GRAPHQL_JWT_SECRET"


def jwt_secret(mapping: dict[str, Any], pool: Pool) -> dict[str, Any]:
    """The JWT secret for Lambda-added claims (namespace `https://hasura.io/jwt/claims`)."""
    return {
        "type": "RS256",
        "jwk_url": pool.jwks_url,
        "issuer": pool.issuer,
        "audience": _audience(pool),
        "claims_namespace": mapping["claims_namespace"],
        "claims_format": mapping["claims_format"],
    }


def claims_map_secret(mapping: dict[str, Any], pool: Pool) -> tuple[dict[str, Any], list[str]]:
    """The no-Lambda variant and the warnings its limits deserve."""
    if mapping.get("roles_attribute"):
        raise HasuraPermError(
            "claims_map cannot read roles from a comma-separated attribute; use the Lambda "
            "(drop --claims-map) or map roles with cognito_groups"
        )
    renamed = sorted(
        f"{group} -> {', '.join(roles)}"
        for group, roles in mapping["group_roles"].items()
        if roles != [group]
    )
    if renamed:
        raise HasuraPermError(
            "claims_map passes Cognito group names through as Hasura roles, but these groups "
            f"map to other role names: {'; '.join(renamed)}. Name each group after its role, "
            "or use the Lambda (drop --claims-map)"
        )
    policy = mapping["unmapped_users"]
    roles_claim: dict[str, Any] = {"path": "$['cognito:groups']"}
    default_claim: dict[str, Any] = {"path": "$['cognito:groups'][0]"}
    if policy["action"] == "fallback":
        roles_claim["default"] = [policy["role"]]
        default_claim["default"] = policy["role"]
    claims: dict[str, Any] = {
        "x-hasura-allowed-roles": roles_claim,
        "x-hasura-default-role": default_claim,
    }
    warnings = [
        "claims_map: every group of the pool becomes an allowed Hasura role, mapped or not",
        "claims_map: the default role is the token's first group, not default_role_order; "
        "clients should send X-Hasura-Role",
        "claims_map: access tokens carry no `aud`, so Hasura accepts access tokens of any app "
        "client of the pool",
    ]
    for name, source in sorted(mapping["session"].items()):
        claims[name], warning = _claims_map_entry(name, source)
        if warning:
            warnings.append(warning)
    secret = {
        "type": "RS256",
        "jwk_url": pool.jwks_url,
        "issuer": pool.issuer,
        "audience": _audience(pool),
        "claims_map": claims,
    }
    return secret, warnings


def _claims_map_entry(name: str, source: dict[str, str]) -> tuple[Any, str | None]:
    if "value" in source:
        return source["value"], None
    attribute = source["from"]
    warning = None
    if attribute.startswith("custom:") or attribute in ("username", "cognito:username"):
        warning = (
            f"claims_map: {name} comes from {attribute}, which only id tokens carry; Hasura "
            "rejects every token without it"
        )
    if attribute in ("username", "cognito:username"):
        attribute = "cognito:username"
    pg_type = source.get("type", "text")
    if pg_type.endswith("[]") or pg_type.startswith("_"):
        warning = (
            f"claims_map: {name} is an array; the attribute must already hold a Postgres "
            "array literal such as {1,2}"
        )
    path = f"$.{attribute}" if attribute.isidentifier() else f"$['{attribute}']"
    return {"path": path}, warning


def _audience(pool: Pool) -> list[str]:
    if not pool.app_client_ids:
        raise HasuraPermError(
            f"environment {pool.environment!r} lists no `app_client_ids` under `cognito:`; "
            "without an audience Hasura accepts tokens of every app client of the pool. Add "
            "the app client id(s) your front ends use"
        )
    return list(pool.app_client_ids)


def render(secret: dict[str, Any], output: str, environment: str) -> str:
    """The secret as pretty JSON, a shell `export` line, or a tfvars line."""
    compact = json.dumps(secret, separators=(",", ":"))
    if output == "json":
        return json.dumps(secret, indent=2) + "\n"
    if output == "env":
        return f"{ENV_NAME}={shlex.quote(compact)}\n"
    if output == "terraform":
        return f"hasura_graphql_jwt_secret_{_tf_name(environment)} = {_hcl_string(compact)}\n"
    raise HasuraPermError(f"unknown format {output!r}; use one of {', '.join(FORMATS)}")


def _tf_name(environment: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in environment)


def _hcl_string(text: str) -> str:
    """An HCL quoted string; `${` and `%{` are template syntax there and must be doubled."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'
