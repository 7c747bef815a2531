"""Postgres type names as `format_type` writes them (what `schema pull` records).

Column types from the snapshot are pasted into the SQL of `hasura-perm test` (casts such as
`'1'::integer`), so a type must be a type name and nothing else: `integer) OR (true` is
refused.
"""

from __future__ import annotations

import re

# The SQL-standard type names that are several words (format_type writes these spellings).
_MULTI_WORD = (
    "bit varying",
    "character varying",
    "double precision",
    "time with time zone",
    "time without time zone",
    "timestamp with time zone",
    "timestamp without time zone",
)
_IDENT = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"\x00-\x1f]|"")+")'
_NAME = rf"(?:{'|'.join(_MULTI_WORD)}|{_IDENT}(?:\.{_IDENT})?)"
_MODIFIER = r"(?:\(\d+(?:, ?\d+)?\))?"
_TYPE = re.compile(rf"{_NAME}{_MODIFIER}(?:\[\d*\])*", re.ASCII)


def is_type_name(text: str) -> bool:
    """Whether `text` is one (possibly schema-qualified, quoted or array) Postgres type name."""
    return _TYPE.fullmatch(text) is not None
