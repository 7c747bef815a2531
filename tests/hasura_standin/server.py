"""The stand-in server: Hasura v2's metadata API over real HTTP, backed by real Postgres catalogs.

Routes: `POST /v1/metadata`, `POST /v2/query` (run_sql), `POST /v1/graphql` (insert_<table>_one
only, graphql.py), `GET /healthz`, `GET /v1/version`.
Authentication as `getUserInfoWithExpTime` with only an admin secret configured
(Hasura/Server/Auth.hs); authorization as `authorizeV1MetadataApi` / `authorizeV2QueryApi`.
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

from . import commands
from . import graphql
from . import metadata as md
from . import run_sql
from .catalog import Catalog
from .catalog import load_catalog
from .errors import HasuraError
from .faults import Faults

ADMIN_SECRET_HEADER = "x-hasura-admin-secret"
ACCESS_KEY_HEADER = "x-hasura-access-key"  # deprecated alias the server still reads
ROLE_HEADER = "x-hasura-role"
SERVER_VERSION = "v2.48.0-standin"


@dataclass
class RequestRecord:
    """One request as the server saw it, for tests that check what a client sent."""

    path: str
    type: str | None
    body: Any
    status: int | None  # None: the connection was dropped without an answer
    outcome: str  # "answered" | "fault" | "dropped_before" | "dropped_after" | "proxy_..."


class _Dropped(Exception):
    """Close the connection without answering."""


class _ProxyAnswer(Exception):
    """Answer with a proxy's status, raw body and headers instead of the server's answer."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers


