"""The `lint:` section of hasura-perm.yaml: which rules run and how loud, project facts
the rules share, table marks, and suppressions (each with a required reason).

    lint:
      fail_level: error                 # default for --fail-level
      admin_roles: [project_admin]      # default: roles named like "admin"
      users_tables: [public.users]      # default: *.users, *.user, *.*_users, *.accounts
      user_session_variables: [x-hasura-user-id]   # default: x-hasura-*user*id
      audit_columns: [created_at, "*_by_user_id"]  # default: created_*/updated_*/... names
      claims:                           # for --metadata: what tokens can carry
        roles: [user, manager]
        session_variables: [x-hasura-user-id]
      tables:                           # marks, by table pattern
        sensitive: [public.payments]
        append_only: [public.activity_log]
        lookup: ["public.*_types"]
        large: [public.events]
      rules:
        inconsistent-check: disable
        unfiltered-write: {level: error}
        secret-column-readable: {allow: [public.users.api_key_prefix]}
      ignore:
        - rule: unfiltered-select
          table: public.departments
          role: viewer
          reason: Department names are public

The JSON Schema (schemas/project.schema.json, `$defs/lint`) checks the shape; this module
checks what the schema cannot: rule ids, option names and types.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.core import validate
from hasura_perm.core.diagnostics import SEVERITIES
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.core.validate import did_you_mean
from hasura_perm.core.yaml_source import Document
from hasura_perm.core.yaml_source import load_file
from hasura_perm.lint.context import MARKS
from hasura_perm.lint.context import Settings
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.rules import RULES


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool
    level: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Suppression:
    rule: str
    reason: str
    location: Location
    table: str | None = None  # pattern on `schema.table`
    role: str | None = None  # pattern on the role name
    action: str | None = None

    def matches(self, problem: Problem) -> bool:
        if problem.rule != self.rule:
            return False
        if self.action is not None and problem.action != self.action:
            return False
        if self.role is not None and not fnmatch.fnmatchcase(problem.role or "", self.role):
            return False
        if self.table is not None:
            pattern = str(TableName.parse(self.table)) if "." not in self.table else self.table
            return fnmatch.fnmatchcase(str(problem.table or ""), pattern)
        return True

    def describe(self) -> str:
        parts = [self.rule] + [p for p in (self.table, self.action, self.role) if p]
        return " ".join(parts)


@dataclass(frozen=True)
class LintConfig:
    rules: dict[str, RuleSetting]
    settings: Settings = field(default_factory=Settings)
    suppressions: tuple[Suppression, ...] = ()
    fail_level: str = "error"
    claims_roles: tuple[str, ...] | None = None
    claims_session: tuple[str, ...] | None = None


def default_config() -> LintConfig:
    return LintConfig(rules={rule_id: _default_setting(rule_id) for rule_id in RULES})


def _default_setting(rule_id: str) -> RuleSetting:
    module = RULES[rule_id]
    return RuleSetting(True, module.LEVEL, dict(module.OPTIONS))


def load_lint_config(path: Path, display_name: str | None = None) -> LintConfig:
    """The `lint:` section of a hasura-perm.yaml (or of any YAML file that has one)."""
    if not path.is_file():
        raise HasuraPermError(f"lint config {display_name or path} does not exist")
    doc = load_file(path, display_name)
    if doc.data is None:
        return default_config()
    if not isinstance(doc.data, dict):
        raise SpecError([Diagnostic(doc.locate(()), "expected a mapping with a `lint:` section")])
    problems = validate.check(doc, "project")
    if problems:
        raise SpecError(problems)
    return config_from_section(doc, doc.data.get("lint"))


def config_from_section(doc: Document, section: dict[str, Any] | None) -> LintConfig:
    """A validated `lint:` mapping -> LintConfig; SpecError for unknown rules and options."""
    if not section:
        return default_config()
    problems: list[Diagnostic] = []
    rules = {
        rule_id: _setting(rule_id, (section.get("rules") or {}).get(rule_id), doc, problems)
        for rule_id in RULES
    }
    _unknown_rules(section.get("rules") or {}, doc, ("lint", "rules"), problems)
    suppressions = tuple(_suppressions(section.get("ignore") or [], doc, problems))
    if problems:
        raise SpecError(problems)
    claims = section.get("claims") or {}
    return LintConfig(
        rules=rules,
        settings=_settings(section),
        suppressions=suppressions,
        fail_level=section.get("fail_level", "error"),
        claims_roles=_tuple_or_none(claims.get("roles")),
        claims_session=_tuple_or_none(claims.get("session_variables")),
    )


def _settings(section: dict[str, Any]) -> Settings:
    tables = section.get("tables") or {}
    defaults = Settings()
    return Settings(
        admin_roles=_tuple_or_none(section.get("admin_roles")),
        users_tables=tuple(section.get("users_tables", defaults.users_tables)),
        user_variables=_tuple_or_none(section.get("user_session_variables")),
        audit_columns=tuple(section.get("audit_columns", defaults.audit_columns)),
        marks={mark: tuple(_qualified(p) for p in tables.get(mark) or ()) for mark in MARKS},
    )


def _qualified(pattern: str) -> str:
    """`users` -> `public.users` (as Hasura reads a bare table name)."""
    return pattern if "." in pattern else f"public.{pattern}"


def _tuple_or_none(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(str(v) for v in value)


def _setting(rule_id: str, value: Any, doc: Document, problems: list[Diagnostic]) -> RuleSetting:
    default = _default_setting(rule_id)
    if value is None or value == "enable":
        return default
    if value == "disable":
        return RuleSetting(False, default.level, default.options)
    options = dict(default.options)
    path = ("lint", "rules", rule_id)
    for key, option in value.items():
        if key in ("level", "enabled"):
            continue
        if key not in default.options:
            known = ", ".join(sorted(default.options)) or "none"
            hint = did_you_mean(key, list(default.options))
            problems.append(
                Diagnostic(
                    doc.locate((*path, key)),
                    f"unknown option `{key}` for lint rule {rule_id} (options: {known}){hint}",
                )
            )
        elif not _same_type(option, default.options[key]):
            expected = type(default.options[key]).__name__
            problems.append(
                Diagnostic(
                    doc.locate((*path, key)),
                    f"option `{key}` of lint rule {rule_id} must be a {expected}",
                )
            )
        else:
            options[key] = option
    enabled = value.get("enabled", True)
    return RuleSetting(enabled, value.get("level", default.level), options)


def _same_type(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default)) and not isinstance(value, bool)


def _unknown_rules(
    rules: dict[str, Any],
    doc: Document,
    path: tuple[str, ...],
    problems: list[Diagnostic],
) -> None:
    for rule_id in rules:
        if rule_id not in RULES:
            hint = did_you_mean(rule_id, list(RULES))
            problems.append(
                Diagnostic(doc.locate((*path, rule_id)), f"unknown lint rule `{rule_id}`{hint}")
            )


def _suppressions(
    entries: list[dict[str, Any]], doc: Document, problems: list[Diagnostic]
) -> list[Suppression]:
    found = []
    for index, entry in enumerate(entries):
        location = doc.locate(("lint", "ignore", index))
        rule_id = entry["rule"]
        if rule_id not in RULES:
            hint = did_you_mean(rule_id, list(RULES))
            problems.append(
                Diagnostic(
                    doc.locate(("lint", "ignore", index, "rule")),
                    f"unknown lint rule `{rule_id}`{hint}",
                )
            )
            continue
        found.append(
            Suppression(
                rule=rule_id,
                reason=entry["reason"].strip(),
                location=location,
                table=entry.get("table"),
                role=entry.get("role"),
                action=entry.get("action"),
            )
        )
    return found


def is_level(value: str) -> bool:
    return value in SEVERITIES
