"""The endpoint guard: the admin secret goes only to the host the check saw, over real HTTP.

Python's urllib and urllib3 (which requests connects with) read some URLs differently; such
URLs, credentials in the URL, and redirects must never carry the secret somewhere else.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.remote.client import Client
from hasura_perm.remote.client import check_endpoint
from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import SECRET
from tests.plan_apply.conftest import Cli

# (endpoint, what the refusal says); none of them may be contacted.
TRICKY = [
    ("http://example.com\\@127.0.0.1", "contains a backslash"),
    ("http://example.com\\@127.0.0.1:8080/", "contains a backslash"),
    ("https://example.com:443\\@127.0.0.1", "contains a backslash"),
    ("http://127.0.0.1:8080@example.com", "contains credentials"),
    ("http://localhost@example.com", "contains credentials"),
    ("http://[::1]@example.com", "contains credentials"),
    ("http://127.0.0.1%2f@example.com", "contains credentials"),
    ("http://someone:hunter2@127.0.0.1", "contains credentials"),
    ("http://hunter3@127.0.0.1", "contains credentials"),
    ("http://@127.0.0.1", "contains credentials"),
    ("http://a@b@127.0.0.1", "contains credentials"),
    ("http://127.0.0.1#@example.com", "contains credentials"),
    ("http://example.com?@127.0.0.1", "contains credentials"),
    ("http://127.0.0.1#fragment", "has a query or fragment"),
    ("http://127.0.0.1:8080/v1/metadata?x=1", "has a query or fragment"),
    ("http://127.0.0.1 .example.com", "contains whitespace"),
    ("http://127.0.0.1\t@example.com", "contains whitespace"),
    ("http://127.0.0.1\r\nHost: example.com", "contains whitespace"),
    ("http://127.0.0.1\x00.example.com", "contains a control character"),
    ("http://ｌocalhost:8080", "contains a non-ASCII character"),
    ("https://example.com:99999", "is not a valid URL"),
    ("http://[::1", "is not a valid URL"),
    ("http:/127.0.0.1", "is not an http:// or https:// URL"),
    ("//example.com", "is not an http:// or https:// URL"),
    ("ftp://127.0.0.1", "is not an http:// or https:// URL"),
    ("http://127.0.0.1.example.com", "over plain http to 127.0.0.1.example.com"),
    ("http://localhost.example.com", "over plain http to localhost.example.com"),
    ("http://2130706433", "over plain http to 2130706433"),
]


@pytest.mark.parametrize(("endpoint", "said"), TRICKY, ids=[repr(t[0]) for t in TRICKY])
def test_tricky_endpoints_are_refused(endpoint: str, said: str) -> None:
    with pytest.raises(HasuraPermError) as caught:
        check_endpoint(endpoint, insecure=False)
    assert said in str(caught.value)
    for credentials in ("someone", "hunter"):
        assert credentials not in str(caught.value)


@pytest.mark.parametrize(
    ("endpoint", "normalised"),
    [
        ("https://hasura.example.org/", "https://hasura.example.org"),
        ("HTTP://LOCALHOST:8080", "http://localhost:8080"),
        (
            "https://hasura.example.org/behind/a/prefix/",
            "https://hasura.example.org/behind/a/prefix",
        ),
        ("http://hasura.internal:8080", "http://hasura.internal:8080"),  # with insecure
    ],
)
def test_plain_endpoints_are_normalised_once(endpoint: str, normalised: str) -> None:
    assert check_endpoint(endpoint, insecure=True) == normalised


def test_the_backslash_trick_goes_nowhere(
    cli: Cli, server: StandinServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python's urllib sees 127.0.0.1:1 here; requests would connect to the stand-in."""
    monkeypatch.setenv("HASURA_GRAPHQL_ENDPOINT", f"http://127.0.0.1:{server.port}\\@127.0.0.1:1")
    for command in (["plan"], ["apply", "--yes"], ["drift"], ["schema", "pull"]):
        result = cli(*command, "--env", "test")
        assert result.code == 1
        assert result.err.startswith(
            "error: endpoint 'http://***@127.0.0.1:1' contains a backslash"
        )
    assert server.requests == []


