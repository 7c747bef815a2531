"""The endpoint URL: parsed once, with the parser the HTTP client itself uses, before the admin
secret goes anywhere.

Two URL parsers can read one string differently: for `http://example.com\\@127.0.0.1` Python's
urllib sees host 127.0.0.1 while urllib3 (which requests uses to connect) sees example.com. So
the endpoint is parsed with urllib3's `parse_url`, anything that parsers may disagree on
(backslashes, credentials, whitespace, control or non-ASCII characters, a query or fragment) is
refused, both parsers must agree on scheme, host and port, and the URL of every request is
checked again right before it is sent (`require_target`).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from hasura_perm.core.errors import HasuraPermError

SCHEMES = ("http", "https")
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]|[^\x00-\x7f]")


@dataclass(frozen=True)
class Target:
    """Where a request goes: scheme, host (no brackets) and port."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


@dataclass(frozen=True)
class Endpoint:
    url: str  # scheme://host[:port][/path], no trailing slash: routes are appended to it
    target: Target


def parse_endpoint(text: str, *, insecure: bool) -> Endpoint:
    """The endpoint, if it is an unambiguous http(s) URL we may send the admin secret to."""
    shown = _shown(text)
    found = _AMBIGUOUS.search(text)
    if found:
        raise HasuraPermError(
            f"endpoint {shown!r} contains {_describe(found.group())}: URL parsers disagree on "
            "what such a URL points at, so the admin secret is not sent to it; write the "
            "endpoint as plain scheme://host[:port][/path] (a non-ASCII host in its xn-- form)"
        )
    try:
        parts = parse_url(text)
    except LocationParseError:
        raise HasuraPermError(f"endpoint {shown!r} is not a valid URL") from None
    if parts.scheme not in SCHEMES or not parts.host:
        raise HasuraPermError(f"endpoint {shown!r} is not an http:// or https:// URL")
    if parts.auth is not None or "@" in _authority(text):
        raise HasuraPermError(
            f"endpoint {shown!r} contains credentials (user@ or user:password@): hasura-perm "
            "sends only the admin secret, in its header; remove them from the URL"
        )
    if parts.query is not None or parts.fragment is not None:
        raise HasuraPermError(
            f"endpoint {shown!r} has a query or fragment (? or #); the API routes are appended "
            "to the endpoint, so give only scheme://host[:port][/path]"
        )
    url = parts.url.rstrip("/")
    target = target_of(url)
    if target.scheme == "http" and not insecure and not is_loopback(target.host):
        raise HasuraPermError(
            f"refusing to send the admin secret over plain http to {target.host}: use an "
            "https:// endpoint, or pass --insecure (or set `insecure: true` on the environment) "
            "if the network is trusted"
        )
    return Endpoint(url, target)


def target_of(url: str) -> Target:
    """Scheme, host and port of `url`, read by urllib3 (which connects) and by urllib (which
    requests uses to pick the connection pool); a URL they read differently is refused."""
    ours = parse_url(url)
    theirs = urlsplit(url)
    try:
        their_port = theirs.port
    except ValueError:
        their_port = -1
    scheme = ours.scheme or ""
    default_port = 443 if scheme == "https" else 80
    host = (ours.host or "").strip("[]")
    if (
        theirs.scheme != scheme
        or (theirs.hostname or "") != host.lower()
        or (their_port or default_port) != (ours.port or default_port)
        or theirs.username is not None
    ):
        raise HasuraPermError(f"endpoint {redact_url(url)!r} is ambiguous: URL parsers disagree")
    return Target(scheme, host, ours.port or default_port)


def require_target(url: str, expected: Target) -> None:
    """Refuse to send a request whose URL, as the HTTP client prepared it, goes elsewhere."""
    if target_of(url) != expected:
        raise HasuraPermError(
            f"refusing to send a request to {redact_url(url)}: it does not go to the checked "
            f"endpoint {expected}"
        )


def redact_url(text: str) -> str:
    """`text` with the credentials of any URL in it (user, or user:password) replaced by ***."""
    return re.sub(r"(://)[^/@\s]*@", r"\1***@", text)


def _authority(text: str) -> str:
    """What follows `scheme://` up to the first `/` (where any parser's host is)."""
    return text.partition("://")[2].partition("/")[0]


def _shown(text: str) -> str:
    """The endpoint as a message may show it: anything before the authority's last `@` (where
    credentials would be, whatever characters they hold) replaced by ***."""
    authority = _authority(text)
    if "@" not in authority:
        return text
    scheme, _, rest = text.partition("://")
    return f"{scheme}://***@{authority.rpartition('@')[2]}{rest[len(authority) :]}"


def is_loopback(host: str) -> bool:
    host = host.lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _describe(char: str) -> str:
    if char == "\\":
        return "a backslash"
    if char.isspace():
        return "whitespace"
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return "a control character"
    return "a non-ASCII character"
