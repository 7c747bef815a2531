"""`hasura-perm import`: adopt hasura-perm on an existing Hasura project."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from hasura_perm.commands.output import add_output_arguments
from hasura_perm.commands.output import chosen_format
from hasura_perm.commands.output import deprecated
from hasura_perm.commands.output import render
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.paths import ensure_inside
from hasura_perm.importer.config_edit import set_key
from hasura_perm.importer.run import ImportResult
from hasura_perm.importer.run import import_permissions
from hasura_perm.importer.sources import merged_read
from hasura_perm.importer.sources import merged_snapshot
from hasura_perm.importer.sources import source_file_names
from hasura_perm.importer.starter import metadata_from
from hasura_perm.importer.starter import relative_to
from hasura_perm.metadata.directory import write_files
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.read import read_export
from hasura_perm.metadata.read import read_metadata_dir
from hasura_perm.remote.client import Client
from hasura_perm.schema.files import is_sql
from hasura_perm.schema.files import load_schema_file
from hasura_perm.schema.replay import stderr_progress
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.spec.project import CONFIG_NAME
from hasura_perm.spec.project import Project
from hasura_perm.spec.project import find_root
from hasura_perm.spec.project import load_project

REPORT_SUFFIXES = (".json", ".txt", ".md", ".markdown")
NAME = "import"
HELP = "Write permissions/ from an existing Hasura project's metadata."
DESCRIPTION = """\
Read the permissions of an existing Hasura project (a `hasura metadata export` folder in
the CLI config v3 or v2 layout, a saved export_metadata JSON file, or a live server) and
write a permissions/ tree that says the same thing the way a person would: roles that
inherit from each other, defaults for rules many tables share, named conditions, column
sets and presets, and table files only for what is truly table-specific.

Before writing anything, import compiles the new files with the real compiler and checks
that they give exactly the permissions of the metadata (after the normalisation described
in docs/import.md). If they do not, or the metadata holds something the language cannot
express yet, it writes nothing and exits 1 with the list of what and where.

The schema snapshot (hasura-perm schema pull) is needed: it tells which lists mean `all`
or `all_except`, and it is what compile checks against later.

examples:
  hasura-perm schema pull --database-url postgresql://localhost/app
  hasura-perm import --metadata hasura/metadata
  hasura-perm import --metadata hasura/metadata --schema schema.yaml --into permissions --dry-run
  hasura-perm import --metadata hasura/metadata --out import-report.json
  hasura-perm import --env production        # export_metadata from a live server
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    origin = parser.add_mutually_exclusive_group(required=True)
    origin.add_argument(
        "--metadata",
        metavar="DIR",
        help="Hasura metadata folder (config v3 or v2), or an export_metadata JSON file",
    )
    origin.add_argument(
        "--env", metavar="NAME", help="read export_metadata from this environment's server"
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="with --env: allow a plain http:// endpoint that is not on this machine",
    )
    parser.add_argument(
        "--schema",
        metavar="FILE",
        help="schema to check against: a snapshot YAML or SQL (pg_dump, replayed into a "
        "throwaway PostgreSQL) (default: the project's snapshot, permissions/schema.yaml)",
    )
    parser.add_argument(
        "--into",
        metavar="DIR",
        help="folder to write (default: the project's permissions folder, else ./permissions)",
    )
    parser.add_argument(
        "--source", metavar="NAME", help="Hasura source (database) to import (default: default)"
    )
    parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    add_output_arguments(parser, "import")
    parser.add_argument("--report", metavar="FILE", help=argparse.SUPPRESS)  # old: --out FILE.json


def _old_spellings(args: argparse.Namespace) -> None:
    """`--report FILE` was the JSON report, and `--out DIR` the folder: both still work."""
    if args.report:
        deprecated("--report FILE", "--out FILE (JSON from the .json extension, or --format json)")
        args.out, args.format = args.report, args.format or "json"
    if args.out and Path(args.out).suffix.lower() not in REPORT_SUFFIXES:
        deprecated("`import --out DIR` for the permissions folder", "--into DIR")
        args.into, args.out = args.into or args.out, None


