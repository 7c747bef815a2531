"""Hasura's error value (QErr) and its JSON path, as `Hasura/Base/Error.hs` encodes them."""

from __future__ import annotations

import string
from typing import Any

PathPart = str | int

_FIRST_CHARS = set(string.ascii_letters + "_")
_OTHER_CHARS = set(string.ascii_letters + string.digits + "_-")

DOCS_URL = (
    "https://hasura.io/docs/latest/graphql/core/api-reference/metadata-api/index.html#metadata-apis"
)


def render_path(parts: list[PathPart]) -> str:
    """`encodeJSONPath`: `$`, `.key`, `[i]`, and `['key']` for keys with special characters."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part and part[0] in _FIRST_CHARS and all(c in _OTHER_CHARS for c in part[1:]):
            out += "." + part
        else:
            out += f"['{part}']"
    return out


class HasuraError(Exception):
    """One QErr: HTTP status, code, message, path, and the optional `internal` detail."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        path: list[PathPart] | None = None,
        internal: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.path: list[PathPart] = list(path or [])
        self.internal = internal

    def under(self, prefix: list[PathPart]) -> HasuraError:
        """The same error seen from an enclosing JSON value (`withPathK` / `withPathI`)."""
        self.path = list(prefix) + self.path
        return self

    def to_json(self) -> dict[str, Any]:
        # Key order as written in Error.hs (path, error, code, internal).
        body: dict[str, Any] = {
            "path": render_path(self.path),
            "error": self.message,
            "code": self.code,
        }
        if self.internal is not None:
            body["internal"] = self.internal
        return body


def bad_request(code: str, message: str, internal: Any = None) -> HasuraError:
    return HasuraError(400, code, message, internal=internal)


class ParseError(Exception):
    """A structural (aeson) failure at a JSON path, before anything runs."""

    def __init__(self, path: list[PathPart], message: str) -> None:
        super().__init__(message)
        self.path = list(path)
        self.message = message


def parse_failed(command: str, err: ParseError, prefix: list[PathPart]) -> HasuraError:
    """The wrapping newer servers put around a command's argument parse failure (issue #10457)."""
    message = (
        f"Error when parsing command {command}.\n"
        f"See our documentation at {DOCS_URL}.\n"
        f"Internal error message: {err.message}"
    )
    return HasuraError(400, "parse-failed", message, list(prefix) + err.path)


def json_type_name(value: Any) -> str:
    """aeson's name for a JSON value's type, as used in `expected X, but encountered Y`."""
    if isinstance(value, bool):
        return "Boolean"
    if value is None:
        return "Null"
    if isinstance(value, dict):
        return "Object"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, str):
        return "String"
    return "Number"
