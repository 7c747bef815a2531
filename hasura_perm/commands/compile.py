"""`hasura-perm compile`: write the permissions of permissions/ into metadata/."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from hasura_perm.cognito.loader import checked_build_all
from hasura_perm.compiler.build import Build
from hasura_perm.compiler.build import all_files
from hasura_perm.compiler.exposure import new_exposures
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import SpecError
from hasura_perm.core.terminal import warn
from hasura_perm.metadata.directory import stale_files
from hasura_perm.metadata.directory import write_files
from hasura_perm.spec.project import CONFIG_NAME
from hasura_perm.spec.project import load_project

NAME = "compile"
HELP = "Compile permissions/ into the Hasura metadata/ directory."
DESCRIPTION = """\
Resolve roles, inheritance, defaults and named conditions in permissions/, check every
column, relationship and operator against the schema snapshot, and write one permission
per (table, action, role) into metadata/ exactly as `hasura metadata export` would.
Only the permissions of declared roles on managed tables change; everything else in
metadata/ is kept. Nothing is written if any error is found.

examples:
  hasura-perm compile            # update metadata/
  hasura-perm compile --check    # CI: exit 2 and print a diff if metadata/ is stale
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 2 with a unified diff when metadata/ is not up to date",
    )


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    folder = project.relative(project.metadata_dir)
    missing = not project.metadata_dir.exists()
    try:
        builds = checked_build_all(project)
    except SpecError as error:
        if missing and _about_metadata(error):  # the likely cause: say it once, up front
            warn(
                f"{folder}/ (`metadata:` in {CONFIG_NAME}) does not exist, so no "
                "relationships or computed fields are known; point `metadata:` at your Hasura "
                "metadata folder, or add them with `hasura-perm relationships add`",
                kind="note",
            )
        raise
    for warning in (w for result in builds for w in result.warnings):
        warn(warning)
    for result in builds:
        for exposure in new_exposures(result.compiled, result.metadata):
            warn(exposure.describe(), kind="notice")
    stale = stale_files(all_files(builds))
    summary = (
        f"{sum(len(b.compiled.tables) for b in builds)} tables, "
        f"{len(builds[0].compiled.roles)} roles, {sum(_count(b) for b in builds)} permissions"
    )
    if project.several_sources:
        summary += f" in {len(builds)} sources"
    if args.check:
        if not stale:
            print(f"metadata/ is up to date ({summary}).")
            return ExitCode.OK
        print(f"metadata/ is stale: {len(stale)} file(s) differ; run `hasura-perm compile`.")
        for path, text in sorted(stale.items()):
            sys.stdout.writelines(_diff(project.relative(path), path, text))
        return ExitCode.DIFFERENCES
    if missing:
        print(f"{folder}/ did not exist: creating it as a new Hasura CLI v3 metadata folder.")
    write_files(stale, inside=project.metadata_dir, show=project.relative)
    changed = f"{len(stale)} file(s) written" if stale else "no changes"
    print(f"Compiled {summary}: {changed}.")
    for path in sorted(stale):
        print(f"  {project.relative(path)}")
    return ExitCode.OK


def _about_metadata(error: SpecError) -> bool:
    """Problems that a missing metadata folder explains (relationships, computed fields)."""
    return any("relationship" in p.message or "computed field" in p.message for p in error.problems)


def _count(result: Build) -> int:
    return len(result.compiled.permissions)


def _diff(name: str, path: Path, text: str) -> list[str]:
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    return list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )
