"""Statement boundaries and lines of SQL scripts (PostgreSQL parses each statement)."""

from __future__ import annotations

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.schema.sqlscript import split_statements

SCRIPT = """\
-- a comment; with a semicolon
SELECT 'a;b', E'it\\'s;', "odd;name" FROM t;
/* a /* nested ; */ comment */ CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN NEW.x := 1; RETURN NEW; END;
$body$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN true THEN 1 END; SELECT 2;
END;
CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);
\\restrict abc123
COPY public.t (a, b) FROM stdin;
1\tx;y
\\.
SELECT $1, a$b$c FROM t
"""


def test_statements_and_their_lines():
    found = split_statements(SCRIPT, "s.sql")
    assert [(s.line, s.text.split()[0], s.text.split()[1]) for s in found] == [
        (2, "SELECT", "'a;b',"),
        (3, "CREATE", "FUNCTION"),
        (6, "CREATE", "FUNCTION"),
        (10, "CREATE", "RULE"),
        (15, "SELECT", "$1,"),
    ]
    assert found[1].text.endswith("$body$")
    assert found[2].text.endswith("END")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT 1;\nSELECT 'open", "s.sql:2: unterminated quoted text"),
        ("SELECT $x$ body", "s.sql:1: unterminated $x$-quoted body"),
        ("SELECT 1; /* open", "unterminated /* comment"),
        ("SELECT 1;\n\\connect other\n", "s.sql:2: psql meta-command `\\connect` is not SQL"),
        ("COPY t FROM stdin;\n1\n", "unterminated COPY data"),
    ],
)
def test_broken_scripts_name_file_and_line(text, message):
    with pytest.raises(HasuraPermError, match=None) as caught:
        split_statements(text, "s.sql")
    assert message in str(caught.value)
