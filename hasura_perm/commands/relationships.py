"""`hasura-perm relationships suggest|add`: the foreign-key relationships of the snapshot,
named as the Hasura console names them, into the metadata table files."""

from __future__ import annotations

import argparse
import fnmatch

from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.directory import merge_permissions
from hasura_perm.metadata.directory import new_table_entry
from hasura_perm.metadata.directory import planned_files
from hasura_perm.metadata.directory import read_metadata
from hasura_perm.metadata.directory import stale_files
from hasura_perm.metadata.directory import write_files
from hasura_perm.schema.relationships import Suggestion
from hasura_perm.schema.relationships import add_to_entry
from hasura_perm.schema.relationships import suggest
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.spec.project import Project
from hasura_perm.spec.project import load_project

NAME = "relationships"
HELP = "Suggest or add the relationships the schema's foreign keys give (as the console does)."
DESCRIPTION = """\
Conditions through relationships (`{organization: {...}}`) need the relationship in the
Hasura metadata table files (metadata/databases/<source>/tables/<schema>_<table>.yaml);
the schema snapshot's foreign keys alone are not enough, exactly as in Hasura.

`suggest` prints, per table, the relationships the foreign keys give that the metadata does
not have yet, named as the Hasura console's suggestions name them: an object relationship
after the referenced table in the singular (documents.organization_id -> `organization`),
an array relationship after the referencing table in the plural (`documents`), and
`<name>By<Columns>` when the name is taken. `add` writes them into the table files (a new
table file tracks the table, as the console's "track all" does). Existing relationships
are never changed, renamed or removed.

examples:
  hasura-perm relationships suggest
  hasura-perm relationships add --table public.documents
  hasura-perm relationships add              # every table of the snapshot
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="relationships_command", metavar="SUBCOMMAND", required=True)
    for name, help_text in (
        ("suggest", "print the relationships the foreign keys give, as metadata YAML"),
        ("add", "write them into the metadata table files (existing ones are kept)"),
    ):
        command = sub.add_parser(
            name,
            help=help_text,
            description=DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_argument(
            "--table",
            action="append",
            metavar="T",
            help="only this table (schema.table, table, or a pattern like 'public.doc*'; repeat "
            "for more); default: every table of the snapshot",
        )


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    snapshot = load_snapshot(project.schema_file, project.relative(project.schema_file))
    meta = read_metadata(project.metadata_dir, project.source)
    only = _selected(snapshot, args.table)
    found = suggest(snapshot, {t: f.entry for t, f in meta.tables.items()}, only)
    if args.relationships_command == "suggest":
        print(_suggest_text(project, found), end="")
        return ExitCode.OK
    if not found:
        print("No relationships to add: the metadata has every one the foreign keys give.")
        return ExitCode.OK
    entries = {}
    for table in sorted({s.table for s in found}):
        existing = meta.tables[table].entry if table in meta.tables else new_table_entry(table)
        ours = [s for s in found if s.table == table]
        entries[table] = merge_permissions(add_to_entry(existing, ours), (), set())
    files = stale_files(planned_files(meta, entries))
    write_files(files, inside=project.metadata_dir, show=project.relative)
    print(f"Added {len(found)} relationship(s) to {len(entries)} table(s):")
    for s in found:
        print(f"  {s.table}: {s.kind} relationship `{s.name}` -> {s.target}")
    for path in sorted(files):
        print(f"  wrote {project.relative(path)}")
    return ExitCode.OK


def _selected(snapshot: Snapshot, patterns: list[str] | None) -> set[TableName] | None:
    if not patterns:
        return None
    chosen = set()
    for pattern in patterns:
        full = pattern if "." in pattern else f"public.{pattern}"
        matched = {t for t in snapshot.tables if fnmatch.fnmatchcase(str(t), full)}
        if not matched:
            raise HasuraPermError(f"--table {pattern}: no such table in the schema snapshot")
        chosen |= matched
    return chosen


def _suggest_text(project: Project, found: list[Suggestion]) -> str:
    if not found:
        return "No suggestions: the metadata has every relationship the foreign keys give.\n"
    out = [
        f"# {len(found)} relationship(s) the foreign keys give; "
        "`hasura-perm relationships add` writes them.\n"
    ]
    for table in sorted({s.table for s in found}):
        ours = [s for s in found if s.table == table]
        out.append(f"# {table}\n")
        block = {}
        for kind in ("object", "array"):
            entries = [s.entry() for s in ours if s.kind == kind]
            if entries:
                block[f"{kind}_relationships"] = entries
        out.append(yamlfmt.dump(block))
    return "".join(out)
