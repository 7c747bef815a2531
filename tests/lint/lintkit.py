"""Build lint contexts from real files and run single rules, for the lint tests.

A case is a few Hasura table entries written as a real CLI v3 metadata directory (and a
schema snapshot file), read back by the same code `hasura-perm lint --metadata` uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hasura_perm.lint import LintResult
from hasura_perm.lint import lint
from hasura_perm.lint.config import LintConfig
from hasura_perm.lint.config import RuleSetting
from hasura_perm.lint.config import default_config
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.context import Settings
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.sources import context_from_metadata
from tests.helpers import schema_document
from tests.helpers import write
from tests.helpers import write_metadata

SCHEMA: dict[str, Any] = {
    "public.users": {
        "columns": {"id": "integer", "email": "text", "name": "text", "password_hash": "text"},
        "primary_key": ["id"],
    },
    "public.notes": {
        "columns": {
            "id": "integer",
            "title": "text",
            "owner_id": "integer",
            "org_id": "integer",
            "is_deleted": "boolean",
            "created_at": "timestamp with time zone",
            "created_by": "integer",
        },
        "primary_key": ["id"],
        "foreign_keys": [
            {
                "name": "notes_owner_fkey",
                "columns": ["owner_id"],
                "references": "public.users",
                "ref_columns": ["id"],
            }
        ],
    },
    "public.projects": {
        "columns": {"id": "integer", "name": "text", "org_id": "integer", "is_public": "boolean"},
        "primary_key": ["id"],
    },
}


def table(name: str, **parts: Any) -> dict[str, Any]:
    """A metadata table entry: `select={"viewer": {...}}` becomes select_permissions, and
    `object_relationships=[...]` is copied as is."""
    schema, _, table_name = name.rpartition(".")
    entry: dict[str, Any] = {"table": {"name": table_name, "schema": schema or "public"}}
    for key, value in parts.items():
        if key in ("insert", "select", "update", "delete"):
            entry[f"{key}_permissions"] = [
                {"role": role, "permission": body} for role, body in value.items()
            ]
        else:
            entry[key] = value
    return entry


def context(
    tmp_path: Path,
    *entries: dict[str, Any],
    schema: dict[str, Any] | None | str = "default",
    sql: str | None = None,
    claims_roles: tuple[str, ...] | None = None,
    claims_session: tuple[str, ...] | None = None,
) -> LintContext:
    """Write the entries as metadata (and the schema) under tmp_path and read them back."""
    tables = {_key(e): e for e in entries}
    write_metadata(tmp_path / "metadata", tables)
    schema_path = None
    if sql is not None:
        schema_path = write(tmp_path, "schema.sql", sql)
    elif schema is not None:
        snapshot = SCHEMA if schema == "default" else schema
        schema_path = write(tmp_path, "schema.yaml", schema_document(snapshot))
    return context_from_metadata(
        tmp_path / "metadata",
        schema_path,
        claims_roles=claims_roles,
        claims_session=claims_session,
    )


def _key(entry: dict[str, Any]) -> str:
    return f"{entry['table']['schema']}.{entry['table']['name']}"


def only(rule_id: str, settings: Settings | None = None, **options: Any) -> LintConfig:
    """A config that runs one rule (with options) and nothing else."""
    base = default_config()
    rules = {
        rid: RuleSetting(
            rid == rule_id, s.level, {**s.options, **options} if rid == rule_id else s.options
        )
        for rid, s in base.rules.items()
    }
    return LintConfig(rules=rules, settings=settings or Settings())


def run(
    ctx: LintContext, rule_id: str, settings: Settings | None = None, **options: Any
) -> LintResult:
    return lint(ctx, only(rule_id, settings, **options))


def found(
    ctx: LintContext, rule_id: str, settings: Settings | None = None, **options: Any
) -> list[Problem]:
    result = run(ctx, rule_id, settings, **options)
    assert not result.skipped, result.skipped
    return result.problems


def subjects(problems: list[Problem]) -> list[str]:
    """`public.notes update editor` per problem, for compact assertions."""
    return [p.subject() for p in problems]
