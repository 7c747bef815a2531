"""Cognito post-confirmation / post-authentication Lambda: upsert the user into the users table.

STANDARD LIBRARY ONLY (AWS Lambda Python runtime). Packaged by `hasura-perm cognito lambda
build` next to `hasura_perm_cognito.json`; handler `user_sync.handler`. The same `upsert`
function serves `hasura-perm cognito sync-users`.

One GraphQL request per user, through Hasura with the admin secret, runs two inserts in one
transaction (Hasura runs the mutation fields of a request in order, in one transaction):
`created` inserts or does nothing on conflict; `updated` updates the row only where a synced
column differs. So the outcome is exact (created / updated / unchanged) and a repeated
delivery (Cognito retries slow triggers) changes nothing.

Environment: HASURA_GRAPHQL_URL (…/v1/graphql), HASURA_ADMIN_SECRET, optional
HASURA_PERM_SYNC_ON_ERROR=log|raise (default log: a Hasura outage must not block sign-ins;
`hasura-perm cognito sync-users` reconciles later).
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from typing import Any

MAPPING_FILE = "hasura_perm_cognito.json"
MAPPING_ENV = "HASURA_PERM_MAPPING_FILE"
URL_ENV = "HASURA_GRAPHQL_URL"
SECRET_ENV = "HASURA_ADMIN_SECRET"
ON_ERROR_ENV = "HASURA_PERM_SYNC_ON_ERROR"
TIMEOUT_SECONDS = 3.0  # Cognito gives a trigger 5 s in all
TRIGGERS = {
    "PostConfirmation_ConfirmSignUp": "post_confirmation",
    "PostConfirmation_ConfirmForgotPassword": "post_confirmation",
    "PostAuthentication_Authentication": "post_authentication",
}
_INTEGER_TYPES = {"integer", "int", "int2", "int4", "int8", "smallint", "bigint"}
_NUMBER_TYPES = {"numeric", "decimal", "real", "float4", "float8", "double precision"}
_BOOLEAN_TYPES = {"boolean", "bool"}

_mapping_cache: dict[str, Any] = {}


class SyncError(Exception):
    """The upsert failed: network, HTTP status, or GraphQL `errors`."""


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    if _is_keep_warm(event):
        return {"warmed": True}
    return handle(event, load_mapping(), os.environ)


def handle(event: dict[str, Any], mapping: dict[str, Any], env: Any) -> dict[str, Any]:
    """Upsert the event's user when its trigger is enabled; always return the event."""
    sync = mapping.get("user_sync")
    trigger = TRIGGERS.get(str(event.get("triggerSource")))
    if not sync or trigger is None or trigger not in sync["triggers"]:
        _log("info", "nothing to do for this trigger", trigger=event.get("triggerSource"))
        return event
    request = event.get("request")
    attributes = (request.get("userAttributes") if isinstance(request, dict) else None) or {}
    try:
        row = build_row(attributes, event.get("userName"), sync)
        outcome = upsert(env[URL_ENV], env[SECRET_ENV], sync, row)
        _log("info", f"user {outcome}", user=attributes.get("sub"), trigger=trigger)
    except (SyncError, KeyError) as err:
        message = f"user sync failed: {err}"
        _log("error", message, user=attributes.get("sub"), trigger=trigger)
        if (env.get(ON_ERROR_ENV) or "log") == "raise":
            raise SyncError(message) from None
    return event


def build_row(attributes: dict[str, Any], username: Any, sync: dict[str, Any]) -> dict[str, Any]:
    """The row to upsert: the key column from `sub`, the others from their sources, typed."""
    sub = attributes.get("sub")
    if not isinstance(sub, str) or not sub:
        raise SyncError("the user has no `sub` attribute")
    types = sync.get("column_types", {})
    row: dict[str, Any] = {sync["key"]: typed(sub, types.get(sync["key"]))}
    for column, source in sorted(sync.get("columns", {}).items()):
        name = source["from"]
        value = username if name in ("username", "cognito:username") else attributes.get(name)
        if value is None:
            value = source.get("default")
        row[column] = None if value is None else typed(value, types.get(column))
    return row


