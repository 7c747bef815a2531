"""`hasura-perm init`: start a project (or adopt an existing Hasura project) in one step."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.importer import starter
from hasura_perm.importer.run import import_permissions
from hasura_perm.metadata.directory import write_files
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.read import read_export
from hasura_perm.metadata.read import read_metadata_dir
from hasura_perm.remote.client import Client
from hasura_perm.schema.introspect import INTROSPECTION_SQL
from hasura_perm.schema.introspect import introspect
from hasura_perm.schema.introspect import snapshot_from_rows
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.schema.snapshot import snapshot_from_data
from hasura_perm.spec.project import CONFIG_NAME
from hasura_perm.spec.project import Environment

NAME = "init"
HELP = "Start a project: hasura-perm.yaml, permissions/, a first test file and metadata/."
DESCRIPTION = """\
Write a new project into the current folder (or --project DIR): hasura-perm.yaml,
permissions/ with a commented starting point (session variables, a role, examples of
conditions, defaults and a table file), a first permission-test file, and an empty Hasura
CLI v3 metadata/ folder that compile fills.

To adopt an existing Hasura project instead, give its metadata (--from-metadata DIR) or
its server (--env NAME --endpoint URL): init then imports its permissions (as `hasura-perm
import` does) and points `metadata:` at that folder, or writes metadata/ from the server's
tables so relationships are there for compile.

A schema snapshot comes from --schema FILE (an existing snapshot), --database-url URL (read
the database now), or, with --env, the server itself (run_sql, read-only).

init never overwrites: if hasura-perm.yaml, permissions/ or metadata/ already exist it
names them and writes nothing.

exit codes: 0 written, 1 nothing written (an error, or something in the way)

examples:
  hasura-perm init
  hasura-perm init --database-url postgresql://localhost/app
  hasura-perm init --from-metadata hasura/metadata --database-url postgresql://localhost/app
  HASURA_STAGING_ADMIN_SECRET=... hasura-perm init --env staging --endpoint https://hasura.example.org
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    origin = parser.add_mutually_exclusive_group()
    origin.add_argument(
        "--from-metadata",
        metavar="DIR",
        help="import the permissions of this Hasura metadata folder (config v3 or v2) "
        "or export_metadata JSON file",
    )
    origin.add_argument(
        "--env",
        metavar="NAME",
        help="add this environment and import the permissions of its server",
    )
    parser.add_argument("--endpoint", metavar="URL", help="with --env: the server's URL")
    parser.add_argument(
        "--admin-secret-env",
        metavar="VAR",
        help="with --env: the variable holding the admin secret (default HASURA_<NAME>_ADMIN_SECRET)",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="with --env: allow a plain http:// endpoint that is not on this machine",
    )
    snapshot = parser.add_mutually_exclusive_group()
    snapshot.add_argument(
        "--schema",
        metavar="FILE",
        help="an existing schema snapshot (hasura-perm.yaml points at it)",
    )
    snapshot.add_argument(
        "--database-url",
        metavar="URL",
        help="write the schema snapshot from this database now; its password is never printed",
    )
    parser.add_argument(
        "--source", metavar="NAME", help="the database's name in Hasura (default: default)"
    )


def run(args: argparse.Namespace) -> int:
    root = Path(args.project or ".").resolve()
    _check_arguments(args)
    plan = starter.Plan(root)
    environment = _environment(args)
    if environment is not None:
        plan.notes.append(
            f"environment {environment.name!r}: {environment.endpoint}, admin secret "
            f"from ${environment.admin_secret_env}"
        )
    _precheck(plan, args)
    client = _client(args, environment)
    snapshot, schema_path = _snapshot(plan, args, client)
    read = _read(args, client)
    source = (read.source if read else None) or args.source or "default"
    metadata = _metadata(plan, args, read)
    if read is not None:
        if snapshot is None:
            raise HasuraPermError(_needs_snapshot())
        result = import_permissions(read, snapshot)
        for relative, text in result.files.items():
            plan.add(f"permissions/{relative}", text)
        plan.notes.append(
            f"imported {result.report.as_dict().get('blocks', 0)} permission blocks "
            f"from {read.origin or read.layout}"
        )
    else:
        plan.add("permissions/roles.yaml", starter.STARTING_RULES)
        plan.add("permissions/tables/example.yaml", starter.EXAMPLE_TABLE)
    plan.add(starter.TEST_FILE, starter.FIRST_TEST)
    env = (
        (environment.name, environment.endpoint, environment.admin_secret_env)
        if environment
        else None
    )
    plan.add(
        CONFIG_NAME,
        starter.config_text(metadata=metadata, schema=schema_path, source=source, environment=env),
    )
    starter.refuse_existing(plan)
    write_files({root / relative: text for relative, text in plan.files.items()}, inside=root)
    outer = next((f for f in root.parents if (f / CONFIG_NAME).is_file()), None)
    if outer is not None:  # allowed, but rarely meant: say so
        print(f"note: {outer / CONFIG_NAME} exists; this project is nested inside that one")
    print(_summary(plan, snapshot is not None, imported=read is not None))
    return ExitCode.OK


