"""The `cognito:` section and session sources: schema, checks against roles and rules, compile."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from hasura_perm.cognito.loader import load_cognito
from hasura_perm.cognito.pool import pool_for
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.spec.project import load_project
from tests.cognito.support import COGNITO_SECTION
from tests.cognito.support import make_project


def problems_of(root: Path) -> str:
    with pytest.raises(SpecError) as caught:
        load_cognito(load_project(root))
    return str(caught.value)


def with_section(**changes: Any) -> dict[str, Any]:
    section = copy.deepcopy(COGNITO_SECTION)
    for key, value in changes.items():
        if value is None:
            section.pop(key, None)
        else:
            section[key] = value
    return section


def edit_roles(root: Path, edit: Any) -> None:
    path = root / "permissions" / "roles.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_example_compiles_to_the_mapping(example_mapping: dict) -> None:
    assert example_mapping["group_roles"] == {
        "admins": ["project_admin"],
        "editors": ["editor"],
        "file-service": ["file_service"],
        "viewers": ["viewer"],
    }
    assert example_mapping["claims_format"] == "json"
    assert example_mapping["session"]["x-hasura-department-ids"] == {
        "from": "custom:department_ids",
        "type": "integer[]",
    }
    sync = example_mapping["user_sync"]
    assert sync["constraint"] == "users_cognito_sub_key"  # Postgres's default unique name
    assert sync["column_types"] == {"cognito_sub": "uuid", "display_name": "text", "email": "text"}


def test_the_section_is_validated_by_the_schema(tmp_path: Path) -> None:
    root = make_project(tmp_path, with_section(trigger_version="V4", unmapped_users="allow"))
    text = problems_of(root)
    assert "permissions/cognito.yaml:" in text
    assert "`V4` is not allowed in `trigger_version`" in text


def test_default_role_order_must_list_every_mapped_role(tmp_path: Path) -> None:
    root = make_project(tmp_path, with_section(default_role_order=["editor", "viewr"]))
    text = problems_of(root)
    assert "unknown role `viewr` in default_role_order; did you mean `viewer`?" in text
    assert "must list every role with cognito_groups; missing: file_service, project_admin" in text


def test_default_role_order_is_needed_when_users_may_hold_several_roles(tmp_path: Path) -> None:
    root = make_project(tmp_path, with_section(default_role_order=None))
    assert "add `default_role_order` to `cognito:`" in problems_of(root)


def test_fallback_role_must_be_declared(tmp_path: Path) -> None:
    root = make_project(tmp_path, with_section(unmapped_users={"fallback_role": "guest"}))
    assert "unknown fallback role `guest`" in problems_of(root)


def test_roles_attribute_excludes_cognito_groups(tmp_path: Path) -> None:
    root = make_project(tmp_path, with_section(roles_attribute="custom:roles"))
    assert "role `viewer` has cognito_groups but `cognito.roles_attribute` is set" in problems_of(
        root
    )


def test_session_sources_must_be_cognito_attributes(tmp_path: Path) -> None:
    root = make_project(tmp_path)

    def edit(data: dict) -> None:
        data["session"]["x-hasura-user-id"]["from"] = "emial"
        data["session"]["x-hasura-user-db-id"] = {"type": "integer"}
        data["session"]["x-hasura-default-role"] = {"from": "custom:role"}
        data["session"]["x-hasura-tenant"] = {"value": "abc", "type": "integer"}

    edit_roles(root, edit)
    text = problems_of(root)
    assert "`emial` is not a Cognito user attribute" in text and "did you mean `email`?" in text
    assert (
        "`x-hasura-user-db-id` is used by permission rules but has no `from:` or `value:`" in text
    )
    assert "`x-hasura-default-role` cannot be a session variable" in text
    assert "`x-hasura-tenant`: 'abc' is not a integer" in text


def test_user_sync_is_checked_against_the_schema(tmp_path: Path) -> None:
    sync = {"table": "public.users", "key": "display_name", "columns": {"emale": "email"}}
    root = make_project(tmp_path, with_section(user_sync=sync))
    text = problems_of(root)
    assert "column `emale` is not in public.users; did you mean `email`?" in text
    assert "`display_name` is neither the primary key nor unique" in text


def test_a_second_cognito_section_is_an_error(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "permissions" / "more.yaml").write_text("cognito:\n  trigger_version: V1_0\n")
    assert "`cognito:` is already defined at permissions/cognito.yaml" in problems_of(root)


POOL = "eu-west-1_AbC123xyz"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"user_pool_id": "eu-west-1-AbC"}, "is not a valid value for `user_pool_id`"),
        ({"user_pool_id": POOL, "region": "us-east-1"}, "does not match pool"),
        ({"user_pool_id": POOL, "region": "Europe"}, "is not a valid value for `region`"),
        ({"user_pool_id": POOL, "app_client_ids": ["a b"]}, "is not a valid value"),
        ({"user_pool_id": POOL, "client_ids": ["x"]}, "unknown key `client_ids`"),
    ],
)
def test_pool_settings_are_validated(tmp_path: Path, settings: dict, message: str) -> None:
    env = {
        "prod": {"endpoint": "https://h.example.org", "admin_secret_env": "S", "cognito": settings}
    }
    root = make_project(tmp_path, environments=env)
    with pytest.raises(HasuraPermError, match=message):
        pool_for(load_project(root).environment("prod"))


def test_pool_defaults_come_from_the_pool_id(tmp_path: Path) -> None:
    env = {
        "prod": {
            "endpoint": "https://h.example.org",
            "admin_secret_env": "S",
            "cognito": {"user_pool_id": POOL, "app_client_ids": ["abc"]},
        }
    }
    pool = pool_for(load_project(make_project(tmp_path, environments=env)).environment("prod"))
    assert pool.region == "eu-west-1"
    assert pool.issuer == f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"
    assert pool.jwks_url == pool.issuer + "/.well-known/jwks.json"
