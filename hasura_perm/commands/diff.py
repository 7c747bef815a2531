"""`hasura-perm diff`: what a change to the project does to who can do what, between two git
revisions."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from hasura_perm.commands.output import add_output_arguments
from hasura_perm.commands.output import emit
from hasura_perm.core.terminal import warn
from hasura_perm.review.revision_diff import FAIL_ON
from hasura_perm.review.revision_diff import review_diff
from hasura_perm.review.revisions import compile_revision
from hasura_perm.review.revisions import compile_working_tree
from hasura_perm.review.revisions import merge_base
from hasura_perm.review.revisions import repository_root
from hasura_perm.review.revisions import resolve_commit
from hasura_perm.spec.project import load_project

NAME = "diff"
HELP = "Show the permission changes between two git revisions (widening, narrowing, ...)."
DESCRIPTION = """\
Compile the project at two git revisions (the head defaults to the working tree) and report,
per table, action and role, what changed: columns granted or revoked, filter and check (old
and new, named conditions resolved, and as written), presets, limit, aggregations, root
fields. Each change is classified widening (grants more), narrowing, mixed (both, or not
decidable) or neutral (a comment). Nothing is changed; no database or server is needed.

exit codes: 0 no changes, 1 error, 2 changes (with --fail-on widening: only a change that
may widen access), as for plan, drift and compile --check

examples:
  hasura-perm diff --base main
  hasura-perm diff --base origin/main --merge-base --format markdown > diff.md
  hasura-perm diff --base v1.2 --head v1.3 --format json
  hasura-perm diff --base origin/main --fail-on widening   # CI: exit 2 if access may grow
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", required=True, metavar="REF", help="git revision to compare from")
    parser.add_argument(
        "--head", metavar="REF", help="git revision to compare to (default: the working tree)"
    )
    parser.add_argument(
        "--merge-base",
        action="store_true",
        help="compare from the common ancestor of base and head, as a pull request does",
    )
    add_output_arguments(parser, "diff")
    parser.add_argument(
        "--fail-on",
        choices=sorted(FAIL_ON),
        default="any",
        help="exit 2 on any change (default), or only when a change may widen access "
        "(widening or mixed)",
    )


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    base_ref, base_label = args.base, args.base
    if args.merge_base:
        repo = repository_root(project.root)
        head_commit = resolve_commit(repo, args.head or "HEAD")
        base_ref = merge_base(repo, resolve_commit(repo, args.base), head_commit)
        base_label = f"merge base of {args.base}"
    with tempfile.TemporaryDirectory(prefix="hasura-perm-diff-") as scratch:
        base = compile_revision(project, base_ref, Path(scratch) / "base", base_label)
        if args.head:
            head = compile_revision(project, args.head, Path(scratch) / "head")
        else:
            head = compile_working_tree(project)
        result = review_diff(base, head)
    if head.build is not None:
        for warning in head.build.warnings:
            warn(warning)
    emit(args, result, what="diff")
    return result.exit_code(args.fail_on)
