"""`hasura-perm lint --format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs).

One run; the driver lists every rule with its summary, rationale, fix and default level;
each result names its rule, level (error, warning, note), message (with the fix) and the
file and line it is at.
"""

from __future__ import annotations

import json
from typing import Any

from hasura_perm import __version__
from hasura_perm.lint import UNUSED_SUPPRESSION
from hasura_perm.lint import LintResult
from hasura_perm.lint.docs import all_docs
from hasura_perm.lint.problem import Problem

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(result: LintResult) -> str:
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hasura-perm",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": [_result(p, index) for p in result.problems],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rules() -> list[dict[str, Any]]:
    rules = [
        {
            "id": doc.id,
            "name": doc.id,
            "shortDescription": {"text": doc.summary},
            "fullDescription": {"text": doc.rationale},
            "help": {"text": f"Fix: {doc.fix}"},
            "defaultConfiguration": {"level": LEVELS[doc.level]},
        }
        for doc in all_docs()
    ]
    rules.append(
        {
            "id": UNUSED_SUPPRESSION,
            "name": UNUSED_SUPPRESSION,
            "shortDescription": {"text": "A lint.ignore entry matches no finding."},
            "defaultConfiguration": {"level": "warning"},
        }
    )
    return rules


def _result(problem: Problem, index: dict[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": problem.location.file}}
    if problem.location.line:
        location["region"] = {
            "startLine": problem.location.line,
            "startColumn": problem.location.column or 1,
        }
    result: dict[str, Any] = {
        "ruleId": problem.rule,
        "ruleIndex": index[problem.rule],
        "level": LEVELS[problem.level],
        "message": {"text": f"{problem.message}. Fix: {problem.fix}"},
        "locations": [{"physicalLocation": location}],
    }
    subject = {
        "table": problem.table,
        "role": problem.role,
        "action": problem.action,
        "origin": problem.origin,
    }
    properties = {k: str(v) for k, v in subject.items() if v}
    if properties:
        result["properties"] = properties
    return result
