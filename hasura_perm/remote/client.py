"""The Hasura metadata API client: the only module that imports requests.

Reads (export_metadata, read-only run_sql) are retried with backoff on timeouts, dropped
connections, 5xx answers and proxies' 408 and 52x. Writes are sent exactly once: an answer that is
not Hasura's definite refusal (HasuraApiError) leaves the outcome unknown, and the caller gets
WriteOutcomeUnknown and must find out what the server holds (see hasura_perm.remote.apply).

Requests go only to the endpoint checked by hasura_perm.remote.endpoint, never through a redirect,
and never through a proxy over plain http.

The admin secret travels only in the `x-hasura-admin-secret` header. Every message this module
produces is built by us (never a requests exception's text, which may hold URLs) and scrubbed of
the secret anyway.
"""

from __future__ import annotations

import gc
import json
import os
import re
import time
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from hasura_perm import __version__
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.metadata import export_shape
from hasura_perm.remote.endpoint import parse_endpoint
from hasura_perm.remote.endpoint import redact_url
from hasura_perm.remote.endpoint import require_target
from hasura_perm.spec.project import Environment

ENDPOINT_ENV = "HASURA_GRAPHQL_ENDPOINT"
SECRET_ENV = "HASURA_GRAPHQL_ADMIN_SECRET"
SECRET_HEADER = "x-hasura-admin-secret"
REDACTED = "<redacted>"
METADATA_ROUTE = "/v1/metadata"
QUERY_ROUTE = "/v2/query"
DEFAULT_RETRIES = 2  # a read is tried at most 1 + retries times
DEFAULT_BACKOFF = 0.25  # seconds before the first retry; doubles each time
MAX_CONNECT_TIMEOUT = 10.0
# Worth retrying a read after; a write's outcome is unknown after these. 408 and 52x come from
# proxies and load balancers (Cloudflare's 520-524), never from Hasura itself.
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# 500s that Hasura raises after running a command but before storing anything, so nothing was
# changed (runMetadataQuery in Hasura/Server/API/Metadata.hs).
DEFINITE_500_ERRORS = frozenset({"metadata cannot be modified in maintenance mode"})


@dataclass(frozen=True)
class Export:
    """`export_metadata` version 2."""

    resource_version: int
    metadata: dict[str, Any]


class HasuraApiError(HasuraPermError):
    """The server answered and refused: a Hasura error body `{error, path, code}`."""

    def __init__(self, message: str, status: int, code: str, error: str, path: str) -> None:
        super().__init__(message)
        self.status, self.code, self.error, self.path = status, code, error, path


class WriteOutcomeUnknown(HasuraPermError):
    """A write got no trustworthy answer (timeout, dropped connection, 5xx): it may or may not
    have been applied."""