def test_credentials_in_the_endpoint_are_refused_and_never_echoed(
    cli: Cli, server: StandinServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The secret canary as the URL's user: refused before anything is sent, written or shown."""
    saved = tmp_path / "plan.json"
    for endpoint in (
        f"http://{SECRET}@127.0.0.1:{server.port}",
        f"http://user:{SECRET}@127.0.0.1:{server.port}",
    ):
        monkeypatch.setenv("HASURA_GRAPHQL_ENDPOINT", endpoint)
        for command in (["plan", "--out", str(saved)], ["apply", "--dry-run"]):
            result = cli(*command, "--env", "test")
            assert result.code == 1
            assert result.err == (
                f"error: endpoint 'http://***@127.0.0.1:{server.port}' contains credentials "
                "(user@ or user:password@): hasura-perm sends only the admin secret, in its "
                "header; remove them from the URL\n"
            )
    assert not saved.exists()
    assert server.requests == []


@pytest.fixture
def trap(pg_url: str) -> Iterator[StandinServer]:
    """Another server, where a redirect points: it must never hear from us."""
    with StandinServer(pg_url, admin_secret="the-trap-has-its-own-secret") as other:
        yield other


@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"]], ids=lambda c: c[0])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed(
    cli: Cli, server: StandinServer, trap: StandinServer, command: list[str], status: int
) -> None:
    """requests would follow a 307 with the same POST, headers included: the secret would go to
    whatever host (or plain http URL) a proxy or a compromised server names."""
    server.faults.proxy_answer_next(
        "export_metadata",
        status=status,
        headers={"Location": f"{trap.url}/v1/metadata"},
        when="before",
        times=3,
    )
    result = cli(*command, "--env", "test")
    assert result.code == 1
    assert result.err == (
        f"error: {server.url} answered HTTP {status}, a redirect to {trap.url}/v1/metadata; "
        "hasura-perm does not follow redirects (the admin secret would go along): set "
        "`endpoint` of environment 'test' to the URL it points at\n"
    )
    assert trap.requests == []
    assert [r.type for r in server.requests] == ["export_metadata"]


def test_every_request_is_checked_against_the_endpoint_that_was_checked(
    server: StandinServer,
) -> None:
    """The URL as requests prepares it must still go to the checked host and port."""
    client = Client(server.url, SECRET, timeout=2.0)
    for elsewhere in (f"http://localhost:{server.port}", "http://127.0.0.1:1"):
        client.endpoint = elsewhere  # as if it were changed after the check
        with pytest.raises(HasuraPermError, match="does not go to the checked endpoint"):
            client.export_metadata()
    assert server.requests == []
    assert client.requests_sent == 0


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A bare TCP listener that records what it receives (a would-be proxy)."""
    received: list[bytes] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    received.append(conn.recv(65536))
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_a_proxy_never_carries_the_secret_over_plain_http(
    cli: Cli,
    server: StandinServer,
    listener: tuple[str, list[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    """A loopback http endpoint is allowed because the secret stays on this machine; requests
    would send it in clear through HTTP_PROXY (it does not bypass loopback by itself)."""
    proxy, received = listener
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, proxy)
    result = cli("plan", "--env", "test")
    assert result.code == 1
    assert result.err == (
        f"error: refusing to send the admin secret over plain http through the proxy {proxy} "
        "(from HTTP_PROXY or ALL_PROXY): add 127.0.0.1 to NO_PROXY, use an https:// endpoint, "
        "or pass --insecure if the network is trusted\n"
    )
    assert received == [] and server.requests == []
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert cli("plan", "--env", "test").code == 2
    assert received == []
