"""The Hasura metadata API client: the only module that imports requests.

Reads (export_metadata, read-only run_sql) are retried with backoff on timeouts, dropped
connections and 5xx answers. Writes are sent exactly once: when their outcome is unknown the
caller gets WriteOutcomeUnknown and must find out what the server holds (see hasura_perm.apply).

The admin secret travels only in the `x-hasura-admin-secret` header. Every message this module
produces is built by us (never a requests exception's text, which may hold URLs) and scrubbed of
the secret anyway.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from hasura_perm import __version__
from hasura_perm.errors import HasuraPermError
from hasura_perm.project import Environment

ENDPOINT_ENV = "HASURA_GRAPHQL_ENDPOINT"
SECRET_ENV = "HASURA_GRAPHQL_ADMIN_SECRET"
SECRET_HEADER = "x-hasura-admin-secret"
REDACTED = "<redacted>"
METADATA_ROUTE = "/v1/metadata"
QUERY_ROUTE = "/v2/query"
DEFAULT_RETRIES = 2  # a read is tried at most 1 + retries times
DEFAULT_BACKOFF = 0.25  # seconds before the first retry; doubles each time
MAX_CONNECT_TIMEOUT = 10.0
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


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
        self.endpoint = check_endpoint(endpoint.rstrip("/"), insecure=insecure)
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

    def export_metadata(self) -> Export:
        answer = self.read({"type": "export_metadata", "version": 2, "args": {}})
        version = answer.get("resource_version") if isinstance(answer, dict) else None
        metadata = answer.get("metadata") if isinstance(answer, dict) else None
        if not isinstance(version, int) or not isinstance(metadata, dict):
            raise HasuraPermError(
                f"{self.shown_endpoint} answered export_metadata without resource_version and metadata; "
                "hasura-perm needs Hasura v2.0 or later"
            )
        return Export(version, metadata)

    def run_sql(self, sql: str, *, source: str = "default") -> list[list[Any]]:
        """Rows of a read-only query (header row first), through `/v2/query` run_sql."""
        body = {"type": "run_sql", "args": {"source": source, "sql": sql, "read_only": True}}
        answer = self.read(body, route=QUERY_ROUTE)
        rows = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise HasuraPermError(f"{self.shown_endpoint} answered run_sql without result rows")
        return rows

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
            return self._exchange(METADATA_ROUTE, body)
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

    def _exchange(self, route: str, body: dict[str, Any]) -> Any:
        response = self._post(route, body)
        payload = _json_of(response)
        if response.status_code == 200 and payload is not _NOT_JSON:
            return payload
        if response.status_code in TRANSIENT_STATUSES:
            raise _Transient(self._status_reason(response, payload))
        if response.status_code == 200:  # a success whose body got lost or mangled on the way
            raise _Transient(
                f"{self.shown_endpoint} answered HTTP 200 with a body that is not JSON"
            )
        not_hasura = not isinstance(payload, dict) or "error" not in payload
        if response.status_code == 404 or not_hasura:  # 404: no metadata API at this path
            raise HasuraPermError(
                self._scrub(
                    f"{self.shown_endpoint}{route} did not answer like a Hasura metadata API "
                    f"(HTTP {response.status_code}); check {self.endpoint_source}"
                )
            )
        raise self._api_error(response.status_code, payload)

    def _post(self, route: str, body: dict[str, Any]) -> requests.Response:
        headers = {
            SECRET_HEADER: self._secret,
            "Content-Type": "application/json",
            "User-Agent": f"hasura-perm/{__version__}",
        }
        data = json.dumps(body, ensure_ascii=False).encode()
        timeout = (min(self.timeout, MAX_CONNECT_TIMEOUT), self.timeout)
        self.requests_sent += 1
        try:
            # A fresh connection per request: a pooled keep-alive connection that the server
            # closed while the user read the plan would make a write fail before it was sent.
            return requests.post(self.endpoint + route, data=data, headers=headers, timeout=timeout)
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
        error = payload.get("error") if isinstance(payload, dict) else None
        detail = f": {_one_line(str(error))}" if error else ""
        return f"{self.shown_endpoint} answered HTTP {response.status_code}{detail}"

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


def _setting(env: Environment, key: str, default: float) -> float:
    value = env.settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise HasuraPermError(
            f"`{key}` of environment {env.name!r} in hasura-perm.yaml must be a number >= 0"
        )
    return float(value)


def _json_of(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return _NOT_JSON


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check_endpoint(endpoint: str, *, insecure: bool) -> str:
    """`endpoint` if it is an http(s) URL we may send the admin secret to."""
    parts = urlsplit(endpoint)
    shown = redact_url(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HasuraPermError(f"endpoint {shown!r} is not an http:// or https:// URL")
    if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise HasuraPermError(
            f"refusing to send the admin secret over plain http to {parts.hostname}: use an "
            "https:// endpoint, or pass --insecure (or set `insecure: true` on the environment) "
            "if the network is trusted"
        )
    return endpoint


def redact_url(text: str) -> str:
    """`text` with the password of any URL in it replaced by ***."""
    return re.sub(r"(://[^:/@\s]*:)[^/@\s]*@", r"\1***@", text)


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
