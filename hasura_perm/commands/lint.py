"""`hasura-perm lint`: find the permission mistakes that leak or destroy data."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from hasura_perm.commands.output import add_output_arguments
from hasura_perm.commands.output import emit
from hasura_perm.core.diagnostics import SEVERITIES
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.lint import lint
from hasura_perm.lint import lint_sources
from hasura_perm.lint.config import LintConfig
from hasura_perm.lint.config import default_config
from hasura_perm.lint.config import load_lint_config
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.docs import rules_text
from hasura_perm.lint.sources import context_from_metadata
from hasura_perm.lint.sources import context_from_project
from hasura_perm.metadata.read import source_names
from hasura_perm.spec.project import CONFIG_NAME
from hasura_perm.spec.project import load_project

NAME = "lint"
HELP = "Check permissions for mistakes that leak or destroy data."
DESCRIPTION = """\
Security lint over the compiled permissions of the project (findings point at the rule in
permissions/ that produced them), or over any Hasura metadata with --metadata (findings
point into the metadata files), so a team can lint before adopting hasura-perm.
Rules, severities, table marks and suppressions are configured in the `lint:` section of
hasura-perm.yaml (docs/lint.md); `--list-rules` lists every rule.

exit codes: 0 nothing at or above --fail-level, 3 findings at or above it, 1 error

examples:
  hasura-perm lint
  hasura-perm lint --format sarif > lint.sarif
  hasura-perm lint --metadata ../other/metadata --schema ../other/schema.sql
  hasura-perm lint --metadata metadata/ --config lint.yaml --fail-level warning
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metadata",
        metavar="DIR",
        help="lint this Hasura metadata (CLI v3 or v2 directory, or an export JSON) "
        "instead of the project",
    )
    parser.add_argument(
        "--schema",
        metavar="FILE",
        help="with --metadata: the schema, as a snapshot YAML or SQL (pg_dump --schema-only); "
        "without it, rules that need columns or keys are skipped",
    )
    parser.add_argument(
        "--source",
        metavar="NAME",
        help="with --metadata: lint only this Hasura database (default: every one)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="with --metadata: a YAML file with a `lint:` section (default: the project's "
        f"{CONFIG_NAME} when --project is given, else the defaults)",
    )
    add_output_arguments(parser, "lint", what="lint report")
    parser.add_argument(
        "--fail-level",
        choices=SEVERITIES,
        help="exit 3 when a finding at or above this level exists (default: lint.fail_level, "
        "else error)",
    )
    parser.add_argument(
        "--show-suppressed", action="store_true", help="text: also list suppressed findings"
    )
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        print(rules_text(), end="")
        return 0
    config, ctx = _load(args)
    if args.fail_level:
        config = dataclasses.replace(config, fail_level=args.fail_level)
    result = lint_sources(ctx, config) if isinstance(ctx, dict) else lint(ctx, config)
    emit(args, result, what="lint report", verbose=args.show_suppressed)
    return result.exit_code


def _load(
    args: argparse.Namespace,
) -> tuple[LintConfig, LintContext | dict[str, LintContext]]:
    if args.metadata is None:
        for flag in ("schema", "source", "config"):
            if getattr(args, flag):
                raise HasuraPermError(
                    f"--{flag} goes with --metadata; the project's own settings are in {CONFIG_NAME}"
                )
        project = load_project(args.project)
        config = load_lint_config(project.root / CONFIG_NAME, CONFIG_NAME)
        if project.several_sources:
            return config, {one.source: context_from_project(one) for one in project.each_source()}
        return config, context_from_project(project)
    config = _metadata_config(args)
    path = Path(args.metadata)
    sources = [args.source] if args.source else _metadata_sources(path)
    if len(sources) > 1 and args.schema:
        raise HasuraPermError(
            f"{args.metadata} has several sources ({', '.join(map(str, sources))}) and --schema "
            "describes "
            "one of them: pass --source NAME with it (without --schema, every source is linted)"
        )
    contexts = {
        source: context_from_metadata(
            path,
            Path(args.schema) if args.schema else None,
            source,
            claims_roles=config.claims_roles,
            claims_session=config.claims_session,
        )
        for source in sources
    }
    if len(contexts) > 1:  # several sources: each has its name
        return config, {str(source): context for source, context in contexts.items()}
    return config, next(iter(contexts.values()))


def _metadata_sources(path: Path) -> list[str | None]:
    """Every source of the metadata, `default` first; [None] when the metadata has one
    source (or is a layout that names no sources)."""
    names = source_names(path)
    return list(names) if len(names) > 1 else [None]


def _metadata_config(args: argparse.Namespace) -> LintConfig:
    if args.config:
        return load_lint_config(Path(args.config), args.config)
    if args.project:
        return load_lint_config(Path(args.project) / CONFIG_NAME, CONFIG_NAME)
    return default_config()
