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


def test_near_miss_allowed_column(tmp_path):
    users = table("public.users", select={"org_admin": {"columns": "*", "filter": {}}})
    ctx = context(tmp_path, users)
    assert found(ctx, "secret-column-readable", allow=["public.users.password_hash"]) == []


SERVERS = {
    "public.servers": {
        "columns": {"id": "integer", "name": "text", "connect_password": "text"},
        "primary_key": ["id"],
    },
    "public.communities": {
        "columns": {"id": "integer", "name": "text", "mailchimp_api_key": "text"},
        "primary_key": ["id"],
    },
    "public.accounts": {
        "columns": {"id": "integer", "api_token": "text", "password_hash": "text"},
        "primary_key": ["id"],
    },
}
MEMBER = {"community_users": {"user_id": {"_eq": "X-Hasura-User-Id"}}}


def test_a_third_party_key_readable_by_every_community_member(tmp_path):
    # real-project shape (a community platform): members read their community's row,
    # Mailchimp API key included
    communities = table(
        "public.communities",
        select={"user": {"columns": ["id", "name", "mailchimp_api_key"], "filter": MEMBER}},
    )
    problems = found(context(tmp_path, communities, schema=SERVERS), "secret-column-readable")
    assert [p.subject() for p in problems] == ["public.communities select user"]


def test_administrators_see_service_credentials_but_not_login_secrets(tmp_path):
    # real-project shape (a game-server manager): administrators configure each server's
    # connect password; it is theirs to read. A password hash is not, even for them.
    servers = table("public.servers", select={"administrator": {"columns": "*", "filter": {}}})
    accounts = table("public.accounts", select={"administrator": {"columns": "*", "filter": {}}})
    ctx = context(tmp_path, servers, accounts, schema=SERVERS)
    problems = found(ctx, "secret-column-readable")
    # any secret of an accounts table is a user's credential: the token too
    assert sorted(p.message.split("`")[1] for p in problems) == ["api_token", "password_hash"]
    everything = found(ctx, "secret-column-readable", check_admin_roles=True)
    assert len(everything) == 3  # with the option, the connect password as well


def test_a_user_reads_their_own_token_but_never_their_password_hash(tmp_path):
    own = {"id": {"_eq": "X-Hasura-User-Id"}}
    accounts = table(
        "public.accounts",
        select={"user": {"columns": ["id", "api_token", "password_hash"], "filter": own}},
    )
    problems = found(context(tmp_path, accounts, schema=SERVERS), "secret-column-readable")
    assert ["password_hash" in p.message for p in problems] == [True]


def test_a_login_service_reads_password_hashes(tmp_path):
    # real-project shape (a band's website): the `server` role checks logins, next to
    # members tied to their own rows
    own = {"id": {"_eq": "X-Hasura-User-Id"}}
    accounts = table(
        "public.accounts",
        select={
            "server": {"columns": ["id", "password_hash"], "filter": {}},
            "member": {"columns": ["id"], "filter": own},
        },
        update={
            "server": {"columns": ["password_hash"], "filter": {}},
            "member": {"columns": ["api_token"], "filter": own},
        },
    )
    assert found(context(tmp_path, accounts, schema=SERVERS), "secret-column-readable") == []


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
