"""Edit the user's hasura-perm.yaml in place: comments, order and layout survive
(ruamel.yaml round trip), only the one key changes."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.metadata.directory import write_files


def set_key(path: Path, key: str, value: str, *, after: str | None = None) -> None:
    """Set top-level `key` to `value`; a new key goes after `after` when that key exists,
    else at the end."""
    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's long lines
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text) if text.strip() else CommentedMap()
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise HasuraPermError(f"{path}: expected a mapping at the top level")
    if key in data:
        data[key] = value
    elif after is not None and after in data:
        data.insert(list(data).index(after) + 1, key, value)
    else:
        data[key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    write_files({path: out.getvalue()})
