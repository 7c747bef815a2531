"""Facts lint needs beyond the snapshot, read from a PostgreSQL catalog: which tables a
view reads, and which columns BEFORE row triggers always overwrite."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import psycopg

from hasura_perm.core.names import TableName
from hasura_perm.schema.triggers import assigned_columns

# The relations each view's rewrite rule depends on: every table it reads, at any depth
# of its query (joins, subqueries), as PostgreSQL resolved them.
VIEW_SOURCES_SQL = r"""
SELECT DISTINCT vn.nspname::text, v.relname::text, tn.nspname::text, t.relname::text
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_catalog.pg_depend d
  ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
 AND d.refclassid = 'pg_catalog.pg_class'::regclass
JOIN pg_catalog.pg_class t ON t.oid = d.refobjid AND t.oid <> v.oid
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
WHERE v.relkind IN ('v', 'm') AND vn.nspname NOT LIKE 'pg\_%'
  AND vn.nspname <> 'information_schema'
ORDER BY 1, 2, 3, 4
"""

# BEFORE ... FOR EACH ROW triggers without WHEN and without UPDATE OF columns (those fire
# only sometimes), calling a PL/pgSQL function. tgtype bits: 1 row, 2 before, 4 insert,
# 16 update, 64 instead of.
TRIGGERS_SQL = r"""
SELECT n.nspname::text, c.relname::text, t.tgtype::int, p.prosrc
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE NOT t.tgisinternal AND t.tgqual IS NULL AND t.tgattr = ''::int2vector
  AND t.tgtype & 3 = 3 AND t.tgtype & 64 = 0 AND l.lanname = 'plpgsql'
ORDER BY 1, 2, t.tgname
"""

EVENTS = {"insert": 4, "update": 16}


@dataclass
class DatabaseFacts:
    view_sources: dict[TableName, tuple[TableName, ...]] = field(default_factory=dict)
    # table -> "insert"/"update" -> columns a BEFORE row trigger always overwrites
    filled: dict[TableName, dict[str, set[str]]] = field(default_factory=dict)


def read_facts(conn: psycopg.Connection) -> DatabaseFacts:
    facts = DatabaseFacts()
    sources: dict[TableName, list[TableName]] = {}
    for schema, view, ref_schema, ref in conn.execute(VIEW_SOURCES_SQL).fetchall():
        sources.setdefault(TableName(schema, view), []).append(TableName(ref_schema, ref))
    facts.view_sources = {name: tuple(refs) for name, refs in sources.items()}
    for schema, table, tgtype, body in conn.execute(TRIGGERS_SQL).fetchall():
        for column, ops in assigned_columns(body or "").items():
            for event, bit in EVENTS.items():
                if tgtype & bit and (ops is None or event in ops):
                    by_event = facts.filled.setdefault(TableName(schema, table), {})
                    by_event.setdefault(event, set()).add(column)
    return facts