def _check_arguments(args: argparse.Namespace) -> None:
    if args.env and not args.endpoint:
        raise HasuraPermError("--env needs --endpoint URL (the Hasura server of that environment)")
    if not args.env and (args.endpoint or args.admin_secret_env or args.insecure):
        raise HasuraPermError("--endpoint, --admin-secret-env and --insecure go with --env NAME")


def _environment(args: argparse.Namespace) -> Environment | None:
    if not args.env:
        return None
    secret_env = args.admin_secret_env or starter.secret_variable(args.env)
    return Environment(args.env, args.endpoint.rstrip("/"), secret_env, insecure=args.insecure)


def _precheck(plan: starter.Plan, args: argparse.Namespace) -> None:
    """Refuse before reading any server or database: the config and permissions/ decide."""
    probe = starter.Plan(plan.root)
    probe.add(CONFIG_NAME, "")
    probe.add("permissions/roles.yaml", "")
    if not args.from_metadata:
        probe.add("metadata/version.yaml", "")
    starter.refuse_existing(probe)


def _client(args: argparse.Namespace, environment: Environment | None) -> Client | None:
    if environment is None:
        return None
    return Client.for_environment(environment, insecure=args.insecure)


def _snapshot(
    plan: starter.Plan, args: argparse.Namespace, client: Client | None
) -> tuple[Snapshot | None, str]:
    """The snapshot to import against, and what hasura-perm.yaml's `schema:` says."""
    if args.schema:
        path = Path(args.schema)
        return load_snapshot(path, args.schema), starter.relative_to(path, plan.root)
    data: dict[str, Any] | None = None
    if args.database_url:
        data = introspect(args.database_url)
    elif client is not None:
        data = snapshot_from_rows(
            client.run_sql(INTROSPECTION_SQL, source=args.source or "default")
        )
    if data is None:
        return None, starter.SCHEMA_DEFAULT
    plan.add(starter.SCHEMA_DEFAULT, starter.schema_text(data))
    plan.notes.append(f"schema snapshot: {len(data['tables'])} tables")
    return snapshot_from_data(data), starter.SCHEMA_DEFAULT


def _read(args: argparse.Namespace, client: Client | None) -> ReadMetadata | None:
    if args.from_metadata:
        return read_metadata_dir(Path(args.from_metadata), args.source)
    if client is not None:
        export = client.export_metadata()
        return read_export(export.metadata, args.source, file=f"export_metadata of {args.env}")
    return None


def _metadata(plan: starter.Plan, args: argparse.Namespace, read: ReadMetadata | None) -> str:
    """What `metadata:` says: the adopted CLI v3 folder as it is, else a new metadata/."""
    if read is not None and read.layout == "config v3":
        folder = Path(args.from_metadata)
        if folder.name != "metadata" and (folder / "metadata").is_dir():
            folder = folder / "metadata"  # a Hasura project folder: its metadata/ inside
        plan.notes.append(f"metadata: the existing folder {folder}; compile updates it in place")
        return starter.relative_to(folder, plan.root)
    folder = plan.root / "metadata"
    if read is not None:
        files = starter.metadata_from(folder, read)
        plan.notes.append(
            f"metadata/: the {len(read.tables)} tables of {read.origin or read.layout} "
            "(relationships included), as a Hasura CLI v3 folder"
        )
    else:
        files = starter.empty_metadata(folder, args.source or "default")
    for path, text in files.items():
        plan.add(path.relative_to(plan.root).as_posix(), text)
    return "metadata"


def _needs_snapshot() -> str:
    return (
        "import needs a schema snapshot (it tells which column lists mean `all`): pass "
        "--database-url URL to read the database, or --schema FILE for an existing snapshot"
    )


def _summary(plan: starter.Plan, has_snapshot: bool, *, imported: bool) -> str:
    lines = [f"Initialised a hasura-perm project in {plan.root}:"]
    lines += [f"  {relative}" for relative in sorted(plan.files)]
    lines += [f"({note})" for note in plan.notes]
    steps = []
    if not has_snapshot:
        steps.append("hasura-perm schema pull --database-url URL   # the schema snapshot")
    if not imported:
        steps.append("$EDITOR permissions/roles.yaml permissions/tables/example.yaml")
        steps.append("hasura-perm relationships add   # relationships from the foreign keys")
    steps.append("hasura-perm compile")
    lines.append("Next:")
    lines += [f"  {step}" for step in steps]
    return "\n".join(lines)
