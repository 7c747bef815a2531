"""Helpers for the Cognito tests: a project copied from the worked example, real event shapes,
and Cognito's documented treatment of a pre token generation response (moto runs no triggers,
so the tests apply the handler's response to moto's tokens themselves)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
NAMESPACE = "https://hasura.io/jwt/claims"

# Claims a pre token Lambda may not add or change (AWS "claims you cannot add/modify" table).
PROTECTED = {
    "username",
    "sub",
    "identities",
    "client_id",
    "event_id",
    "device_key",
    "version",
    "acr",
    "amr",
    "at_hash",
    "auth_time",
    "azp",
    "exp",
    "iat",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "token_use",
}

COGNITO_SECTION = {
    "trigger_version": "V2_0",
    "default_role_order": ["project_admin", "editor", "viewer", "file_service"],
    "unmapped_users": "deny",
    "user_sync": {
        "table": "public.users",
        "key": "cognito_sub",
        "columns": {"email": "email", "display_name": {"from": "name", "default": ""}},
        "triggers": ["post_confirmation", "post_authentication"],
    },
}


def make_project(
    root: Path, cognito: dict[str, Any] | None = None, environments: dict[str, Any] | None = None
) -> Path:
    """A copy of the worked example with our own `cognito:` section and environments."""
    for name in ("permissions", "metadata"):
        shutil.copytree(REPO / name, root / name)
    config = yaml.safe_load((REPO / "hasura-perm.yaml").read_text())
    if environments is not None:
        config["environments"] = environments
    (root / "hasura-perm.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    section = COGNITO_SECTION if cognito is None else cognito
    (root / "permissions" / "cognito.yaml").write_text(yaml.safe_dump({"cognito": section}))
    return root


def v1_event(
    groups: list[str],
    attributes: dict[str, str] | None = None,
    trigger: str = "TokenGeneration_Authentication",
    client_id: str = "71ghuul37mresr7h373b704tua",
) -> dict[str, Any]:
    """As AWS and powertools' fixtures show a V1_0 event."""
    return {
        "version": "1",
        "triggerSource": trigger,
        "region": "us-west-2",
        "userPoolId": "us-west-2_example",
        "userName": "testqq",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {
            "userAttributes": {
                "sub": "0b0a57c5-f013-426a-81a1-f8ffbfba21f0",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
                "email": "test@mail.com",
                **(attributes or {}),
            },
            "groupConfiguration": {
                "groupsToOverride": groups,
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
        },
        "response": {},
    }


def v2_event(groups: list[str], attributes: dict[str, str] | None = None, **kw: Any) -> dict:
    """A V2_0 event: `scopes` in the request; powertools' real V2 fixture still says version 1,
    AWS's examples say 2 and show `claimsAndScopeOverrideDetails: []` on input."""
    event = v1_event(groups, attributes, **kw)
    event["version"] = "2"
    event["request"]["scopes"] = ["aws.cognito.signin.user.admin"]
    event["response"] = {"claimsAndScopeOverrideDetails": []}
    return event


def m2m_event(client_id: str = "m2mclient0123456789abcdef") -> dict[str, Any]:
    """V3_0 client-credentials event: no human user (shape partly unverified: no attributes)."""
    return {
        "version": "3",
        "triggerSource": "TokenGeneration_ClientCredentials",
        "region": "us-west-2",
        "userPoolId": "us-west-2_example",
        "userName": None,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "request": {"userAttributes": {}, "scopes": ["orders/read"], "groupConfiguration": {}},
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def hasura_claims_in(response_claims: dict[str, Any]) -> dict[str, Any]:
    value = response_claims[NAMESPACE]
    return json.loads(value) if isinstance(value, str) else value


# -- Cognito's handling of the response, as documented


def apply_response(
    id_claims: dict[str, Any], access_claims: dict[str, Any], event: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """New (id, access) claims after Cognito applies `event["response"]`."""
    id_claims, access_claims = copy.deepcopy(id_claims), copy.deepcopy(access_claims)
    response = event["response"]
    if "claimsOverrideDetails" in response:  # V1: id token only, strings only
        details = response["claimsOverrideDetails"] or {}
        _apply(id_claims, details, token="id", strings_only=True, client_id=None)
        _apply_groups(details, id_claims, access_claims)
    elif "claimsAndScopeOverrideDetails" in response:
        details = response["claimsAndScopeOverrideDetails"] or {}
        client_id = event["callerContext"]["clientId"]
        _apply(id_claims, details.get("idTokenGeneration") or {}, "id", False, client_id)
        _apply(
            access_claims, details.get("accessTokenGeneration") or {}, "access", False, client_id
        )
        _apply_groups(details, id_claims, access_claims)
    return id_claims, access_claims


def _apply(
    claims: dict[str, Any],
    details: dict[str, Any],
    token: str,
    strings_only: bool,
    client_id: str | None,
) -> None:
    for name, value in (details.get("claimsToAddOrOverride") or {}).items():
        if name in PROTECTED or (name.startswith("cognito:")):
            raise AssertionError(f"Cognito refuses to set {name!r}")
        if name == "aud" and (token == "id" or value != client_id):
            raise AssertionError("aud may only be added to the access token, equal to the client")
        if strings_only and not isinstance(value, str):
            raise AssertionError(f"V1 responses may only hold strings; {name} is {value!r}")
        claims[name] = value
    for name in details.get("claimsToSuppress") or []:
        claims.pop(name, None)  # suppress wins over add


def _apply_groups(details: dict[str, Any], *tokens: dict[str, Any]) -> None:
    if "groupOverrideDetails" not in details:
        return
    groups = (details["groupOverrideDetails"] or {}).get("groupsToOverride")
    for claims in tokens:
        if groups:
            claims["cognito:groups"] = groups
        else:
            claims.pop("cognito:groups", None)
