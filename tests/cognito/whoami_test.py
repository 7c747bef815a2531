"""Reading verified claims as Hasura's JWT code does (namespace and claims_map modes)."""

from __future__ import annotations

import copy
import json

import pytest

from hasura_perm.cognito.pool import Pool
from hasura_perm.cognito.whoami import TokenRejected
from hasura_perm.cognito.whoami import hasura_session
from hasura_perm.cognito.whoami import read_token

NS = "https://hasura.io/jwt/claims"
POOL = Pool("prod", "eu-west-1_AbC", "eu-west-1", ("client1",), "https://x/jwks", "https://x")
HASURA = {
    "X-Hasura-Allowed-Roles": ["editor", "viewer"],
    "x-hasura-default-role": "editor",
    "x-hasura-user-id": "u1",
    "other-claim": "ignored",
}


def claims(value: object, token_use: str = "id") -> dict:
    return {"sub": "u1", "token_use": token_use, "aud": "client1", "exp": 1, NS: value}


def test_keys_are_case_insensitive_and_only_x_hasura_ones_are_kept(example_mapping: dict) -> None:
    session = hasura_session(claims(HASURA), example_mapping)
    assert session.variables == {"x-hasura-role": "editor", "x-hasura-user-id": "u1"}
    assert session.allowed_roles == ["editor", "viewer"]


def test_stringified_claims_for_v1(example_mapping: dict) -> None:
    mapping = {**example_mapping, "trigger_version": "V1_0", "claims_format": "stringified_json"}
    session = hasura_session(claims(json.dumps(HASURA)), mapping, role="viewer")
    assert session.role == "viewer" and session.variables["x-hasura-role"] == "viewer"
    with pytest.raises(TokenRejected, match="expecting stringified json"):
        hasura_session(claims("{not json"), mapping)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x-hasura-allowed-roles": None}, "does not contain x-hasura-allowed-roles"),
        ({"x-hasura-allowed-roles": "editor"}, "should be a list of roles"),
        ({"x-hasura-default-role": None}, "does not contain x-hasura-default-role"),
        ({"x-hasura-default-role": "admin"}, "role 'admin' is not in the allowed roles"),
        ({"x-hasura-department-ids": [1, 2]}, "x-hasura-department-ids is a list"),
    ],
)
def test_hasura_claim_errors(example_mapping: dict, change: dict, message: str) -> None:
    value = {k.lower(): v for k, v in copy.deepcopy(HASURA).items()}
    for key, new in change.items():
        if new is None:
            value.pop(key)
        else:
            value[key] = new
    with pytest.raises(TokenRejected, match=message):
        hasura_session(claims(value), example_mapping)


def test_claims_map_mode_reads_groups_and_attributes(example_mapping: dict) -> None:
    mapping = copy.deepcopy(example_mapping)
    mapping["group_roles"] = {"editor": ["editor"], "viewer": ["viewer"]}
    mapping["unmapped_users"] = {"action": "fallback", "role": "viewer"}
    token = {
        "sub": "u1",
        "token_use": "id",
        "cognito:groups": ["editor", "viewer"],
        "custom:user_db_id": "42",
        "custom:department_ids": "{3}",
    }
    session = hasura_session(token, mapping, use_claims_map=True, pool=POOL)
    assert session.allowed_roles == ["editor", "viewer"] and session.default_role == "editor"
    assert session.variables["x-hasura-user-db-id"] == "42"
    no_groups = {
        "sub": "u2",
        "token_use": "id",
        "custom:user_db_id": "1",
        "custom:department_ids": "{}",
    }
    session = hasura_session(no_groups, mapping, use_claims_map=True, pool=POOL)
    assert session.allowed_roles == ["viewer"] and session.variables["x-hasura-user-id"] == "u2"
    # Hasura has no default for a missing attribute here: the token is rejected.
    with pytest.raises(TokenRejected, match="claims_map, x-hasura-user-db-id not found"):
        hasura_session(
            {"sub": "u3", "token_use": "id", "custom:department_ids": "{}"},
            mapping,
            use_claims_map=True,
            pool=POOL,
        )


def test_read_token_strips_bearer_and_rejects_empty_input() -> None:
    assert read_token("  Bearer abc.def.ghi \n") == "abc.def.ghi"
    with pytest.raises(TokenRejected, match="no token given"):
        read_token("\n")


# -- verification: as strict as Hasura, no stricter (Server/Auth/JWT.hs verifyJwt + jose)


@pytest.fixture
def signer(monkeypatch: pytest.MonkeyPatch):
    jwt = pytest.importorskip("jwt")
    from cryptography.hazmat.primitives.asymmetric import rsa

    from hasura_perm.cognito import whoami

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setattr(whoami, "_signing_key", lambda token, pool: key.public_key())

    def sign(**claims: object) -> str:
        base = {"iss": POOL.issuer, "exp": 4102444800, "iat": 1700000000, "sub": "u1"}
        body = {k: v for k, v in {**base, **claims}.items() if v is not None}
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})

    return sign


def verified(token: str) -> tuple[dict, list[str]]:
    from hasura_perm.cognito.whoami import verify

    warnings: list[str] = []
    return verify(token, POOL, warnings=warnings), warnings


def test_an_access_token_of_another_client_without_aud_passes_with_a_warning(signer) -> None:
    # Hasura never reads client_id; without `aud` its audience check does not run.
    claims, warnings = verified(signer(token_use="access", client_id="someoneelse"))
    assert claims["client_id"] == "someoneelse"
    assert len(warnings) == 1
    assert "has no `aud`, so Hasura skips its audience check" in warnings[0]
    assert "'someoneelse' is not one of client1" in warnings[0]


def test_token_use_and_exp_are_not_required(signer) -> None:
    claims, warnings = verified(signer(aud="client1", exp=None, token_use=None))
    assert claims["aud"] == "client1"
    assert any("token_use is None" in w for w in warnings)
    assert any("no `exp`: Hasura accepts it for ever" in w for w in warnings)


def test_no_iss_passes_with_a_warning(signer) -> None:
    _, warnings = verified(signer(aud="client1", token_use="id", iss=None))
    assert warnings == [
        "the token has no `iss`: Hasura skips its issuer check (https://x), so only the "
        "signature ties it to the pool"
    ]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": "other", "token_use": "access"}, "the access token is for app client 'other'"),
        ({"aud": [], "token_use": "id"}, "the id token is for app client []"),
        ({"iss": "https://elsewhere", "aud": "client1"}, "wrong issuer"),
        ({"exp": 1, "aud": "client1"}, "expired at"),
    ],
)
def test_what_hasura_rejects_is_still_rejected(signer, claims: dict, message: str) -> None:
    with pytest.raises(TokenRejected) as caught:
        verified(signer(**claims))
    assert message in str(caught.value)
