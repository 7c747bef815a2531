"""The schema snapshot: tables, column types and keys, so compile works offline.

Written by `hasura-perm schema pull`; read by compile, lint and permission tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.core import located_cache as parse_cache
from hasura_perm.core import validate
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.core.paths import file_name_problem
from hasura_perm.core.yaml_source import Document
from hasura_perm.schema.pgtypes import is_type_name

SNAPSHOT_HEADER = "# Schema snapshot written by `hasura-perm schema pull`; do not edit by hand.\n"


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    references: TableName
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: TableName
    kind: str
    columns: dict[str, str]  # column name -> Postgres type, in table order
    nullable: frozenset[str]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    unique: tuple[tuple[str, ...], ...]
    generated: frozenset[str] = frozenset()  # identity ALWAYS / generated STORED columns


@dataclass(frozen=True)
class Function:
    """A function Hasura can track: it returns rows of `returns` (SETOF table, or one row)."""

    name: TableName
    returns: TableName
    volatility: str | None = None  # immutable, stable, volatile (None: an older snapshot)


@dataclass(frozen=True)
class Snapshot:
    tables: dict[TableName, Table]
    document: Document | None = None  # for error locations, when loaded from a file
    functions: dict[TableName, Function] = field(default_factory=dict)

    def table(self, name: TableName) -> Table | None:
        return self.tables.get(name)


def load_snapshot(
    path: Path, display_name: str | None = None, *, root: Path | None = None
) -> Snapshot:
    if not path.is_file() and not path.is_symlink():
        raise HasuraPermError(
            f"schema snapshot {display_name or path} does not exist; create it with "
            "`hasura-perm schema pull --database-url URL` (or set `schema:` in hasura-perm.yaml)"
        )
    doc = parse_cache.load_file(path, display_name, root=root)
    problems = validate.check(doc, "snapshot") or _name_problems(doc)
    if problems:
        raise SpecError(problems)
    return snapshot_from_data(doc.data, doc)


def _name_problems(doc: Document) -> list[Diagnostic]:
    """Table names become metadata file names and column types are pasted into the SQL of
    permission tests: both must be what Postgres can have."""
    problems = []
    for key, spec in doc.data["tables"].items():
        name = TableName.parse(key)
        for part, what in ((name.schema, "schema"), (name.name, "table")):
            problem = file_name_problem(part, what)
            if problem:
                problems.append(Diagnostic(doc.locate(("tables", key)), problem))
        for column, pg_type in spec["columns"].items():
            if not is_type_name(pg_type):
                problems.append(
                    Diagnostic(
                        doc.locate(("tables", key, "columns", column)),
                        f"column `{column}`: {pg_type!r} is not a Postgres type name "
                        "(write it as `hasura-perm schema pull` does, e.g. `integer`, "
                        "`character varying`, `text[]`)",
                    )
                )
    return problems


def snapshot_from_data(data: dict[str, Any], document: Document | None = None) -> Snapshot:
    tables = {}
    for key, spec in data["tables"].items():
        name = TableName.parse(key)
        tables[name] = Table(
            name=name,
            kind=spec.get("kind", "table"),
            columns=dict(spec["columns"]),
            nullable=frozenset(spec.get("nullable", ())),
            primary_key=tuple(spec.get("primary_key", ())),
            foreign_keys=tuple(
                ForeignKey(
                    name=fk.get("name", ""),
                    columns=tuple(fk["columns"]),
                    references=TableName.parse(fk["references"]),
                    ref_columns=tuple(fk["ref_columns"]),
                )
                for fk in spec.get("foreign_keys", ())
            ),
            unique=tuple(tuple(u) for u in spec.get("unique", ())),
            generated=frozenset(spec.get("generated", ())),
        )
    functions = {
        TableName.parse(key): Function(
            TableName.parse(key), TableName.parse(spec["returns"]), spec.get("volatility")
        )
        for key, spec in (data.get("functions") or {}).items()
    }
    return Snapshot(tables, document, functions)
