"""Security lint over a permission set: `lint(ctx, config) -> LintResult`.

The context (lint/context.py) is filled from a project or from any Hasura metadata
(lint/sources.py); each rule (lint/rules/) yields Problems; this module runs the enabled
rules whose needs the context meets, stamps each problem with its rule id and configured
level, applies the suppressions, and sorts. The result owns the exit code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from dataclasses import field
from types import ModuleType

from hasura_perm.core.diagnostics import SEVERITIES
from hasura_perm.core.diagnostics import severity_rank
from hasura_perm.core.errors import ExitCode
from hasura_perm.lint.config import LintConfig
from hasura_perm.lint.config import Suppression
from hasura_perm.lint.config import default_config
from hasura_perm.lint.context import MARKS
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.problem import Problem
from hasura_perm.lint.roles import role_judgements
from hasura_perm.lint.rules import RULES

UNUSED_SUPPRESSION = "unused-suppression"


@dataclass
class LintResult:
    problems: list[Problem]  # sorted; suppressed ones are not here
    fail_level: str = "error"
    rules_run: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (rule id, why)
    suppressed: list[tuple[Problem, Suppression]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the source could not provide
    # (role, kind, why) for the roles taken for administrators, staff or services; empty
    # when lint.admin_roles lists them (the user has said it)
    trusted_roles: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """3 (checks failed) when a problem is at or above the fail level, else 0."""
        threshold = severity_rank(self.fail_level)
        if any(severity_rank(p.level) >= threshold for p in self.problems):
            return int(ExitCode.CHECKS_FAILED)
        return int(ExitCode.OK)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(reversed(SEVERITIES), 0)
        for problem in self.problems:
            counts[problem.level] += 1
        return counts


def lint(ctx: LintContext, config: LintConfig | None = None) -> LintResult:
    config = config or default_config()
    ctx = dataclasses.replace(ctx, settings=config.settings)
    result = LintResult([], fail_level=config.fail_level, notes=list(ctx.notes))
    if config.settings.admin_roles is None:
        result.trusted_roles = [
            (j.role, j.kind, j.reason) for j in role_judgements(ctx).values() if j.manages_all
        ]
    found: list[Problem] = []
    for rule_id, module in RULES.items():
        setting = config.rules[rule_id]
        if not setting.enabled:
            continue
        missing = missing_need(ctx, module, setting.options)
        if missing:
            result.skipped.append((rule_id, missing))
            continue
        result.rules_run.append(rule_id)
        for problem in module.check(ctx, setting.options):
            origin = _origin(ctx, problem)
            found.append(
                dataclasses.replace(problem, code=rule_id, severity=setting.level, origin=origin)
            )
    result.problems = _apply_suppressions(_once_per_rule(found), config.suppressions, result)
    result.problems.sort(key=Problem.sort_key)
    return result


def _once_per_rule(problems: list[Problem]) -> list[Problem]:
    """A finding on a permission a role inherits unchanged is the parent's finding again,
    at the same place: report it once, at the parent (children appear in its origin)."""
    direct = {
        (p.rule, p.table, p.action, p.location)
        for p in problems
        if "inherited from" not in p.origin
    }
    return [
        p
        for p in problems
        if "inherited from" not in p.origin or (p.rule, p.table, p.action, p.location) not in direct
    ]


def _origin(ctx: LintContext, problem: Problem) -> str:
    if problem.table is None or problem.action is None or problem.role is None:
        return ""
    grant = ctx.grant(problem.table, problem.action, problem.role)
    return grant.origin if grant is not None else ""


def missing_need(ctx: LintContext, module: ModuleType, options: dict[str, object]) -> str:
    """Why the rule cannot run on this context ("" when it can)."""
    for need in module.NEEDS:
        if need == "schema" and not ctx.has_schema:
            return "no schema: pass --schema FILE (a snapshot or a SQL dump)"
        if need == "session" and ctx.session is None:
            return (
                "the claims mapping is unknown: list the session variables tokens carry in "
                "lint.claims.session_variables"
            )
        if need == "roles" and not any(r.grantable is not None for r in ctx.roles.values()):
            return (
                "which roles tokens can carry is unknown: map roles to cognito_groups, or list "
                "them in lint.claims.roles"
            )
        if need == "project" and ctx.spec is None:
            return "needs the project's permissions/ (not available with --metadata)"
        if need == "views" and not any(t.view_sources for t in ctx.tables.values()):
            return "no view definitions: pass --schema with a SQL dump (CREATE VIEW statements)"
        if need in MARKS and not ctx.any_marked(need) and not options.get("all_tables"):
            return f"no table is marked `{need}` in lint.tables"
    return ""


def _apply_suppressions(
    problems: list[Problem], suppressions: tuple[Suppression, ...], result: LintResult
) -> list[Problem]:
    kept, used = [], set()
    for problem in problems:
        match = next((s for s in suppressions if s.matches(problem)), None)
        if match is None:
            kept.append(problem)
        else:
            used.add(match)
            result.suppressed.append((problem, match))
    for suppression in suppressions:
        if suppression not in used and suppression.rule in result.rules_run:
            kept.append(
                Problem(
                    suppression.location,
                    f"this suppression ({suppression.describe()}) matches no finding",
                    "remove it from lint.ignore (the problem it covered is gone)",
                    code=UNUSED_SUPPRESSION,
                    severity="warning",
                )
            )
    return kept


def lint_sources(contexts: dict[str, LintContext], config: LintConfig | None = None) -> LintResult:
    """Lint a project with several sources: each source's context on its own, findings
    merged (one about roles or session variables, the same in every source, once),
    suppressions applied to the merged findings, and tables named `source:schema.table`."""
    config = config or default_config()
    unsuppressed = dataclasses.replace(config, suppressions=())
    merged = LintResult([], fail_level=config.fail_level)
    found: list[tuple[str | None, Problem]] = []
    skipped: dict[str, str] = {}
    for source, ctx in contexts.items():
        one = lint(ctx, unsuppressed)
        for problem in one.problems:
            key = (source if problem.table is not None else None, problem)
            if key not in found:
                found.append(key)
        merged.rules_run += [r for r in one.rules_run if r not in merged.rules_run]
        skipped.update(dict(one.skipped))
        merged.notes += [n for n in one.notes if n not in merged.notes]
    merged.skipped = [(r, why) for r, why in skipped.items() if r not in merged.rules_run]
    source_of = {id(problem): source for source, problem in found}
    kept = _apply_suppressions([p for _, p in found], config.suppressions, merged)
    merged.problems = [_qualify(p, source_of.get(id(p))) for p in kept]
    merged.suppressed = [(_qualify(p, source_of.get(id(p))), s) for p, s in merged.suppressed]
    merged.problems.sort(key=Problem.sort_key)
    return merged


def _qualify(problem: Problem, source: str | None) -> Problem:
    if source is None or problem.table is None:
        return problem
    return dataclasses.replace(problem, table=problem.table.in_source(source))