def typed(value: Any, pg_type: str | None) -> Any:
    """Cognito attribute values are strings; GraphQL wants Int / Boolean / numbers typed."""
    if not isinstance(value, str) or not pg_type:
        return value
    try:
        if pg_type in _INTEGER_TYPES:
            return int(value)
        if pg_type in _NUMBER_TYPES:
            return float(value)
    except ValueError:
        raise SyncError(f"{value!r} is not a valid {pg_type}") from None
    if pg_type in _BOOLEAN_TYPES:
        if value.lower() not in ("true", "false"):
            raise SyncError(f"{value!r} is not a valid boolean")
        return value.lower() == "true"
    return value


def upsert_request(sync: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The GraphQL request body for one user (see the module docstring)."""
    prefix = sync["graphql_prefix"]  # e.g. `users` or `auth_users` for schema auth
    field = f"insert_{prefix}_one"
    key, constraint = sync["key"], sync["constraint"]
    update = sorted(c for c in row if c != key)
    lines = [
        f"mutation HasuraPermUpsertUser($object: {prefix}_insert_input!"
        + (f", $changed: {prefix}_bool_exp!" if update else "")
        + ") {",
        f"  created: {field}(object: $object, on_conflict: "
        f"{{constraint: {constraint}, update_columns: []}}) {{ {key} }}",
    ]
    variables: dict[str, Any] = {"object": row}
    if update:
        lines.append(
            f"  updated: {field}(object: $object, on_conflict: {{constraint: {constraint}, "
            f"update_columns: [{', '.join(update)}], where: $changed}}) {{ {key} }}"
        )
        variables["changed"] = {"_or": [_differs(c, row[c]) for c in update]}
    lines.append("}")
    return {
        "query": "\n".join(lines),
        "variables": variables,
        "operationName": "HasuraPermUpsertUser",
    }


def _differs(column: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {column: {"_is_null": False}}
    return {"_or": [{column: {"_is_null": True}}, {column: {"_neq": value}}]}


def upsert(
    url: str,
    admin_secret: str,
    sync: dict[str, Any],
    row: dict[str, Any],
    *,
    timeout: float = TIMEOUT_SECONDS,
    verify_tls: bool = True,
) -> str:
    """Upsert one row; returns "created", "updated" or "unchanged"; raises SyncError."""
    body = json.dumps(upsert_request(sync, row)).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "x-hasura-admin-secret": admin_secret},
    )
    context = None if verify_tls else ssl._create_unverified_context()  # noqa: S323 - opt-in
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            payload = json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        raise SyncError(f"Hasura answered HTTP {err.code} {_error_text(err)}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise SyncError(f"cannot reach Hasura at {url}: {reason}") from None
    except ValueError:
        raise SyncError("Hasura's answer is not JSON") from None
    return _outcome(payload)


def _outcome(payload: Any) -> str:
    if not isinstance(payload, dict):
        raise SyncError("Hasura's answer is not a JSON object")
    errors = payload.get("errors")
    if errors:
        first = errors[0] if isinstance(errors, list) and errors else errors
        message = first.get("message", first) if isinstance(first, dict) else first
        raise SyncError(f"GraphQL error: {message}")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise SyncError("Hasura's answer has neither `data` nor `errors`")
    if data.get("created") is not None:
        return "created"
    if data.get("updated") is not None:
        return "updated"
    return "unchanged"


def _error_text(err: urllib.error.HTTPError) -> str:
    try:
        payload = json.loads(err.read() or b"null")
    except ValueError:
        return ""
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return f"({errors[0].get('message')})"
        return f"({payload.get('error') or payload.get('message') or ''})"
    return ""


def _is_keep_warm(event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    scheduled = event.get("source") == "aws.events" and "triggerSource" not in event
    return scheduled or event.get("warmup") is True


def load_mapping(path: str | None = None) -> dict[str, Any]:
    path = (
        path
        or os.environ.get(MAPPING_ENV)
        or os.path.join(os.path.dirname(os.path.abspath(__file__)), MAPPING_FILE)
    )
    if path not in _mapping_cache:
        with open(path, encoding="utf-8") as f:
            _mapping_cache[path] = json.load(f)
    return _mapping_cache[path]


def _log(level: str, message: str, **fields: Any) -> None:
    record = {"level": level, "message": message, "handler": "hasura-perm user_sync", **fields}
    print(json.dumps(record, default=str, sort_keys=True), file=sys.stdout)
