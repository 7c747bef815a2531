"""`cognito` command output: what a verified token carries is shown, never obeyed."""

from __future__ import annotations

from types import SimpleNamespace

from hasura_perm.commands.cognito import _whoami_text


def test_whoami_text_shows_control_characters_in_claims_as_escapes() -> None:
    # Claims come from the user pool's attributes, some of which users may set themselves.
    session = SimpleNamespace(
        expires_at=0,
        token_use="id",
        client_id="client",
        subject="user\x1b]0;owned\x07",
        allowed_roles=["viewer"],
        default_role="viewer",
        variables={"x-hasura-user-id": "42\x1b[2J"},
        role="viewer",
    )
    text = _whoami_text(session, ["public.t: select"], {"claims_format": "json"}, False)
    assert "\x1b" not in text and "\x07" not in text
    assert "user\\x1b]0;owned\\x07" in text
    assert "    x-hasura-user-id: 42\\x1b[2J" in text
    assert text.splitlines()[0].startswith("Valid id token for app client client")
