"""Faults a test arms before driving a client: 5xx answers, hangs, dropped connections (before or
after the change is applied), answers of a proxy in front of the server (any status, body and
headers, given before the request reaches the server or after it was applied), and a concurrent
console edit right after an export."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

MAX_HANG_SECONDS = 30.0

DEFAULT_500_BODY = {"path": "$", "error": "stand-in: injected internal error", "code": "unexpected"}


@dataclass
class Fault:
    action: str  # "status" | "hang" | "drop_before" | "drop_after" | "proxy_before" | "proxy_after"
    request_type: str | None  # the body's `type` ("run_sql" on /v2/query); None matches any
    remaining: int
    status: int = 500
    body: Any = None
    seconds: float = 0.0
    then: str = "apply"  # after a hang: "apply" the request, or "drop" the connection unanswered
    raw: bytes = b""  # a proxy's answer: the body as sent
    headers: dict[str, str] | None = None  # a proxy's answer: headers (Content-Type included)
    skip: int = 0  # matching requests to let through untouched first

    def matches(self, request_type: str | None) -> bool:
        return self.request_type is None or self.request_type == request_type


@dataclass
class ConcurrentEdit:
    request: (
        dict[str, Any] | None
    )  # a metadata API request run as the console would; None: bump only


class Faults:
    """Armed faults, consumed in the order they were armed, each for `times` matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._edit: ConcurrentEdit | None = None
        self.stopping = threading.Event()

    def fail_next(
        self,
        request_type: str | None = None,
        *,
        times: int = 1,
        status: int = 500,
        body: Any = None,
    ) -> None:
        """Answer the next matching request(s) with `status` and `body`, without running them."""
        self._arm(
            Fault("status", request_type, times, status=status, body=body or DEFAULT_500_BODY)
        )

    def hang_next(
        self,
        seconds: float,
        request_type: str | None = None,
        *,
        times: int = 1,
        then: str = "apply",
    ) -> None:
        """Sleep before handling, then `"apply"` (run and answer) or `"drop"` (close unanswered)."""
        if then not in ("apply", "drop"):
            raise ValueError("then must be 'apply' or 'drop'")
        seconds = min(float(seconds), MAX_HANG_SECONDS)
        self._arm(Fault("hang", request_type, times, seconds=seconds, then=then))

    def drop_next(
        self,
        request_type: str | None = None,
        *,
        when: str = "before",
        times: int = 1,
        skip: int = 0,
    ) -> None:
        """Close the connection without an answer, `before` running the request or `after` it was
        applied (metadata and resource_version changed, the client never hears of it), after
        letting `skip` matching requests through."""
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        self._arm(Fault(f"drop_{when}", request_type, times, skip=skip))

    def proxy_answer_next(
        self,
        request_type: str | None = None,
        *,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        when: str = "after",
        times: int = 1,
    ) -> None:
        """Answer as a proxy in front of the server would: `status`, the raw `body` and `headers`,
        `before` the request reaches the server, or `after` the server ran (and applied) it, its
        own answer lost (a gateway timeout, an origin error page)."""
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        headers = {"Content-Type": "text/html; charset=utf-8"} | (headers or {})
        self._arm(
            Fault(f"proxy_{when}", request_type, times, status=status, raw=body, headers=headers)
        )

    def edit_after_next_export(self, request: dict[str, Any] | None = None) -> None:
        """Right after the next `export_metadata` is answered (its body already computed), apply
        `request` as a console user would, bumping resource_version once."""
        with self._lock:
            self._edit = ConcurrentEdit(request)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._edit = None

    def take(self, request_type: str | None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(request_type) and fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.matches(request_type):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def take_edit(self) -> ConcurrentEdit | None:
        with self._lock:
            edit, self._edit = self._edit, None
            return edit

    def _arm(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(fault)
