"""Names that become file names, and paths that must stay inside a folder.

Hasura takes table and schema names from Postgres, where an identifier is any text of at
most 63 bytes without NUL (NAMEDATALEN - 1; longer names are truncated, so no table has
one), and source names as any non-empty text (`SNName NonEmptyText` in the engine's
`Hasura.RQL.Types.Common`). The Hasura CLI pastes them into file names unchecked
(`fmt.Sprintf("%s_%s.yaml", schema, name)` in cli/internal/metadataobject/sources), so a
`/` or `..` in one would write outside metadata/. We accept what Postgres and Hasura
accept, except what cannot be one part of a file name.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hasura_perm.core.errors import HasuraPermError

PG_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1
FILE_NAME_BYTES = 200  # well under every file system's 255, leaving room for _ and .yaml


def file_name_problem(name: object, what: str, *, identifier: bool = True) -> str | None:
    """Why `name` (a table, schema or source name) cannot become part of a path, or None.

    `identifier`: a Postgres identifier (table, schema), limited to 63 bytes."""
    if not isinstance(name, str) or not name:
        return f"{what} name must be non-empty text"
    if name in (".", ".."):
        return f"{what} name `{name}` cannot be a file name"
    bad = next((ch for ch in name if ch in "/\\" or unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        return (
            f"{what} name {name!r} contains {_show_char(bad)}, which cannot be part of a "
            "file name in metadata/"
        )
    limit = PG_IDENTIFIER_BYTES if identifier else FILE_NAME_BYTES
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > limit:
        longest = "Postgres identifiers" if identifier else "names"
        return f"{what} name is {size} bytes long; {longest} have at most {limit}"
    return None


def _show_char(ch: str) -> str:
    return f"`{ch}`" if ch in "/\\" else f"the control character U+{ord(ch):04X}"


def is_inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every symbolic link on the way followed, lies under `folder`."""
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, RuntimeError, OSError):  # outside, or a looping link
        return False
    return True


def ensure_inside(path: Path, folder: Path, what: str) -> None:
    """Refuse to go on when `path` would leave `folder` (through `..` or a link)."""
    if not is_inside(path, folder):
        raise HasuraPermError(
            f"refusing to write {path}: it is outside {what} ({folder}); "
            "a name or link in the input points out of it"
        )