class _Transient(Exception):
    """A failure worth retrying for a read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Client:
    """One Hasura server. `label` names it in messages (e.g. "environment staging")."""

    def __init__(
        self,
        endpoint: str,
        admin_secret: str,
        *,
        timeout: float = 30.0,
        insecure: bool = False,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        secret_source: str = "the admin secret",
        endpoint_source: str = "the endpoint",
    ) -> None:
        self._secret = admin_secret
        self._endpoint = parse_endpoint(endpoint, insecure=insecure)
        self.endpoint = self._endpoint.url
        if self._endpoint.target.scheme == "http" and not insecure:
            _refuse_plain_proxy(self.endpoint + METADATA_ROUTE, self._endpoint.target.host)
        self.shown_endpoint = redact_url(self.endpoint)  # for messages and saved plans
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.secret_source = secret_source
        self.endpoint_source = endpoint_source
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"Client({self.shown_endpoint!r}, admin_secret={REDACTED!r})"

    @classmethod
    def for_environment(
        cls,
        env: Environment,
        *,
        insecure: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> Client:
        """The client for a project environment; HASURA_GRAPHQL_ENDPOINT and
        HASURA_GRAPHQL_ADMIN_SECRET override the configuration, as the Hasura CLI does."""
        environ = os.environ if environ is None else environ
        endpoint, endpoint_source = env.endpoint, f"`endpoint` of environment {env.name!r}"
        if environ.get(ENDPOINT_ENV):
            endpoint, endpoint_source = environ[ENDPOINT_ENV], ENDPOINT_ENV
        secret_var = SECRET_ENV if environ.get(SECRET_ENV) else env.admin_secret_env
        secret = environ.get(secret_var)
        if not secret:
            raise HasuraPermError(
                f"environment variable {env.admin_secret_env} is not set: it must hold the admin "
                f"secret of environment {env.name!r} (or set {SECRET_ENV})"
            )
        return cls(
            endpoint,
            secret,
            timeout=env.timeout,
            insecure=insecure or env.insecure,
            retries=int(_setting(env, "retries", DEFAULT_RETRIES)),
            backoff=_setting(env, "retry_backoff", DEFAULT_BACKOFF),
            secret_source=f"${secret_var}",
            endpoint_source=endpoint_source,
        )

    # -- the calls

    def export_metadata(self, source: str | list[str] | None = None) -> Export:
        """The server's metadata; with `source` (or several), the parts those sources'
        permissions are read from are checked (a malformed answer is an error naming its
        JSON path)."""
        answer = self.read({"type": "export_metadata", "version": 2, "args": {}})
        version = answer.get("resource_version") if isinstance(answer, dict) else None
        metadata = answer.get("metadata") if isinstance(answer, dict) else None
        if (
            isinstance(version, bool)
            or not isinstance(version, int)
            or not isinstance(metadata, dict)
        ):
            raise HasuraPermError(
                f"{self.shown_endpoint} answered export_metadata without resource_version and metadata; "
                "hasura-perm needs Hasura v2.0 or later"
            )
        try:
            export_shape.check_depth(metadata, "$.metadata")
            for name in [source] if isinstance(source, str) else source or ():
                export_shape.check_source(metadata, name)
        except HasuraPermError as malformed:
            raise HasuraPermError(
                self._scrub(f"{self.shown_endpoint} answered export_metadata malformed {malformed}")
            ) from None
        return Export(version, metadata)

    def run_sql(self, sql: str, *, source: str = "default") -> list[list[Any]]:
        """Rows of a read-only query (header row first), through `/v2/query` run_sql."""
        body = {"type": "run_sql", "args": {"source": source, "sql": sql, "read_only": True}}
        answer = self.read(body, route=QUERY_ROUTE)
        rows = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise HasuraPermError(f"{self.shown_endpoint} answered run_sql without result rows")
        for i, row in enumerate(rows):
            # RunSQLRes (RQL/DDL/Schema.hs, resToCSV): every value is text, NULL as "NULL"
            if not isinstance(row, list) or not all(v is None or isinstance(v, str) for v in row):
                raise HasuraPermError(
                    f"{self.shown_endpoint} answered run_sql malformed at $.result[{i}]: "
                    "expected a row of texts and nulls"
                )
        return rows

    def scrub(self, text: str) -> str:
        """`text` without the admin secret or URL credentials: for messages about answers."""
        return self._scrub(text)

    def read(self, body: dict[str, Any], *, route: str = METADATA_ROUTE) -> Any:
        """A request that changes nothing: retried with backoff on transient failures."""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._exchange(route, body)
            except _Transient as failure:
                if attempt == attempts:
                    tries = f" (tried {attempts} times)" if attempts > 1 else ""
                    raise HasuraPermError(self._scrub(f"{failure.reason}{tries}")) from None
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def write(self, body: dict[str, Any]) -> Any:
        """A request that changes metadata: sent once, never retried."""
        try:
            return self._exchange(METADATA_ROUTE, body, write=True)
        except _Transient as failure:
            raise WriteOutcomeUnknown(self._scrub(failure.reason)) from None

    def describe_request(self, body: dict[str, Any]) -> str:
        """The HTTP request a write would send, the secret redacted (for --dry-run)."""
        return "\n".join(
            [
                f"POST {self.shown_endpoint}{METADATA_ROUTE}",
                "Content-Type: application/json",
                f"{SECRET_HEADER}: {REDACTED}",
                "",
                json.dumps(body, indent=2, ensure_ascii=False),
            ]
        )

    # -- transport

    def _exchange(self, route: str, body: dict[str, Any], *, write: bool = False) -> Any:
        response = self._post(route, body)
        payload = _json_of(response)
        status = response.status_code
        if status == 200 and payload is not _NOT_JSON and payload is not _TOO_DEEP:
            return payload
        if _is_hasura_error(payload) and _definite_refusal(status, payload):
            raise self._api_error(status, payload)
        reason = self._status_reason(response, payload)
        # A write that got anything but Hasura's own refusal may have been applied: a proxy's
        # 524 or 408 can come after the server committed it.
        if write or status in TRANSIENT_STATUSES or status == 200:
            raise _Transient(reason)
        if 300 <= status < 400:
            raise HasuraPermError(
                self._scrub(f"{reason}: set {self.endpoint_source} to the URL it points at")
            )
        raise HasuraPermError(
            self._scrub(
                f"{self.shown_endpoint}{route} did not answer like a Hasura metadata API "
                f"(HTTP {status}); check {self.endpoint_source}"
            )
        )

    def _post(self, route: str, body: dict[str, Any]) -> requests.Response:
        headers = {
            SECRET_HEADER: self._secret,
            "Content-Type": "application/json",
            "User-Agent": f"hasura-perm/{__version__}",
        }
        data = json.dumps(body, ensure_ascii=False).encode()
        timeout = (min(self.timeout, MAX_CONNECT_TIMEOUT), self.timeout)
        url = self.endpoint + route
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url, None)  # exactly as requests.post prepares it
        require_target(prepared.url or "", self._endpoint.target)
        self.requests_sent += 1
        try:
            # A fresh connection per request: a pooled keep-alive connection that the server
            # closed while the user read the plan would make a write fail before it was sent.
            # No redirects: requests would resend the admin secret header to wherever a
            # redirect points, even another host or plain http.
            return requests.post(
                url, data=data, headers=headers, timeout=timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise _Transient(self._transport_reason(exc)) from None

    def _transport_reason(self, exc: requests.RequestException) -> str:
        where = self.shown_endpoint
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return f"cannot connect to {where}: no answer within {self._connect_timeout()}s"
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return f"{where} did not answer within {self.timeout:g}s"
        if isinstance(exc, requests.exceptions.SSLError):
            return f"cannot connect to {where}: TLS handshake failed; check the certificate"
        text = repr(exc)
        if "RemoteDisconnected" in text or "Connection aborted" in text:
            return f"{where} closed the connection without answering"
        if isinstance(exc, requests.exceptions.ConnectionError):
            found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
            detail = found.group(1).strip().rstrip(".").lower() if found else "connection failed"
            return f"cannot connect to {where}: {detail}; check {self.endpoint_source}"
        return f"request to {where} failed: {type(exc).__name__}"

    def _connect_timeout(self) -> str:
        return f"{min(self.timeout, MAX_CONNECT_TIMEOUT):g}"

    def _status_reason(self, response: requests.Response, payload: Any) -> str:
        where, status = self.shown_endpoint, response.status_code
        if 300 <= status < 400:
            location = _one_line(response.headers.get("Location", "nowhere"))[:200]
            return (
                f"{where} answered HTTP {status}, a redirect to {location}; hasura-perm does not "
                "follow redirects (the admin secret would go along)"
            )
        if payload is _TOO_DEEP:
            return f"{where} answered HTTP {status} with JSON nested too deeply to read"
        if payload is _NOT_JSON:
            proxy = "" if status == 200 else " (from a proxy in between?)"
            return f"{where} answered HTTP {status} with a body that is not JSON{proxy}"
        error = payload.get("error") if isinstance(payload, dict) else None
        if error is None and status != 500:
            return f"{where} answered HTTP {status} with JSON that is not a Hasura answer"
        detail = f": {_one_line(str(error))[:500]}" if error else ""
        return f"{where} answered HTTP {status}{detail}"

    def _api_error(self, status: int, payload: dict[str, Any]) -> HasuraApiError:
        code = str(payload.get("code", "unknown"))
        error = _one_line(str(payload.get("error", "")))
        path = str(payload.get("path", "$"))
        where = f" at {path}" if path not in ("$", "$.args") else ""
        message = (
            f"{self.shown_endpoint} refused the request (HTTP {status} {code}{where}): {error}"
        )
        if code == "access-denied" or status == 401:
            message += f"; check the admin secret in {self.secret_source}"
        return HasuraApiError(self._scrub(message), status, code, self._scrub(error), path)

    def _scrub(self, text: str) -> str:
        text = text.replace(self._secret, REDACTED) if self._secret else text
        return redact_url(text)


_NOT_JSON = object()
_TOO_DEEP = object()


def _refuse_plain_proxy(url: str, host: str) -> None:
    """A plain-http endpoint on this machine is allowed because the secret never leaves it; an
    HTTP_PROXY (or ALL_PROXY) that requests would send the request through breaks that."""
    proxies = requests.utils.get_environ_proxies(url)
    via = proxies.get("http") or proxies.get("all")
    if via:
        raise HasuraPermError(
            f"refusing to send the admin secret over plain http through the proxy "
            f"{redact_url(via)} (from HTTP_PROXY or ALL_PROXY): add {host} to NO_PROXY, use an "
            "https:// endpoint, or pass --insecure if the network is trusted"
        )


def _is_hasura_error(payload: Any) -> bool:
    """A QErr as Hasura encodes it (Hasura/Base/Error.hs): `{path, error, code}`."""
    return isinstance(payload, dict) and all(
        isinstance(payload.get(key), str) for key in ("path", "error", "code")
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Decoding an export makes a few hundred thousand objects; with the compiled project
    already in memory, the collections they trigger took 0.6-0.9 s of a 0.13 s decode (1,000
    tables). Decoding makes no cycles, so nothing waits for a collection meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _definite_refusal(status: int, payload: dict[str, Any]) -> bool:
    """Whether Hasura's error says the request was not carried out. 404 is a wrong route (see
    the caller); 408 and other 5xx may come from a proxy after the server committed a write."""
    if status == 500:
        return _one_line(payload["error"]) in DEFINITE_500_ERRORS
    return 400 <= status < 500 and status not in (404, 408)


def _setting(env: Environment, key: str, default: float) -> float:
    value = env.settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise HasuraPermError(
            f"`{key}` of environment {env.name!r} in hasura-perm.yaml must be a number >= 0"
        )
    return float(value)


def _json_of(response: requests.Response) -> Any:
    try:
        with _collector_paused():
            return response.json()
    except ValueError:
        return _NOT_JSON
    except RecursionError:  # the JSON decoder recurses per nesting level
        return _TOO_DEEP


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check_endpoint(endpoint: str, *, insecure: bool) -> str:
    """`endpoint` (normalised) if it is an http(s) URL we may send the admin secret to."""
    return parse_endpoint(endpoint, insecure=insecure).url
