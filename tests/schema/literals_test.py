"""Which literals Hasura accepts for a column: values of the column's kind, and any string
Postgres' input function for the type accepts (Hasura casts strings: parsePGValue)."""

from __future__ import annotations

from typing import Any

import pytest

from hasura_perm.schema.literals import value_fits

ACCEPTED = [
    ("9", "integer"),
    (" -9\n", "integer"),
    ("+7", "smallint"),
    ("9223372036854775807", "bigint"),
    (9.0, "integer"),
    ("1.5", "numeric"),
    (" .5e-3 ", "numeric(10,2)"),
    ("NaN", "numeric"),
    ("-Infinity", "double precision"),
    ("True", "boolean"),
    ("  f ", "boolean"),
    ("YES", "boolean"),
    ("of", "boolean"),
    ("1", "boolean"),
    ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "uuid"),
    ("{A0EEBC999C0B4EF8BB6D6BB9BD380A11}", "uuid"),
    ("2024-02-29", "date"),
    ("today", "date"),
    ("2024-01-02 10:00:00.5+02", "timestamp with time zone"),
    ("2024-01-02T10:00:00Z", "timestamp without time zone"),
    ("now", "timestamptz"),
    ("now()", "timestamp with time zone"),  # seen in a real project's filter
    ("tomorrow 10:00", "timestamp without time zone"),
    ("Jan 2 2024", "date"),
    ("2024-01-02 10:00 Europe/Paris", "timestamptz"),
    ("10:30", "time without time zone"),
    ('{"a": 1}', "jsonb"),
    ("not json", "jsonb"),  # a JSON string value: Hasura sends it as the json string
    (5, "jsonb"),
    ("anything", "text"),
    ("active", "order_status"),  # an enum: Postgres decides
    (5, "order_status"),
    ("{1,2}", "integer[]"),
    (None, "integer"),
]

REFUSED = [
    ("nine", "integer"),
    ("9.5", "integer"),
    ("40000", "smallint"),
    ("", "integer"),
    (True, "integer"),
    (1.5, "integer"),
    ("ten", "numeric"),
    (True, "numeric"),
    ("o", "boolean"),
    ("maybe", "boolean"),
    ("", "boolean"),
    (1, "boolean"),
    ("not-a-uuid", "uuid"),
    (5, "uuid"),
    ("2024-02-30", "date"),
    ("yesterday-ish", "date"),
    (20240102, "date"),
    ("25:00", "time"),
    (5, "text"),
    (False, "character varying"),
]


@pytest.mark.parametrize(("value", "pg_type"), ACCEPTED)
def test_accepted(value: Any, pg_type: str) -> None:
    assert value_fits(value, pg_type)


@pytest.mark.parametrize(("value", "pg_type"), REFUSED)
def test_refused(value: Any, pg_type: str) -> None:
    assert not value_fits(value, pg_type)