class StandinServer:
    """A running stand-in; use as a context manager or call start() and stop().

    `database_url` backs the source `default`; `sources` maps more source names to databases.
    The admin secret is random unless given; send `headers` with every API request.
    """

    def __init__(
        self,
        database_url: str,
        *,
        admin_secret: str | None = None,
        sources: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.admin_secret = admin_secret or f"standin-{secrets.token_hex(8)}"
        self.sources = dict(sources or {"default": database_url})
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self.edit_results: list[tuple[int, Any]] = []
        # HASURA_GRAPHQL_ENABLE_MAINTENANCE_MODE and the read-only mode (runMetadataQuery)
        self.maintenance_mode = False
        self.read_only_mode = False
        # HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS, and the remote schemas' own SDL
        # (what the engine introspects) for the tests that model the subset check
        self.remote_schema_permissions = True
        self.remote_upstream: dict[str, str] = {}
        self._metadata = md.empty_metadata(list(self.sources))
        self._resource_version = 1
        self._lock = threading.Lock()
        self._httpd = _QuietHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def start(self) -> StandinServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="hasura-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.faults.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def headers(self) -> dict[str, str]:
        return {ADMIN_SECRET_HEADER: self.admin_secret}

    # -- state, for tests to seed and inspect without HTTP

    @property
    def resource_version(self) -> int:
        return self._resource_version

    def set_resource_version(self, value: int) -> None:
        with self._lock:
            self._resource_version = value

    def execute(self, body: Any) -> tuple[int, Any]:
        """Run one `/v1/metadata` request as admin, exactly as over HTTP but without faults."""
        with self._lock:
            return self._metadata_request(body, role="admin")

    def seed(self, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Replace the metadata (inconsistency allowed), one resource_version bump; returns the
        inconsistent objects."""
        body = {
            "type": "replace_metadata",
            "args": {"allow_inconsistent_metadata": True, "metadata": metadata},
        }
        status, result = self.execute(body)
        if status != 200:
            raise AssertionError(f"seeding the stand-in failed: {result}")
        return result["inconsistent_objects"]

    def track_tables(self, *tables: str | tuple[str, str], source: str = "default") -> None:
        """Track tables (`"name"`, `"schema.name"` or `(schema, name)`), one request each."""
        for table in tables:
            if isinstance(table, tuple):
                schema, name = table
            else:
                schema, _, name = table.rpartition(".")
            spec = {"schema": schema or "public", "name": name}
            status, result = self.execute(
                {"type": "pg_track_table", "args": {"source": source, "table": spec}}
            )
            if status != 200:
                raise AssertionError(f"tracking {table} failed: {result}")

    def run_sql(self, sql: str, source: str = "default") -> None:
        """Run SQL on a source directly (no HTTP, no resource_version bump)."""
        query = run_sql.RunSql(sql, source, read_only=False, check_metadata_consistency=False)
        run_sql.execute(self.sources[source], query)

    def export(self) -> dict[str, Any]:
        """The current metadata as `export_metadata` v1 returns it."""
        with self._lock:
            return md.export(self._metadata)

    def inconsistent_objects(self) -> list[dict[str, Any]]:
        with self._lock:
            engine = self._engine()
            return [i.to_json() for i in engine.inconsistencies()]

    # -- request handling (called from handler threads)

    def _engine(self) -> commands.Engine:
        engine = commands.Engine(self._metadata, self._load_catalog, self._resource_version)
        engine.remote_schema_permissions = self.remote_schema_permissions
        engine.remote_upstream = self.remote_upstream
        return engine

    def _load_catalog(self, source: str) -> Catalog | None:
        url = self.sources.get(source)
        return None if url is None else load_catalog(url)

    def handle_metadata(self, body: Any, role: str) -> tuple[int, Any]:
        with self._lock:
            status, result = self._metadata_request(body, role)
            if status == 200 and isinstance(body, dict) and body.get("type") == "export_metadata":
                self._apply_concurrent_edit()
            return status, result

    def _metadata_request(self, body: Any, role: str) -> tuple[int, Any]:
        try:
            request = commands.parse_request(body, self._metadata)
            _authorize(role)
            engine = self._engine()
            result = engine.run(request, [])
            if request.modifies_metadata():
                self._check_modes()
                self._commit(engine, request.resource_version)
            return 200, result
        except HasuraError as err:
            return err.status, err.to_json()

    def _check_modes(self) -> None:
        """runMetadataQuery (Hasura/Server/API/Metadata.hs): after the command ran, before the
        metadata is stored (so before the resource_version check), a write is refused in
        maintenance mode (500, which wins over read-only mode) and in read-only mode (400)."""
        if self.maintenance_mode:
            raise HasuraError(500, "unexpected", "metadata cannot be modified in maintenance mode")
        if self.read_only_mode:
            raise HasuraError(400, "not-supported", "metadata cannot be modified in read-only mode")

    def _commit(self, engine: commands.Engine, referenced: int | None) -> None:
        """`setMetadata (fromMaybe current resource_version)`: checked after the command ran."""
        if referenced is not None and referenced != self._resource_version:
            raise HasuraError(
                409,
                "conflict",
                f"metadata resource version referenced ({referenced}) "
                "did not match current version",
            )
        self._metadata = engine.metadata
        self._resource_version += 1

    def _apply_concurrent_edit(self) -> None:
        edit = self.faults.take_edit()
        if edit is None:
            return
        if edit.request is None:
            self._resource_version += 1
            self.edit_results.append((200, {"message": "success"}))
        else:
            self.edit_results.append(self._metadata_request(edit.request, role="admin"))

    def handle_query(self, body: Any, role: str) -> tuple[int, Any]:
        with self._lock:
            try:
                query = run_sql.parse_run_sql(body)
                _authorize(role)
                url = self.sources.get(query.source)
                if url is None:
                    raise HasuraError(
                        400, "not-exists", f'source with name "{query.source}" does not exist'
                    )
                result = run_sql.execute(url, query)
                if query.rebuilds_schema_cache():
                    self._resource_version += 1
                return 200, result
            except HasuraError as err:
                return err.status, err.to_json()

    def health_text(self) -> str:
        return "WARN: inconsistent objects in schema" if self.inconsistent_objects() else "OK"


def _authorize(role: str) -> None:
    if role != "admin":
        raise HasuraError(400, "access-denied", "restricted access : admin only", ["args"])


def authenticate(headers: dict[str, str], admin_secret: str) -> str:
    """The caller's role, or the 401 the server gives when only an admin secret is configured."""
    sent = headers.get(ADMIN_SECRET_HEADER, headers.get(ACCESS_KEY_HEADER))
    if sent is None:
        raise HasuraError(
            401,
            "access-denied",
            "x-hasura-admin-secret/x-hasura-access-key required, but not found",
        )
    if sent != admin_secret:
        raise HasuraError(401, "access-denied", "invalid x-hasura-admin-secret/x-hasura-access-key")
    return headers.get(ROLE_HEADER, "admin")


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, injected drop) is expected here; anything else is not."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: StandinServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        standin = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    standin: StandinServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base signature
        pass  # keep test output clean

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/healthz":
            self._send(200, self.standin.health_text().encode(), "text/plain; charset=utf-8")
        elif self.path == "/v1/version":
            self._send_json(200, {"version": SERVER_VERSION})
        else:
            self._send_json(
                404, {"path": "$", "error": "resource does not exist", "code": "not-found"}
            )

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path not in ("/v1/metadata", "/v2/query", "/v1/graphql"):
            self._send_json(
                404, {"path": "$", "error": "resource does not exist", "code": "not-found"}
            )
            return
        record = RequestRecord(self.path, None, None, None, "answered")
        self.standin.requests.append(record)
        try:
            status, payload = self._handle(raw, record)
        except _Dropped:
            self.close_connection = True
            return
        except _ProxyAnswer as proxy:
            record.status = proxy.status
            self._send_raw(proxy.status, proxy.body, proxy.headers)
            return
        record.status = status
        self._send_json(status, payload)

    def _handle(self, raw: bytes, record: RequestRecord) -> tuple[int, Any]:
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            role = authenticate(headers, self.standin.admin_secret)
            body = _decode(raw)
        except HasuraError as err:
            return err.status, err.to_json()
        record.body = body
        record.type = body.get("type") if isinstance(body, dict) else None
        fault = self.standin.faults.take(record.type)
        if fault is not None and fault.action == "status":
            record.outcome = "fault"
            return fault.status, fault.body
        if fault is not None and fault.action == "hang":
            self.standin.faults.stopping.wait(fault.seconds)
            if fault.then == "drop" or self.standin.faults.stopping.is_set():
                fault.action = "drop_before"
        if fault is not None and fault.action == "drop_before":
            record.outcome = "dropped_before"
            raise _Dropped
        if fault is not None and fault.action == "proxy_before":
            record.outcome = "proxy_before"
            raise _ProxyAnswer(fault.status, fault.raw, fault.headers or {})
        if self.path == "/v1/metadata":
            result = self.standin.handle_metadata(body, role)
        elif self.path == "/v1/graphql":
            result = graphql.execute(self.standin, body, role)
        else:
            result = self.standin.handle_query(body, role)
        if fault is not None and fault.action == "drop_after":
            record.outcome = "dropped_after"
            raise _Dropped
        if fault is not None and fault.action == "proxy_after":
            record.outcome = f"proxy_after (server answered {result[0]})"
            raise _ProxyAnswer(fault.status, fault.raw, fault.headers or {})
        return result

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        self._send(status, data, "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self._send_raw(status, data, {"Content-Type": content_type})

    def _send_raw(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        # Code and status as `parseBody` (Server/App.hs: invalid-json, 400). GUESS: the text,
        # which is aeson's parser message for the particular bytes; the engine passes it through.
        raise HasuraError(400, "invalid-json", f"Error in $: {err}") from None
