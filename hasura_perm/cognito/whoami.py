"""`cognito whoami`: verify a Cognito token like Hasura would, then show the session it yields.

Verification (PyJWT, JWKS fetched once per URL and cached) is exactly Hasura's: RS256
signature against the pool's JWKS, exp/nbf/iat when present, issuer when the token has one,
audience (the app clients) when the token has `aud`. What Hasura would accept but is risky is
a warning, never a rejection. Then the Hasura claims are read exactly as graphql-engine's JWT.hs
does with the JWT secret that `cognito jwt-secret` prints. Every failure is one line saying why.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import time
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import jwt

if TYPE_CHECKING:
    from jwt.types import Options

from hasura_perm.cognito.jwt_secret import claims_map_secret
from hasura_perm.cognito.pool import Pool
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import session_variables_in

ROLE_CLAIMS = ("x-hasura-allowed-roles", "x-hasura-default-role")
_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/(.+)$")
_PATH_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\['([^']*)'\]|\[(\d+)\]")


class TokenRejected(HasuraPermError):
    """The token would not get through Hasura (or is not for this environment)."""


@dataclass
class Session:
    """What Hasura would see for a request carrying the token."""

    token_use: str
    client_id: str | None
    subject: str | None
    expires_at: int
    allowed_roles: list[str]
    default_role: str
    role: str
    variables: dict[str, str]  # every x-hasura-* session variable, x-hasura-role included
    notes: list[str] = field(default_factory=list)


@functools.cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    # One client per URL per process: it caches the key set (5 minutes) and the keys.
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=10)


def read_token(text: str) -> str:
    token = text.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise TokenRejected("no token given: pass --token T or pipe the token on stdin")
    return token


def verify(
    token: str, pool: Pool, *, leeway: float = 0, warnings: list[str] | None = None
) -> dict[str, Any]:
    """The verified claims, or TokenRejected with a one-line reason.

    Exactly as strict as Hasura (Server/Auth/JWT.hs verifyJwt with jose's validation): the
    signature, `exp`/`nbf`/`iat` when present, `iss` when the token has one, `aud` when the
    token has one. Hasura never reads `token_use` or `client_id`; what passes Hasura but is
    risky (no `aud`, an access token of another app client, no expiry) goes to `warnings`.
    """
    notes = warnings if warnings is not None else []
    header, unverified = _peek(token)
    if header.get("alg") != "RS256":
        raise TokenRejected(
            f"token is signed with {header.get('alg')!r}; Cognito signs with RS256, so this "
            "token was not issued by Cognito"
        )
    _check_issuer(unverified.get("iss"), pool, notes)
    key = _signing_key(token, pool)
    claims = _decode(token, key, leeway)
    _check_audience(claims, pool, notes)
    if claims.get("token_use") not in ("id", "access"):
        notes.append(
            f"token_use is {claims.get('token_use')!r}, not `id` or `access`: not a Cognito "
            "user token (Hasura does not read token_use and accepts it)"
        )
    if "exp" not in claims:
        notes.append("the token has no `exp`: Hasura accepts it for ever")
    return claims


def _peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.DecodeError:
        raise TokenRejected(
            "this is not a JWT (expected three base64url parts separated by dots)"
        ) from None
    return header, claims


def _check_issuer(issuer: Any, pool: Pool, notes: list[str]) -> None:
    if issuer is None:
        # processJwt_ matches a token without `iss` to any configured issuer, and jose only
        # checks an `iss` that is there.
        notes.append(
            f"the token has no `iss`: Hasura skips its issuer check ({pool.issuer}), so only "
            "the signature ties it to the pool"
        )
        return
    if issuer == pool.issuer:
        return
    match = _COGNITO_ISSUER.match(str(issuer or ""))
    if match:
        raise TokenRejected(
            f"wrong pool: the token comes from pool {match[3]} ({match[1]}) but environment "
            f"`{pool.environment}` uses pool {pool.user_pool_id}; Hasura rejects it (issuer)"
        )
    raise TokenRejected(
        f"wrong issuer: {issuer!r} is not pool {pool.user_pool_id}'s issuer {pool.issuer}"
    )


def _signing_key(token: str, pool: Pool) -> Any:
    client = _jwks_client(pool.jwks_url)
    try:
        return client.get_signing_key_from_jwt(token).key
    except jwt.PyJWKClientConnectionError as err:
        raise TokenRejected(f"cannot fetch the pool's keys from {pool.jwks_url}: {err}") from None
    except jwt.PyJWKClientError:
        kid = jwt.get_unverified_header(token).get("kid")
        raise TokenRejected(
            f"the token's signing key (kid {kid!r}) is not in the pool's JWKS at "
            f"{pool.jwks_url}: it was signed by another pool or forged"
        ) from None


def _decode(token: str, key: Any, leeway: float) -> dict[str, Any]:
    # No claim is required: jose checks exp/nbf/iat only when present. iss and aud are
    # checked by _check_issuer and _check_audience, the way Hasura does.
    options: Options = {"verify_aud": False, "verify_iss": False, "require": []}
    try:
        return jwt.decode(token, key, algorithms=["RS256"], leeway=leeway, options=options)
    except jwt.ExpiredSignatureError:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp", 0)
        raise TokenRejected(_expired_message(exp, time.time())) from None
    except jwt.InvalidSignatureError:
        raise TokenRejected(
            "the signature does not verify against the pool's keys: the token was altered"
        ) from None
    except jwt.ImmatureSignatureError:
        raise TokenRejected(
            "the token is not valid yet (issued in the future: clock skew?)"
        ) from None
    except jwt.MissingRequiredClaimError as err:
        raise TokenRejected(
            f"the token has no `{err.claim}` claim; Cognito tokens always do"
        ) from None
    except jwt.InvalidTokenError as err:
        raise TokenRejected(f"invalid token: {err}") from None


def _expired_message(exp: int, now: float) -> str:
    when = dt.datetime.fromtimestamp(exp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    ago = int(now - exp)
    return f"expired at {when} ({ago} s ago); sign in again or use the refresh token"


def _check_audience(claims: dict[str, Any], pool: Pool, notes: list[str]) -> None:
    """Hasura's `audience` check (JWT.hs verifyJwt audCheck with jose validateAudClaim): only
    a token that has `aud` is checked, and one of its values must be an app client."""
    allowed = set(pool.app_client_ids)
    if "aud" in claims:
        aud = claims["aud"]
        audiences = aud if isinstance(aud, list) else [aud]
        if allowed and not allowed & set(audiences):
            raise TokenRejected(
                f"the {_kind(claims)} is for app client {aud!r}, not one of environment "
                f"`{pool.environment}`'s app_client_ids ({', '.join(sorted(allowed))}); Hasura "
                "rejects it (audience)"
            )
        return
    client = claims.get("client_id")
    which = f"app client {client!r}" if client else "an unknown app client"
    other = (
        f" ({which} is not one of {', '.join(sorted(allowed))})" if client not in allowed else ""
    )
    notes.append(
        f"the {_kind(claims)} has no `aud`, so Hasura skips its audience check and accepts it "
        f"from any app client of the pool{other}; with trigger_version V2_0/V3_0 the Lambda "
        "adds `aud` to every access token it gives Hasura claims"
    )


def _kind(claims: dict[str, Any]) -> str:
    use = claims.get("token_use")
    return f"{use} token" if use in ("id", "access") else "token"


# -- Hasura's reading of the claims (Hasura/Server/Auth/JWT.hs: parseClaimsMap, processJwt_)


def hasura_session(
    claims: dict[str, Any],
    mapping: dict[str, Any],
    *,
    role: str | None = None,
    use_claims_map: bool = False,
    pool: Pool | None = None,
) -> Session:
    if use_claims_map:
        assert pool is not None
        secret, _ = claims_map_secret(mapping, pool)
        hasura = _from_claims_map(claims, secret["claims_map"])
    else:
        hasura = _from_namespace(claims, mapping)
    allowed, default = _role_claims(hasura)
    chosen = role or default
    if chosen not in allowed:
        raise TokenRejected(
            f"role {chosen!r} is not in the allowed roles ({', '.join(allowed)}); Hasura "
            "answers `Your requested role is not in allowed roles`"
        )
    variables = {"x-hasura-role": chosen}
    for key, value in sorted(hasura.items()):
        if key in ROLE_CLAIMS or key == "x-hasura-role":
            continue
        if not isinstance(value, str):
            kind = type(value).__name__
            raise TokenRejected(
                f"{key} is a {kind}; Hasura needs every x-hasura-* value to be a string "
                "(arrays as Postgres literals such as {1,2})"
            )
        variables[key] = value
    return Session(
        token_use=claims.get("token_use", "?"),
        client_id=claims.get("aud") if claims.get("token_use") == "id" else claims.get("client_id"),
        subject=claims.get("sub"),
        expires_at=int(claims.get("exp", 0)),
        allowed_roles=allowed,
        default_role=default,
        role=chosen,
        variables=variables,
    )


def _from_namespace(claims: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    namespace, fmt = mapping["claims_namespace"], mapping["claims_format"]
    version = mapping["trigger_version"]
    if namespace not in claims:
        if claims.get("token_use") == "access" and fmt == "stringified_json":
            raise TokenRejected(
                f"this is an access token; with trigger_version {version} only the id token "
                "carries the Hasura claims: send the id token to Hasura"
            )
        raise TokenRejected(
            f"missing namespace: claims key {namespace!r} not found; the pre token generation "
            "Lambda did not add the Hasura claims (not attached to the pool, failed, or an "
            "M2M token)"
        )
    value = claims[namespace]
    if fmt == "stringified_json":
        if isinstance(value, dict):
            raise TokenRejected(
                "stringified vs JSON mismatch: the token holds the Hasura claims as a JSON "
                f"object but trigger_version {version} means claims_format stringified_json; "
                "the Lambda runs in V2 mode: make HASURA_PERM_TRIGGER_VERSION, the pool's "
                "trigger version and `cognito.trigger_version` agree"
            )
        if not isinstance(value, str):
            raise TokenRejected("expecting a string when claims_format is stringified_json")
        try:
            value = json.loads(value)
        except ValueError:
            raise TokenRejected(
                f"expecting stringified json at claims_namespace {namespace}, but found: {value}"
            ) from None
    elif isinstance(value, str):
        raise TokenRejected(
            "stringified vs JSON mismatch: the token holds the Hasura claims as a string but "
            f"trigger_version {version} means claims_format json; the Lambda runs in V1 mode: "
            "make HASURA_PERM_TRIGGER_VERSION, the pool's trigger version and "
            "`cognito.trigger_version` agree"
        )
    if not isinstance(value, dict):
        raise TokenRejected(f"expecting a json object when claims_format is {fmt}")
    # Claim names are case-insensitive and only x-hasura-* ones are kept.
    return {k.lower(): v for k, v in value.items() if k.lower().startswith("x-hasura-")}


def _from_claims_map(claims: dict[str, Any], claims_map: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, spec in claims_map.items():
        if not isinstance(spec, dict):
            out[key] = spec
            continue
        found = _json_path(claims, spec["path"])
        if found is None:
            if "default" not in spec:
                raise TokenRejected(f"JWT claim from claims_map, {key} not found ({spec['path']})")
            found = spec["default"]
        out[key] = found
    return out


def _json_path(claims: dict[str, Any], path: str) -> Any:
    """The few JSON paths claims_map_secret writes: $.a, $['a:b'], $['a:b'][0]."""
    value: Any = claims
    for dotted, quoted, index in _PATH_PART.findall(path[1:]):
        if index:
            if not isinstance(value, list) or int(index) >= len(value):
                return None
            value = value[int(index)]
        else:
            name = dotted or quoted
            if not isinstance(value, dict) or name not in value:
                return None
            value = value[name]
    return value


def _role_claims(hasura: dict[str, Any]) -> tuple[list[str], str]:
    if "x-hasura-allowed-roles" not in hasura:
        raise TokenRejected("JWT claim does not contain x-hasura-allowed-roles")
    if "x-hasura-default-role" not in hasura:
        raise TokenRejected("JWT claim does not contain x-hasura-default-role")
    allowed, default = hasura["x-hasura-allowed-roles"], hasura["x-hasura-default-role"]
    if not isinstance(allowed, list) or not all(isinstance(r, str) and r for r in allowed):
        raise TokenRejected("invalid x-hasura-allowed-roles; should be a list of roles")
    if not isinstance(default, str) or not default:
        raise TokenRejected("invalid x-hasura-default-role; should be a single role name")
    return allowed, default


# -- what the role may do


def role_summary(compiled: Compiled, role: str, session: dict[str, str]) -> list[str]:
    """One line per table the role has permissions on, then the session variables they use."""
    lines, used = [], set()
    for table in compiled.tables:
        parts = []
        for action in ("select", "insert", "update", "delete"):
            permission = compiled.get(table, action, role)
            if permission is None:
                continue
            parts.append(_describe(action, permission.body))
            used |= session_variables_in(permission.body)
        if parts:
            lines.append(f"{table}: {'; '.join(parts)}")
    surface = compiled.surface
    actions = surface.actions_of(role) if surface is not None else []
    if actions:  # a role granted only actions is still a role tokens may carry
        lines.append(f"actions: {', '.join(actions)}")
    remote = surface.remote_schemas_of(role) if surface is not None else []
    if remote:  # as is a role given only a remote schema's role-based schema
        lines.append(f"remote schemas: {', '.join(remote)}")
    combines = getattr(surface, "combines", None) or {}
    if role in combines:  # a Hasura inherited role: the server derives the rest
        lines.append(
            f"Hasura inherited role: also what it derives from {', '.join(combines[role])}"
        )
        used |= _ancestors_session_names(compiled, role, combines)
    functions = surface.functions_of(role) if surface is not None else []
    if functions:  # so is one granted functions (on tables whose rules it does not own)
        lines.append(f"functions: {', '.join(functions)}")
    if not lines:
        return [f"role {role!r} has no permissions in the compiled rules (it sees nothing)"]
    for name in sorted(used):
        state = "present" if name in session else "MISSING: requests that need it fail"
        lines.append(f"uses {name}: {state}")
    return lines


def _ancestors_session_names(
    compiled: Compiled, role: str, combines: dict[str, tuple[str, ...]]
) -> set[str]:
    """Session variables the permissions of a `combines` role's parents use (transitively)."""
    names: set[str] = set()
    todo, seen = list(combines[role]), {role}
    while todo:
        parent = todo.pop()
        if parent in seen:
            continue
        seen.add(parent)
        todo.extend(combines.get(parent, ()))
        for permission in compiled.permissions:
            if permission.role == parent:
                names |= session_variables_in(permission.body)
    return names


def _describe(action: str, body: dict[str, Any]) -> str:
    columns = body.get("columns")
    if isinstance(columns, list):
        count = f"{len(columns)} column{'' if len(columns) == 1 else 's'}"
    else:
        count = "all columns"
    if action == "select":
        rows = "rows filtered" if body.get("filter") else "all rows"
        extra = ", aggregates" if body.get("allow_aggregations") else ""
        limit = f", limit {body['limit']}" if body.get("limit") else ""
        return f"select {count}, {rows}{limit}{extra}"
    if action == "insert":
        return f"insert {count}, {'checked' if body.get('check') else 'unchecked'}"
    if action == "update":
        return f"update {count}, {'rows filtered' if body.get('filter') else 'all rows'}"
    return f"delete {'rows filtered' if body.get('filter') else 'all rows'}"