def run(args: argparse.Namespace) -> int:
    _old_spellings(args)
    project = _project(args.project, required=bool(args.env))
    if project is not None and project.several_sources and not args.source:
        return _run_sources(args, project)
    source = args.source or (project.source if project else None)
    read = _read(args, project, source)
    snapshot_path = _snapshot_path(args.schema, project)
    snapshot, _facts = load_schema_file(snapshot_path, progress=stderr_progress)
    out = (
        Path(args.into)
        if args.into
        else (project.permissions_dir if project else Path("permissions"))
    )
    if not args.dry_run:
        _refuse_existing(out, snapshot_path)
    result = import_permissions(read, snapshot)
    return _finish(args, project, result, out, snapshot_path, read)


def _run_sources(args: argparse.Namespace, project: Project) -> int:
    """Every source of the project at once (see importer/sources.py)."""
    if args.schema:
        raise HasuraPermError(
            "--schema names one source's schema; the project has several sources, each with "
            "its snapshot under `sources:` in hasura-perm.yaml (or pass --source NAME)"
        )
    sources = list(project.sources)
    read = merged_read(lambda source: _read(args, project, source), sources)
    snapshots = {
        one.source: load_snapshot(
            _snapshot_path(None, one), project.relative(one.schema_file), root=project.root
        )
        for one in project.each_source()
    }
    out = Path(args.into) if args.into else project.permissions_dir
    if not args.dry_run:
        _refuse_existing(out, *project.sources.values())
    result = import_permissions(read, merged_snapshot(snapshots))
    files = source_file_names(result.files, sources)
    result.report.files = {path: len(text.splitlines()) for path, text in files.items()}
    result = dataclasses.replace(result, files=files)
    return _finish(args, project, result, out, project.schema_file, read)


def _finish(
    args: argparse.Namespace,
    project: Project | None,
    result: ImportResult,
    out: Path,
    snapshot_path: Path,
    read: ReadMetadata,
) -> int:
    shown = f"{out}/" if not args.dry_run else f"{out}/ (dry run: nothing written)"
    files: dict[Path, str] = {}
    if args.out:  # first: a report path that cannot be written stops before anything else
        files[Path(args.out)] = render(args, result.report, shown=shown)
    note, metadata = "", None
    if not args.dry_run:
        ours = {out / relative: text for relative, text in result.files.items()}
        for path in ours:  # the imported files stay inside the folder they are written to
            ensure_inside(path, out, f"{out}/")
        files.update(ours)
        note, metadata = _adopt_metadata(project, args.metadata, read, files)
    write_files(files)
    if project is not None and metadata is not None:  # after the files: all or nothing
        set_key(project.root / CONFIG_NAME, "metadata", metadata, after="permissions")
    if args.out:
        print(f"Wrote the report ({chosen_format(args)}) to {args.out}.", file=sys.stderr)
    text_on_stdout = (
        chosen_format(args) == "text" if not args.out else chosen_format(args) != "text"
    )
    if text_on_stdout:
        print(render(args, result.report, "text", shown=shown), end="")
    elif not args.out:
        print(render(args, result.report, shown=shown), end="")
    if not args.dry_run:
        where = sys.stdout if text_on_stdout else sys.stderr
        print(note, end="", file=where)
        print(_next_steps(project, out, snapshot_path, args.metadata, read, metadata), file=where)
    return ExitCode.OK


