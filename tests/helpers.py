"""Build hasura-perm projects on disk and run the CLI in-process, for tests.

A project is real files in a temporary folder: hasura-perm.yaml, permissions/*.yaml,
the schema snapshot and, optionally, a Hasura CLI v3 metadata/ directory.
"""

from __future__ import annotations

import contextlib
import io
import os
import textwrap
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hasura_perm import cli
from hasura_perm.compiler.build import Build
from hasura_perm.compiler.build import build
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.spec.project import load_project

Content = str | bytes | Mapping[str, Any] | list[Any]

# A schema most tests can share: two related tables, a second schema, and the
# `moped_*` family for pattern tests. Column order is table order (not sorted).
DEFAULT_SCHEMA: dict[str, Any] = {
    "public.users": {
        "columns": {
            "id": "integer",
            "email": "text",
            "name": "character varying",
            "org_id": "integer",
            "is_active": "boolean",
            "profile": "jsonb",
            "legacy": "json",
            "tags": "text[]",
        },
        "primary_key": ["id"],
    },
    "public.notes": {
        "columns": {
            "id": "integer",
            "title": "text",
            "body": "text",
            "author_id": "integer",
            "org_id": "integer",
            "is_deleted": "boolean",
            "score": "numeric",
            "created_at": "timestamp with time zone",
            "created_by": "integer",
            "updated_by": "integer",
        },
        "primary_key": ["id"],
        "foreign_keys": [
            {
                "name": "notes_author_id_fkey",
                "columns": ["author_id"],
                "references": "public.users",
                "ref_columns": ["id"],
            }
        ],
    },
    "public.moped_project": {"columns": {"id": "integer", "project_id": "integer", "name": "text"}},
    "public.moped_proj_notes": {"columns": {"id": "integer", "note": "text"}},
    "audit.log": {"columns": {"id": "bigint", "message": "text"}},
}

# Session variables and roles most tests can share.
# The smallest roles file and one table rule: shared by the CLI and metadata-directory tests.
ROLES = """\
session:
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
roles:
  viewer: {}
  editor: {inherits: viewer}
"""
NOTES_RULES = """\
table: public.notes
select:
  viewer: {columns: [id, title], filter: {}}
"""

ROLES_FILE = """\
session:
  x-hasura-user-id: {from: sub}
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
  x-hasura-org-id: {from: "custom:org_id", type: integer}
roles:
  viewer: {description: Reads}
  editor: {inherits: viewer}
"""


def text_of(content: Content) -> str | bytes:
    """File content: strings are dedented, data is dumped as block YAML in key order."""
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return textwrap.dedent(content)
    return yaml.dump(
        content,
        Dumper=_NoAliasDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
    )


