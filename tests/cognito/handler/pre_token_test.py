"""The pre token generation handler on real event shapes (V1, V2, V3, refresh, M2M, keep-warm)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from hasura_perm.cognito.handler import pre_token
from hasura_perm.cognito.handler.pre_token import Denied
from hasura_perm.cognito.handler.pre_token import handle
from tests.cognito.support import NAMESPACE
from tests.cognito.support import hasura_claims_in
from tests.cognito.support import m2m_event
from tests.cognito.support import v1_event
from tests.cognito.support import v2_event

SUB = "0b0a57c5-f013-426a-81a1-f8ffbfba21f0"
ATTRS = {"custom:user_db_id": "42", "custom:department_ids": "3, 7"}


def as_version(mapping: dict[str, Any], version: str) -> dict[str, Any]:
    changed = copy.deepcopy(mapping)
    changed["trigger_version"] = version
    return changed


def test_v1_puts_stringified_claims_in_the_id_token_only(example_mapping: dict) -> None:
    event = handle(v1_event(["editors"], ATTRS), as_version(example_mapping, "V1_0"), {})
    details = event["response"]["claimsOverrideDetails"]
    assert list(details) == ["claimsToAddOrOverride"]  # groups untouched, nothing suppressed
    value = details["claimsToAddOrOverride"][NAMESPACE]
    assert isinstance(value, str)  # V1 responses may only hold strings
    assert json.loads(value) == {
        "x-hasura-allowed-roles": ["editor"],
        "x-hasura-default-role": "editor",
        "x-hasura-user-id": SUB,
        "x-hasura-user-db-id": "42",
        "x-hasura-department-ids": "{3,7}",
    }


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_v2_and_v3_put_json_claims_in_both_tokens_and_aud_in_the_access_token(
    example_mapping: dict, version: str
) -> None:
    event = v2_event(["viewers", "editors"], ATTRS)
    event["version"] = version[1]
    out = handle(event, as_version(example_mapping, version), {})
    details = out["response"]["claimsAndScopeOverrideDetails"]
    id_claims = details["idTokenGeneration"]["claimsToAddOrOverride"]
    access_claims = details["accessTokenGeneration"]["claimsToAddOrOverride"]
    assert access_claims["aud"] == "71ghuul37mresr7h373b704tua"
    assert id_claims[NAMESPACE] == access_claims[NAMESPACE]
    claims = id_claims[NAMESPACE]
    assert isinstance(claims, dict)
    assert claims["x-hasura-allowed-roles"] == ["editor", "viewer"]  # default_role_order
    assert claims["x-hasura-default-role"] == "editor"
    assert all(isinstance(v, str) for k, v in claims.items() if k != "x-hasura-allowed-roles")
    assert "groupOverrideDetails" not in details  # the groups claim stays as Cognito made it


def test_v2_event_that_says_version_1_is_detected_by_its_scopes(example_mapping: dict) -> None:
    # powertools' real V2 fixture has "version": "1"; with no configured mode we detect V2.
    event = v2_event(["viewers"])
    event["version"] = "1"
    mapping = as_version(example_mapping, "")
    mapping.pop("trigger_version")
    out = handle(event, mapping, {})
    assert "claimsAndScopeOverrideDetails" in out["response"]
    plain_v1 = handle(v1_event(["viewers"]), mapping, {})
    assert "claimsOverrideDetails" in plain_v1["response"]


def test_a_v1_event_gets_a_v1_answer_whatever_the_mode(example_mapping: dict, capsys) -> None:
    # A V1_0 event means the pool is configured for V1_0; Cognito then reads only
    # claimsOverrideDetails, with string values.
    out = handle(v1_event(["editors"], ATTRS), as_version(example_mapping, "V2_0"), {})
    value = out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"][NAMESPACE]
    assert isinstance(value, str) and json.loads(value)["x-hasura-default-role"] == "editor"
    assert "set the pool's LambdaVersion to V2_0" in capsys.readouterr().out


def test_no_client_id_means_no_hasura_claims_in_the_access_token(example_mapping: dict) -> None:
    # Without `aud` Hasura's audience check would not apply to the access token.
    event = v2_event(["editors"], ATTRS)
    del event["callerContext"]["clientId"]
    details = handle(event, example_mapping, {})["response"]["claimsAndScopeOverrideDetails"]
    assert list(details) == ["idTokenGeneration"]
    assert isinstance(details["idTokenGeneration"]["claimsToAddOrOverride"][NAMESPACE], dict)


def test_the_environment_variable_overrides_the_mapping(example_mapping: dict) -> None:
    out = handle(v2_event(["viewers"]), example_mapping, {"HASURA_PERM_TRIGGER_VERSION": "V1_0"})
    id_gen = out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
    # V1 claims (stringified, id token only) inside a V2 answer, as the JWT secret expects.
    assert isinstance(id_gen["claimsToAddOrOverride"][NAMESPACE], str)
    assert "accessTokenGeneration" not in out["response"]["claimsAndScopeOverrideDetails"]
    with pytest.raises(Denied, match="HASURA_PERM_TRIGGER_VERSION='V4_0'"):
        handle(v2_event(["viewers"]), example_mapping, {"HASURA_PERM_TRIGGER_VERSION": "V4_0"})


def test_refresh_gives_the_same_claims_as_sign_in(example_mapping: dict) -> None:
    sign_in = handle(v2_event(["editors"], ATTRS), example_mapping, {})
    refresh = handle(
        v2_event(["editors"], ATTRS, trigger="TokenGeneration_RefreshTokens"), example_mapping, {}
    )
    assert refresh["response"] == sign_in["response"]


def test_machine_to_machine_events_get_no_hasura_claims(example_mapping: dict) -> None:
    out = handle(m2m_event(), as_version(example_mapping, "V3_0"), {})
    assert out["response"] == {}
    no_attributes = m2m_event()
    del no_attributes["request"]["userAttributes"]
    assert handle(no_attributes, example_mapping, {})["response"] == {}


@pytest.mark.parametrize(
    "event",
    [
        {
            "version": "0",
            "id": "1",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2024-01-01T00:00:00Z",
            "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/keep-warm"],
            "detail": {},
        },
        {"warmup": True},
    ],
)
def test_keep_warm_events_return_at_once(event: dict, tmp_path: Any) -> None:
    # No mapping file exists here: a warm-up must not even load it.
    assert pre_token.handler(event, None) == {"warmed": True}


def test_a_user_with_no_mapped_group_is_refused(example_mapping: dict) -> None:
    for groups in ([], ["marketing"]):
        with pytest.raises(Denied, match="testqq has no group that grants a Hasura role"):
            handle(v2_event(groups), example_mapping, {})


def test_a_fallback_role_is_given_only_to_users_without_a_mapped_role(
    example_mapping: dict,
) -> None:
    mapping = copy.deepcopy(example_mapping)
    mapping["unmapped_users"] = {"action": "fallback", "role": "viewer"}
    out = handle(v1_event(["marketing"]), as_version(mapping, "V1_0"), {})
    claims = hasura_claims_in(out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"])
    assert claims["x-hasura-allowed-roles"] == ["viewer"]
    out = handle(v1_event(["admins"]), as_version(mapping, "V1_0"), {})
    claims = hasura_claims_in(out["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"])
    assert claims["x-hasura-allowed-roles"] == ["project_admin"]  # no fallback added


def test_several_groups_are_ordered_by_default_role_order(example_mapping: dict) -> None:
    out = handle(v2_event(["file-service", "viewers", "admins", "unknown"]), example_mapping, {})
    claims = out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
    hasura = claims["claimsToAddOrOverride"][NAMESPACE]
    assert hasura["x-hasura-allowed-roles"] == ["project_admin", "viewer", "file_service"]
    assert hasura["x-hasura-default-role"] == "project_admin"


def test_roles_never_come_from_attributes_or_group_names_directly(example_mapping: dict) -> None:
    # An attribute named like a role claim, and a group named like a role, grant nothing.
    attrs = {"x-hasura-allowed-roles": "admin", "custom:roles": "project_admin"}
    out = handle(v2_event(["viewers", "project_admin", "admin"], attrs), example_mapping, {})
    hasura = out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"][
        "claimsToAddOrOverride"
    ][NAMESPACE]
    assert hasura["x-hasura-allowed-roles"] == ["viewer"]


def test_roles_attribute_mode_keeps_only_declared_grantable_roles(example_mapping: dict) -> None:
    mapping = copy.deepcopy(example_mapping)
    mapping.update(
        roles_attribute="custom:roles",
        group_roles={},
        roles=["editor", "viewer"],
        default_role_order=["editor", "viewer"],
    )
    attrs = {"custom:roles": "viewer, admin,editor project_admin"}
    out = handle(v2_event(["admins"], attrs), mapping, {})
    hasura = out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"][
        "claimsToAddOrOverride"
    ][NAMESPACE]
    assert hasura["x-hasura-allowed-roles"] == ["editor", "viewer"]
    with pytest.raises(Denied, match="no attribute custom:roles"):
        handle(v2_event([], {"custom:roles": "admin"}), mapping, {})


def test_missing_or_invalid_attributes_are_left_out(example_mapping: dict) -> None:
    attrs = {"custom:user_db_id": "forty-two", "custom:department_ids": '[1, "x"]'}
    out = handle(v2_event(["viewers"], attrs), example_mapping, {})
    hasura = out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"][
        "claimsToAddOrOverride"
    ][NAMESPACE]
    assert set(hasura) == {"x-hasura-allowed-roles", "x-hasura-default-role", "x-hasura-user-id"}


def test_malformed_events_fail_closed(example_mapping: dict) -> None:
    event = v2_event(["viewers"])
    event["request"]["groupConfiguration"] = ["viewers"]
    with pytest.raises(Denied, match="groupConfiguration"):
        handle(event, example_mapping, {})
    with pytest.raises(Denied, match="PostConfirmation_ConfirmSignUp"):
        handle(
            {**v2_event([]), "triggerSource": "PostConfirmation_ConfirmSignUp"}, example_mapping, {}
        )


@pytest.mark.parametrize(
    ("raw", "pg_type", "expected"),
    [
        ("3, 7", "integer[]", "{3,7}"),
        ("[3,7]", "integer[]", "{3,7}"),
        ("{3,7}", "_int4", "{3,7}"),
        ("", "integer[]", "{}"),
        ('["a b", "c\\"d", "e\\\\f"]', "text[]", '{"a b","c\\"d","e\\\\f"}'),
        ('{"a,b",c}', "text[]", '{"a,b","c"}'),
        ("3,x", "integer[]", None),
        ("{{1},{2}}", "integer[]", None),
        ("TRUE", "boolean", "true"),
        ("0B0A57C5-F013-426A-81A1-F8FFBFBA21F0", "uuid", "0b0a57c5-f013-426a-81a1-f8ffbfba21f0"),
        ("12.5", "numeric", "12.5"),
        ("1e3", "integer", None),
        (" spaced ", "text", " spaced "),
    ],
)
def test_session_values_are_strings_and_arrays_are_postgres_literals(
    raw: str, pg_type: str, expected: str | None
) -> None:
    assert pre_token.session_string(raw, pg_type) == expected


def test_constant_session_values(example_mapping: dict) -> None:
    mapping = copy.deepcopy(example_mapping)
    mapping["session"]["x-hasura-tenant"] = {"value": "acme", "type": "text"}
    out = handle(v2_event(["viewers"]), mapping, {})
    hasura = out["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"][
        "claimsToAddOrOverride"
    ][NAMESPACE]
    assert hasura["x-hasura-tenant"] == "acme"
