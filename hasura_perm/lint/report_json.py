"""`hasura-perm lint --format json`: every finding with its location and subject, the
summary, skipped rules and suppressed findings (with their reasons)."""

from __future__ import annotations

import json
from typing import Any

from hasura_perm.lint import LintResult
from hasura_perm.lint.problem import Problem


def render(result: LintResult) -> str:
    data = {
        "problems": [problem_record(p) for p in result.problems],
        "summary": {**result.counts(), "suppressed": len(result.suppressed)},
        "fail_level": result.fail_level,
        "exit_code": result.exit_code,
        "rules_run": result.rules_run,
        "skipped": [{"rule": rule, "reason": why} for rule, why in result.skipped],
        "suppressed": [
            {**problem_record(p), "reason": s.reason, "suppressed_at": str(s.location)}
            for p, s in result.suppressed
        ],
        "notes": result.notes,
        "trusted_roles": [
            {"role": role, "kind": kind, "reason": why} for role, kind, why in result.trusted_roles
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def problem_record(problem: Problem) -> dict[str, Any]:
    loc = problem.location
    return {
        "rule": problem.rule,
        "level": problem.level,
        "message": problem.message,
        "fix": problem.fix,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "table": str(problem.table) if problem.table else None,
        "role": problem.role,
        "action": problem.action,
        "origin": problem.origin or None,
    }