class _NoAliasDumper(yaml.SafeDumper):
    """Shared values are written out each time: the metadata reader refuses anchors, as
    files the Hasura CLI writes never have them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write(root: Path, relative: str, content: Content) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text_of(content)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def schema_document(tables: Mapping[str, Any]) -> dict[str, Any]:
    return {"tables": dict(tables)}


def make_project(
    root: Path,
    files: Mapping[str, Content] | None = None,
    *,
    schema: Mapping[str, Any] | str | None = None,
    config: Content = "version: 1\n",
    metadata: Mapping[str, Content] | None = None,
    source: str = "default",
) -> Path:
    """Write a project into `root` and return `root`.

    `files` maps paths under permissions/ to content; `schema` is the snapshot's
    `tables:` mapping (default DEFAULT_SCHEMA) or the file's text; `metadata` maps
    "schema.table" to a table file's content and writes a CLI v3 metadata directory.
    """
    root.mkdir(parents=True, exist_ok=True)
    write(root, "hasura-perm.yaml", config)
    for relative, content in (files or {}).items():
        write(root, f"permissions/{relative}", content)
    snapshot = schema_document(DEFAULT_SCHEMA) if schema is None else schema
    if isinstance(snapshot, Mapping) and "tables" not in snapshot:
        snapshot = schema_document(snapshot)
    write(root, "permissions/schema.yaml", snapshot)
    if metadata is not None:
        write_metadata(root / "metadata", metadata, source=source)
    return root


def write_metadata(
    metadata_dir: Path, tables: Mapping[str, Content], *, source: str = "default"
) -> None:
    """A Hasura CLI v3 metadata directory holding the given table files."""
    write(metadata_dir, "version.yaml", "version: 3\n")
    write(
        metadata_dir,
        "databases/databases.yaml",
        f"""\
        - name: {source}
          kind: postgres
          configuration:
            connection_info:
              database_url:
                from_env: HASURA_GRAPHQL_DATABASE_URL
              isolation_level: read-committed
              use_prepared_statements: false
          tables: "!include {source}/tables/tables.yaml"
        """,
    )
    names = sorted(tables, key=_schema_and_name)
    listing = "".join(f'- "!include {table_file_name(n)}"\n' for n in names) or "[]\n"
    write(metadata_dir, f"databases/{source}/tables/tables.yaml", listing)
    for name in names:
        write(metadata_dir, f"databases/{source}/tables/{table_file_name(name)}", tables[name])


def table_file_name(name: str) -> str:
    schema, table = _schema_and_name(name)
    return f"{schema}_{table}.yaml"


def table_file(root: Path, name: str, source: str = "default") -> Path:
    """Where compile writes the metadata of table `name`."""
    return root / "metadata" / "databases" / source / "tables" / table_file_name(name)


def _schema_and_name(name: str) -> tuple[str, str]:
    schema, _, table = name.rpartition(".")
    return schema or "public", table


def build_project(root: Path) -> Build:
    return build(load_project(root))


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def problems_of(root: Path) -> list[Problem]:
    """The problems compile reports for the project at `root` (it must fail)."""
    try:
        build_project(root)
    except SpecError as error:
        return [
            Problem(p.location.file, p.location.line, p.location.column, p.message)
            for p in error.problems
        ]
    raise AssertionError("expected compile to report problems, but it succeeded")


def assert_problem(
    problems: list[Problem], file: str, line: int, *fragments: str, column: int | None = None
) -> Problem:
    """The one problem at file:line whose message holds every fragment; fails otherwise."""
    for problem in problems:
        if (
            problem.file == file
            and problem.line == line
            and (column is None or problem.column == column)
            and all(f in problem.message for f in fragments)
        ):
            return problem
    listing = "\n".join(str(p) for p in problems) or "(none)"
    raise AssertionError(f"no problem at {file}:{line} containing {fragments!r}; got:\n{listing}")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line of `path` that contains `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found {occurrence} time(s) in {path}")


def column_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based column where `needle` starts on the line line_of() finds."""
    line = path.read_text(encoding="utf-8").splitlines()[line_of(path, needle, occurrence) - 1]
    return line.index(needle) + 1


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> content)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def tree_mtimes(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@contextlib.contextmanager
def working_directory(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_cli(*args: str, cwd: Path | None = None) -> CliResult:
    """Run `hasura-perm ARGS` in this process; argparse's exits become exit codes."""
    out, err = io.StringIO(), io.StringIO()
    place = working_directory(cwd) if cwd is not None else contextlib.nullcontext()
    with place, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())


def permission(result: Build, table: str, action: str, role: str) -> dict[str, Any] | None:
    """The compiled permission body of (table, action, role), or None when there is none."""
    found = result.compiled.get(TableName.parse(table), action, role)
    return None if found is None else found.body


def compiled_roles(result: Build, table: str, action: str) -> list[str]:
    """The roles that end up with an `action` permission on `table`."""
    return result.compiled.permissions.roles_of(TableName.parse(table), action)


# Metadata table files with relationships and a computed field, written as the CLI does.
NOTES_METADATA = """\
table:
  name: notes
  schema: public
object_relationships:
  - name: author
    using:
      foreign_key_constraint_on: author_id
  - name: owner
    using:
      manual_configuration:
        column_mapping:
          created_by: id
        insertion_order: null
        remote_table:
          name: users
          schema: public
computed_fields:
  - name: title_upper
    definition:
      function:
        name: note_title_upper
        schema: public
"""
USERS_METADATA = """\
table:
  name: users
  schema: public
array_relationships:
  - name: notes
    using:
      foreign_key_constraint_on:
        column: author_id
        table:
          name: notes
          schema: public
  - name: ghosts
    using:
      foreign_key_constraint_on:
        column: user_id
        table:
          name: ghosts
          schema: public
"""
