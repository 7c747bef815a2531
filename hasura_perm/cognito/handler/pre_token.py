"""Cognito pre token generation Lambda: adds Hasura claims from hasura-perm's role definitions.

STANDARD LIBRARY ONLY: this file runs on the AWS Lambda Python runtime with nothing else
installed. `hasura-perm cognito lambda build` packages it next to `hasura_perm_cognito.json`
(the compiled mapping). Handler: `pre_token.handler`.

Behaviour (docs/cognito.md):
- V1_0: the claims go into the id token as stringified JSON (V1 responses may only hold
  strings); Hasura's JWT secret uses `claims_format: stringified_json`.
- V2_0/V3_0: the claims go into both tokens as a JSON object, and the access token gets
  `aud` = the app client id so Hasura's `audience` check applies to it too (without a client
  id in the event, the access token gets no Hasura claims).
- The mode comes from HASURA_PERM_TRIGGER_VERSION, else the mapping, else the event. The
  answer always has the event's format: a V1_0 event gets a V1_0 answer (strings only).
- Roles come only from the user's groups (or the configured roles attribute) through the
  mapping; a user who holds none is refused (or gets the configured fallback role).
- Machine-to-machine events (no user) get no Hasura claims; Hasura then rejects the token.
- Keep-warm pings (EventBridge schedules, `{"warmup": true}`) return at once.
Any unexpected input raises, which makes Cognito refuse the sign-in: it fails closed.
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

MAPPING_FILE = "hasura_perm_cognito.json"
MAPPING_ENV = "HASURA_PERM_MAPPING_FILE"
MODE_ENV = "HASURA_PERM_TRIGGER_VERSION"
NAMESPACE = "https://hasura.io/jwt/claims"
VERSIONS = ("V1_0", "V2_0", "V3_0")
M2M_TRIGGER = "TokenGeneration_ClientCredentials"
ROLE_CLAIMS = ("x-hasura-allowed-roles", "x-hasura-default-role", "x-hasura-role")

_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
_INTEGER_TYPES = {"integer", "int", "int2", "int4", "int8", "smallint", "bigint", "serial"}
_NUMBER_TYPES = {"numeric", "decimal", "real", "float4", "float8", "double precision", "float"}
_BOOLEAN_TYPES = {"boolean", "bool"}

_mapping_cache: dict[str, Any] = {}


class Denied(Exception):
    """Cognito refuses the sign-in and shows this message ("PreTokenGeneration failed with
    error <message>")."""


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    if is_keep_warm(event):
        return {"warmed": True}
    return handle(event, load_mapping(), os.environ)


def handle(event: dict[str, Any], mapping: dict[str, Any], env: Any = None) -> dict[str, Any]:
    """Fill `event["response"]` for a pre token generation event and return the event."""
    trigger = event.get("triggerSource")
    if not isinstance(trigger, str) or not trigger.startswith("TokenGeneration_"):
        raise Denied(
            f"hasura-perm pre token handler got a {trigger!r} event; attach it only "
            "to the pool's pre token generation trigger"
        )
    request = event.get("request")
    if not isinstance(request, dict):
        raise Denied("malformed pre token generation event: `request` is not an object")
    mode = trigger_mode(event, mapping, env or {})
    v2_event = is_v2_event(event)
    if trigger == M2M_TRIGGER or not _has_user(event, request):
        _log(
            "info",
            "no user in this event (machine-to-machine); no Hasura claims added",
            trigger=trigger,
            client_id=_client_id(event),
        )
        event["response"] = {}
        return event
    claims = hasura_claims(event, request, mapping)
    if mode != "V1_0" and not v2_event:
        # Cognito sends a V1_0 event only to a pool configured for V1_0, and reads only
        # `claimsOverrideDetails` with string values from its answer (AWS, pre token
        # generation: "claimsOverrideDetails: a container for all elements in a V1_0 trigger
        # event"; "Response objects to version one events can return strings").
        _log(
            "warning",
            f"trigger_version is {mode} but the pool sends V1_0 events; answering in the "
            "V1_0 format (id token, claims as a string), which Hasura's claims_format json "
            f"rejects: set the pool's LambdaVersion to {mode}",
            trigger=trigger,
        )
    event["response"] = _response(claims, mode, v2_event, _client_id(event))
    _log(
        "info",
        "hasura claims added",
        user=_attributes(request).get("sub"),
        trigger=trigger,
        roles=claims["x-hasura-allowed-roles"],
        mode=mode,
    )
    return event


def is_keep_warm(event: Any) -> bool:
    """EventBridge scheduled events and explicit `{"warmup": true}` pings."""
    if not isinstance(event, dict):
        return False
    scheduled = event.get("source") == "aws.events" and "triggerSource" not in event
    return scheduled or event.get("warmup") is True


def is_v2_event(event: dict[str, Any]) -> bool:
    """V2/V3 events: `version` 2 or 3, or `request.scopes`, which only V2+ events carry.
    (Some real V2 events say version "1", so the version alone is not enough.)"""
    request = event.get("request") or {}
    return (
        str(event.get("version")) in ("2", "3")
        or (isinstance(request, dict) and "scopes" in request)
        or event.get("triggerSource") == M2M_TRIGGER
    )


def trigger_mode(event: dict[str, Any], mapping: dict[str, Any], env: Any) -> str:
    configured = env.get(MODE_ENV) or mapping.get("trigger_version")
    if configured:
        if configured not in VERSIONS:
            raise Denied(f"{MODE_ENV}={configured!r} is not one of {', '.join(VERSIONS)}")
        return configured
    return "V2_0" if is_v2_event(event) else "V1_0"


def hasura_claims(
    event: dict[str, Any], request: dict[str, Any], mapping: dict[str, Any]
) -> dict[str, Any]:
    """The Hasura claims object: allowed roles, default role and session variables."""
    roles = held_roles(request, mapping)
    if not roles:
        roles = _unmapped(event, request, mapping)
    claims: dict[str, Any] = {
        "x-hasura-allowed-roles": roles,
        "x-hasura-default-role": roles[0],
    }
    claims.update(session_values(event, request, mapping))
    return claims


def held_roles(request: dict[str, Any], mapping: dict[str, Any]) -> list[str]:
    """The mapped roles the user holds, in default-role order; never a role not in the mapping."""
    grantable = mapping["roles"]
    if mapping.get("roles_attribute"):
        names = set(_split_roles(_attributes(request).get(mapping["roles_attribute"], "")))
        held = names & set(grantable)
    else:
        held = set()
        for group in _groups(request):
            held.update(mapping["group_roles"].get(group, ()))
    order = mapping["default_role_order"]
    ranked = [r for r in order if r in held]
    return ranked + sorted(held - set(ranked))


def _unmapped(event: dict[str, Any], request: dict[str, Any], mapping: dict[str, Any]) -> list[str]:
    policy = mapping.get("unmapped_users") or {"action": "deny"}
    if policy.get("action") == "fallback":
        return [policy["role"]]
    source = (
        f"attribute {mapping['roles_attribute']}" if mapping.get("roles_attribute") else "group"
    )
    _log(
        "warning",
        "sign-in refused: no mapped role",
        user=_attributes(request).get("sub"),
        groups=_groups(request),
    )
    raise Denied(
        f"user {event.get('userName') or '?'} has no {source} that grants a Hasura role; "
        "ask an administrator to grant one"
    )


def session_values(
    event: dict[str, Any], request: dict[str, Any], mapping: dict[str, Any]
) -> dict[str, str]:
    """Every session variable whose source is present and valid, as a string."""
    values: dict[str, str] = {}
    attributes = _attributes(request)
    for name, source in sorted(mapping.get("session", {}).items()):
        if name.lower() in ROLE_CLAIMS:
            continue  # roles come only from the role mapping
        raw = source["value"] if "value" in source else _source_value(event, attributes, source)
        if raw is None:
            continue  # missing: Hasura errors on a rule that needs it, so this fails closed
        value = session_string(raw, source.get("type", "text"))
        if value is None:
            _log(
                "warning",
                f"{name}: value does not fit type {source.get('type')}; left out",
                user=attributes.get("sub"),
            )
            continue
        values[name] = value
    return values


def session_string(raw: Any, pg_type: str) -> str | None:
    """A session value as Hasura needs it: a string; arrays as Postgres array literals."""
    pg_type = (pg_type or "text").strip().lower()
    if pg_type.endswith("[]") or pg_type.startswith("_"):
        element = pg_type[:-2] if pg_type.endswith("[]") else pg_type[1:]
        items = _array_items(raw)
        if items is None:
            return None
        checked = [_scalar(i, element) for i in items]
        if any(c is None for c in checked):
            return None
        return postgres_array(checked, element)  # type: ignore[arg-type]
    return _scalar(raw, pg_type)


def postgres_array(items: list[str], element_type: str) -> str:
    if element_type in _INTEGER_TYPES | _NUMBER_TYPES | _BOOLEAN_TYPES:
        return "{" + ",".join(items) + "}"
    quoted = ('"' + i.replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items)
    return "{" + ",".join(quoted) + "}"


def _scalar(raw: Any, pg_type: str) -> str | None:
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif isinstance(raw, (int, float)):
        text = repr(raw)
    elif isinstance(raw, str):
        text = raw.strip() if pg_type not in ("text", "varchar", "citext") else raw
    else:
        return None
    if pg_type in _INTEGER_TYPES:
        return text if _INTEGER.match(text) else None
    if pg_type in _NUMBER_TYPES:
        return text if _NUMBER.match(text) else None
    if pg_type in _BOOLEAN_TYPES:
        lowered = text.lower()
        return lowered if lowered in ("true", "false") else None
    if pg_type == "uuid":
        return text.lower() if _UUID.match(text) else None
    return text


def _array_items(raw: Any) -> list[Any] | None:
    """A list from a JSON array, a Postgres literal `{1,2}` or comma-separated text."""
    if isinstance(raw, list):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    if text.startswith("{") and text.endswith("}"):
        return _parse_postgres_array(text[1:-1])
    return [part.strip() for part in text.split(",") if part.strip()]


def _parse_postgres_array(body: str) -> list[str] | None:
    """Elements of a one-dimensional Postgres array literal's inside; None when malformed."""
    items: list[str] = []
    i, n = 0, len(body)
    if not body.strip():
        return items
    while True:
        while i < n and body[i] == " ":
            i += 1
        if i < n and body[i] == '"':
            i, out = i + 1, []
            while i < n and body[i] != '"':
                if body[i] == "\\" and i + 1 < n:
                    i += 1
                out.append(body[i])
                i += 1
            if i >= n:
                return None  # unterminated quote
            items.append("".join(out))
            i += 1
            while i < n and body[i] == " ":
                i += 1
        else:
            end = body.find(",", i)
            end = n if end < 0 else end
            token = body[i:end].strip()
            if not token or token[0] in "{}":
                return None  # an empty element or a nested array
            items.append(token)
            i = end
        if i == n:
            return items
        if body[i] != ",":
            return None
        i += 1


def _source_value(event: dict[str, Any], attributes: dict[str, Any], source: dict[str, Any]) -> Any:
    name = source.get("from", "")
    if name in ("username", "cognito:username"):
        return event.get("userName")
    return attributes.get(name)


def _response(claims: dict[str, Any], mode: str, v2_event: bool, client_id: str | None) -> dict:
    stringified = json.dumps(claims, separators=(",", ":"), sort_keys=True)
    if not v2_event:
        return {"claimsOverrideDetails": {"claimsToAddOrOverride": {NAMESPACE: stringified}}}
    if mode == "V1_0":
        # The pool sends V2 events but Hasura expects V1's stringified claims in the id token.
        return {
            "claimsAndScopeOverrideDetails": {
                "idTokenGeneration": {"claimsToAddOrOverride": {NAMESPACE: stringified}}
            }
        }
    details: dict[str, Any] = {"idTokenGeneration": {"claimsToAddOrOverride": {NAMESPACE: claims}}}
    if client_id:
        # AWS (pre token generation, claims reference, note 4): "You can add an aud claim to
        # access tokens, but its value must match the app client ID of the current session."
        # Hasura checks `aud` only when a token has one, so no access token gets Hasura claims
        # without it.
        access = {NAMESPACE: claims, "aud": client_id}
        details["accessTokenGeneration"] = {"claimsToAddOrOverride": access}
    else:
        _log("warning", "no app client id in the event; Hasura claims go in the id token only")
    return {"claimsAndScopeOverrideDetails": details}


def _has_user(event: dict[str, Any], request: dict[str, Any]) -> bool:
    attributes = request.get("userAttributes")
    return isinstance(attributes, dict) and bool(attributes.get("sub") or event.get("userName"))


def _attributes(request: dict[str, Any]) -> dict[str, Any]:
    attributes = request.get("userAttributes")
    return attributes if isinstance(attributes, dict) else {}


def _groups(request: dict[str, Any]) -> list[str]:
    config = request.get("groupConfiguration")
    if config is None:
        return []
    if not isinstance(config, dict):
        raise Denied("malformed event: `groupConfiguration` is not an object")
    groups = config.get("groupsToOverride") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise Denied("malformed event: `groupsToOverride` is not a list of group names")
    return groups


def _split_roles(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            return []
        return [r for r in parsed if isinstance(r, str)] if isinstance(parsed, list) else []
    return [part for part in re.split(r"[,\s]+", text) if part]


def _client_id(event: dict[str, Any]) -> str | None:
    caller = event.get("callerContext")
    client_id = caller.get("clientId") if isinstance(caller, dict) else None
    return client_id if isinstance(client_id, str) and client_id else None


def load_mapping(path: str | None = None) -> dict[str, Any]:
    """The compiled mapping packaged next to this file (read once per Lambda container)."""
    path = (
        path
        or os.environ.get(MAPPING_ENV)
        or os.path.join(os.path.dirname(os.path.abspath(__file__)), MAPPING_FILE)
    )
    if path not in _mapping_cache:
        with open(path, encoding="utf-8") as f:
            mapping = json.load(f)
        if mapping.get("format") != 1:
            raise Denied(f"{path}: unsupported mapping format {mapping.get('format')!r}")
        _mapping_cache[path] = mapping
    return _mapping_cache[path]


def _log(level: str, message: str, **fields: Any) -> None:
    record = {"level": level, "message": message, "handler": "hasura-perm pre_token", **fields}
    print(json.dumps(record, default=str, sort_keys=True), file=sys.stdout)