def _adopt_metadata(
    project: Project | None, given: str | None, read: ReadMetadata, files: dict[Path, str]
) -> tuple[str, str | None]:
    """Make the suggested `compile` work as written: compile needs the metadata folder (its
    relationships). When the project's `metadata:` folder does not exist, point it at the
    imported CLI v3 folder (returned: the new `metadata:` value), or add to `files` a v3
    folder written from the tables read (v2 layout, JSON export, server)."""
    if project is None or project.metadata_dir.exists():
        return "", None
    configured = project.relative(project.metadata_dir)
    if given and read.layout == "config v3":
        relative = relative_to(_v3_folder(Path(given)), project.root)
        note = (
            f"{CONFIG_NAME}: `metadata:` now names {relative} ({configured}/ did not exist); "
            "compile updates the permissions there in place.\n"
        )
        return note, relative
    files.update(metadata_from(project.metadata_dir, read))
    note = (
        f"Wrote {configured}/ (it did not exist): the {len(read.tables)} tables of "
        f"{read.origin or read.layout} as a Hasura CLI v3 folder, relationships included.\n"
    )
    return note, None


def _v3_folder(folder: Path) -> Path:
    """The folder holding databases/ (a Hasura project folder has it under metadata/)."""
    if not (folder / "databases").is_dir() and (folder / "metadata" / "databases").is_dir():
        return folder / "metadata"
    return folder


def _project(project_dir: str | None, *, required: bool) -> Project | None:
    """The project, when there is one: import is often run before hasura-perm.yaml exists."""
    if project_dir or required:
        return load_project(project_dir)
    try:
        root = find_root(Path.cwd())
    except HasuraPermError:
        return None
    return load_project(root)


def _read(args: argparse.Namespace, project: Project | None, source: str | None) -> ReadMetadata:
    if args.metadata:
        return read_metadata_dir(Path(args.metadata), source)
    if project is None:
        raise HasuraPermError(f"--env needs a project ({CONFIG_NAME} with `environments:`)")
    environment = project.environment(args.env)
    client = Client.for_environment(environment, insecure=args.insecure)
    export = client.export_metadata(source)
    return read_export(export.metadata, source, file=f"export_metadata of {args.env}")


def _snapshot_path(schema: str | None, project: Project | None) -> Path:
    if schema:
        return Path(schema)
    if project is not None and project.schema_file.is_file():
        return project.schema_file
    where = project.relative(project.schema_file) if project else "permissions/schema.yaml"
    raise HasuraPermError(
        f"no schema snapshot: {where} does not exist. Write it first with `hasura-perm schema "
        "pull --database-url URL` (or `--env NAME`), or pass --schema FILE"
    )


def _refuse_existing(out: Path, *snapshots: Path) -> None:
    """Never mix imported files with existing ones: compile would read both."""
    if not out.is_dir():
        return
    skip = {snapshot.resolve() for snapshot in snapshots}
    tests = out / "tests"
    found = [
        p
        for p in sorted(out.rglob("*"))
        if p.suffix in (".yaml", ".yml") and p.resolve() not in skip and tests not in p.parents
    ]
    if found:
        raise HasuraPermError(
            f"{out} already holds permission files ({found[0]}"
            f"{f' and {len(found) - 1} more' if len(found) > 1 else ''}); import into an empty "
            "folder (--out DIR) or move them away first"
        )


def _next_steps(
    project: Project | None,
    out: Path,
    snapshot: Path,
    given: str | None,
    read: ReadMetadata,
    metadata: str | None,
) -> str:
    if project is None:
        written, pull = snapshot, ""
        if is_sql(snapshot):
            written = out / "schema.yaml"
            pull = f"run `hasura-perm schema pull --sql {snapshot} --into {written}`, "
        metadata = (
            f", `metadata: {_v3_folder(Path(given))}`"
            if given and read.layout == "config v3"
            else ""
        )
        return (
            f"Next: {pull}create {CONFIG_NAME} (`version: 1`, with `permissions: {out}`, "
            f"`schema: {written}`{metadata}), then run `hasura-perm compile --check`."
        )
    metadata = metadata or project.relative(project.metadata_dir)
    return f"Next: run `hasura-perm compile` and review `git diff {metadata}/`."
