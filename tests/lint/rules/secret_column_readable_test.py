from __future__ import annotations

import pytest

from hasura_perm.lint.rules.secret_column_readable import looks_secret
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_a_readable_password_hash_even_for_admins(tmp_path):
    users = table(
        "public.users",
        select={
            "viewer": {"columns": ["id", "name"], "filter": {}},
            "org_admin": {"columns": "*", "filter": {}},
        },
    )
    [problem] = found(context(tmp_path, users), "secret-column-readable")
    assert problem.subject() == "public.users select org_admin"
    assert "`password_hash`" in problem.message


def test_near_miss_allowed_column_or_admins_excluded_by_option(tmp_path):
    users = table("public.users", select={"org_admin": {"columns": "*", "filter": {}}})
    ctx = context(tmp_path, users)
    assert found(ctx, "secret-column-readable", allow=["public.users.password_hash"]) == []
    assert found(ctx, "secret-column-readable", check_admin_roles=False) == []


@pytest.mark.parametrize(
    "column",
    [
        "password",
        "password_hash",
        "api_key",
        "apiKey",
        "reset_token",
        "accessToken",
        "otp_secret",
        "salt",
        "stripe_secret_key",
        "passwordDigest",
    ],
)
def test_secret_names(column):
    assert looks_secret(column)


@pytest.mark.parametrize(
    "column",
    [
        "key",
        "storage_key",
        "foreign_key_id",
        "api_key_last4",
        "token_expires_at",
        "content_hash",
        "tokens",
        "monkey",
        "password_changed_at",
        "key_id",
        "cognito_user_id",
    ],
)
def test_names_that_only_look_secret(column):
    assert not looks_secret(column)
