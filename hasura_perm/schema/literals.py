"""Which literal values Hasura accepts for a column, in presets and boolean expressions.

Hasura reads both through `parseCollectableType` (server/src-lib/Hasura/Backends/Postgres/
DDL.hs), which calls `parsePGValue` (Hasura/Backends/Postgres/SQL/Value.hs):

    (_, String t) -> parseTyped <|> pure (PGValUnknown t)

A JSON value of the column's own kind (a number for an integer column, true/false for a
boolean) is used as it is; a non-string of another kind is refused; and any *string* that
does not parse as the column's kind is kept as text and sent to Postgres as a literal cast
to the column type (`toTxtValue` -> `withScalarTypeAnn`: `'9'::integer`). So a string is
valid exactly when Postgres' input function for the type accepts it; the Hasura console
writes every preset that way (`admin: "9"`, `confirmed: "True"`). `text_casts_to` mirrors
those input functions for the common types; for any other type (enums, domains, ranges...)
it accepts, as Hasura does, and leaves the verdict to Postgres.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from hasura_perm.schema.catalog import type_category

_INT_BOUNDS = {
    "smallint": 2**15,
    "int2": 2**15,
    "integer": 2**31,
    "int": 2**31,
    "int4": 2**31,
    "bigint": 2**63,
    "int8": 2**63,
}
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_UUID = re.compile(r"\{?([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}\}?")
# Postgres' datetime parser reads these words anywhere a date goes, with what follows
# (`now()`, `tomorrow 10:00`): checked as words, the rest is left to Postgres.
_DATE_WORD = re.compile(r"[-+]?(epoch|infinity|now|today|tomorrow|yesterday|allballs)(?=$|[\s(])")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(:(\d{2})(\.\d+)?)?")
_ZONE = re.compile(r"(Z|[+-]\d{1,2}(:?\d{2})?|[A-Za-z][A-Za-z/_+-]*)")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
_PG_SPACE = " \t\n\r\v\f"


def value_fits(value: Any, pg_type: str) -> bool:
    """Whether Hasura accepts `value` (None is NULL) as a literal of a `pg_type` column."""
    if value is None:
        return True
    category = type_category(pg_type)
    if category in ("jsonb", "json"):
        return True  # any JSON value is a json value
    if isinstance(value, str):
        return text_casts_to(value, pg_type)
    if category == "integer":
        return _is_integral(value) and _in_bounds(int(value), pg_type)
    if category == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if category == "boolean":
        return isinstance(value, bool)
    if category == "text" or _base(pg_type) in _STRING_ONLY:
        return False  # Hasura's parser wants a JSON string for these
    return True


_STRING_ONLY = frozenset(
    {
        "uuid",
        "date",
        "timestamp with time zone",
        "timestamp without time zone",
        "timestamptz",
        "timestamp",
        "time with time zone",
        "time without time zone",
        "timetz",
        "time",
    }
)


def text_casts_to(text: str, pg_type: str) -> bool:
    """Whether Postgres' input function for `pg_type` accepts `text`."""
    base = _base(pg_type)
    category = type_category(pg_type)
    if category == "integer":
        body = text.strip(_PG_SPACE)
        return bool(_INTEGER.fullmatch(body)) and _in_bounds(int(body), base)
    if category == "number":
        return _is_number(text.strip(_PG_SPACE), base)
    if category == "boolean":
        return _is_boolean(text)
    if category in ("jsonb", "json"):
        return _is_json(text)
    if base == "uuid":
        return bool(_UUID.fullmatch(text.strip(_PG_SPACE)))
    if base == "date":
        return _is_date(text.strip(_PG_SPACE))
    if base.startswith("timestamp"):
        return _is_date(text.strip(_PG_SPACE))
    if base.startswith("time"):
        return _is_time(text.strip(_PG_SPACE))
    return True  # text, enums, domains, and types we do not mirror: Postgres decides


def _base(pg_type: str) -> str:
    """`numeric(10,2)` -> `numeric`, `public.foo` -> `foo`, lower case."""
    return re.sub(r"\(.*?\)", "", pg_type.lower().removeprefix("public.")).strip()


def _is_integral(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _in_bounds(number: int, pg_type: str) -> bool:
    bound = _INT_BOUNDS.get(_base(pg_type), 2**63)
    return -bound <= number < bound


def _is_number(body: str, base: str) -> bool:
    if _NUMBER.fullmatch(body):
        return True
    special = body.lower().lstrip("+-")
    if base in ("real", "double precision", "float4", "float8"):
        return special in ("nan", "inf", "infinity")
    return base == "numeric" and special in ("nan", "infinity", "inf")


def _is_boolean(text: str) -> bool:
    # boolin (src/backend/utils/adt/bool.c): trimmed, case-insensitive, any unique prefix
    # of true/false/yes/no ("on"/"off" need two letters), or 1/0.
    word = text.strip(_PG_SPACE).lower()
    if not word:
        return False
    if word[0] == "o":
        return len(word) >= 2 and ("on".startswith(word) or "off".startswith(word))
    return any(full.startswith(word) for full in _TRUE + _FALSE)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _is_date(body: str) -> bool:
    if _DATE_WORD.match(body.lower()):
        return True
    body = re.sub(r"\s+BC$", "", body, flags=re.IGNORECASE)
    match = _DATE.match(body)
    if match is None:
        return _is_other_date_form(body)
    year, month, day = (int(g) for g in match.groups())
    try:
        datetime.date(max(year, 1), month, day)
    except ValueError:
        return False
    rest = body[match.end() :].lstrip("T ").strip()
    return not rest or _is_time(rest)  # date_in also reads and drops a time part


def _is_other_date_form(body: str) -> bool:
    # Postgres also reads `01/02/2024`, `Jan 2 2024`, `20240102`...; accept what has the
    # shape of one and leave the detail to Postgres, as Hasura does.
    return bool(re.fullmatch(r"[\w/.,: +-]+", body)) and bool(re.search(r"\d", body))


def _is_time(body: str) -> bool:
    if _DATE_WORD.match(body.lower()):
        return True
    match = _TIME.match(body)
    if match is None:
        return False
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(4) or 0)
    if hours > 24 or minutes > 59 or seconds > 60:
        return False
    zone = body[match.end() :].strip()
    return not zone or bool(_ZONE.fullmatch(zone))
