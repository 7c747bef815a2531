"""A column that looks like a secret is readable.

Password hashes, API keys, access and refresh tokens, TOTP secrets and salts have no
business in a GraphQL response: anyone holding the role's token (or an XSS in the client)
takes them away for offline cracking or replay. The name decides: its last word is a
secret noun (`password`, `passwd`, `passphrase`, `secret`, `token`, `salt`, `otp`,
`credentials`, `apikey`), or `hash`/`digest` after one of those, or `key` after `api`,
`private`, `secret`, `access`, `signing`, `encryption`, `auth`, `ssh`, `client`,
`master` or `session`. So `api_key`, `password_hash`, `reset_token` are secrets;
`key` (a lookup slug), `storage_key`, `foreign_key_id`, `api_key_last4`,
`token_expires_at`, `content_hash` are not. Not reported: a token or key on the
caller's own row (its filter compares the row's owner with the caller; passwords,
hashes and salts still are), service roles (`server`, `backend`, `auth`: reading
credentials is their job), and, for administrator and staff roles, secrets other than
users' login secrets (a game server's `connect_password` they configure; option
`check_admin_roles` reports those too).

Fails: select `columns: [id, email, password_hash]`.
Passes: `columns: [id, email]`, or the column listed in the `allow` option
(`public.users.api_key_prefix`).
Fix: drop the column from the select columns; serve what the client needs (a masked
value, `has_password`) from a view or computed field.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import cast

from hasura_perm.core.names import TableName
from hasura_perm.lint.analysis import user_comparisons
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import is_admin
from hasura_perm.lint.roles import judgement

ID = "secret-column-readable"
LEVEL = "error"
OPTIONS: dict[str, object] = {"check_admin_roles": False, "allow": [], "extra_patterns": []}
NEEDS: tuple[str, ...] = ()

_SECRET_NOUNS = {
    "password", "passwd", "pwd", "passphrase", "secret", "token", "salt", "otp", "totp",
    "credentials", "credential", "apikey", "privatekey",
}  # fmt: skip
_DIGESTS = {"hash", "digest", "hashed", "encrypted"}
_KEY_QUALIFIERS = {
    "api", "private", "secret", "access", "signing", "encryption", "auth", "ssh", "client",
    "master", "session",
}  # fmt: skip
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def words(column: str) -> list[str]:
    """`apiKeyLast4` -> [api, key, last4]; `password_hash` -> [password, hash]."""
    return [w.lower() for w in _WORDS.findall(column)]


def looks_secret(column: str) -> bool:
    parts = words(column)
    if not parts:
        return False
    last, before = parts[-1], parts[:-1]
    if last in _SECRET_NOUNS:
        return True
    if last in _DIGESTS:
        return any(w in _SECRET_NOUNS for w in before)
    if last == "key":
        return bool(before) and before[-1] in _KEY_QUALIFIERS
    return False


def check(ctx: LintContext, options: Mapping[str, object]) -> Iterator[Problem]:
    allow = cast(list[str], options["allow"])
    extra = cast(list[str], options["extra_patterns"])
    for grant in ctx.each("select"):
        if _service(ctx, grant.role):
            continue
        admin = is_admin(ctx, grant.role) and not options["check_admin_roles"]
        own_rows = bool(user_comparisons(grant.filter, ctx, grant.table))
        for column in sorted(ctx.columns_of(grant) or ()):
            qualified = f"{grant.table}.{column}"
            if any(fnmatch.fnmatchcase(qualified, p) or p == column for p in allow):
                continue
            if own_rows and not _crackable(column):
                continue  # the caller's own token or key, on its own row
            if admin and not _user_credential(ctx, grant.table, column):
                continue  # a service credential the administrators manage
            if looks_secret(column) or any(fnmatch.fnmatchcase(column, p) for p in extra):
                yield Problem(
                    grant.location,
                    f"{grant.role} may read `{column}` of {grant.table}, which looks like a secret",
                    f"drop `{column}` from the select columns (or allow {qualified} in the "
                    "rule's options if it is not a secret)",
                    grant.table,
                    grant.role,
                    grant.action,
                )


def _service(ctx: LintContext, role: str) -> bool:
    """A server-side role (lint/roles.py: named like a service and managing every row):
    reading a password hash or a key is what it is for."""
    return bool(judgement(ctx, role).kind == "service")


def _crackable(column: str) -> bool:
    """Passwords, their hashes and salts stay secret even from their owner (an XSS takes
    them for offline cracking); a token or key on the caller's own row is theirs to see."""
    return bool({"password", "passwd", "pwd", "passphrase", "salt"} & set(words(column)))


def _user_credential(ctx: LintContext, table: TableName, column: str) -> bool:
    """A user's login secret: any secret of an accounts table, or a hashed or salted
    one anywhere. Administrators have no use for these either."""
    return ctx.is_users_table(table) or bool(
        {"hash", "hashed", "digest", "salt", "salted", "encrypted"} & set(words(column))
    )
