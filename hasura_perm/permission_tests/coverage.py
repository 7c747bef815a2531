"""Rule coverage: for every compiled (table, role, action) permission, did some case get
something allowed through it, did some case get something denied by it (when it can deny at
all), and did some case reach each arm of each `_or`?"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.boolexp import tree as t
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.metadata.permission import Permission
from hasura_perm.permission_tests.outcome import CaseResult
from hasura_perm.permission_tests.outcome import RuleKey


@dataclass
class RuleCoverage:
    key: RuleKey
    permission: Permission
    cases: int = 0
    allowed: bool = False
    denied: bool | None = False  # None: nothing the rule says can deny anything
    branches: dict[str, Any] = field(default_factory=dict)  # label -> the arm's expression
    reached: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return 1 + (self.denied is not None) + len(self.branches)

    @property
    def covered(self) -> int:
        return int(self.allowed) + int(bool(self.denied)) + len(self.reached & set(self.branches))

    def missing(self) -> list[str]:
        out = []
        if not self.allowed:
            out.append("no case is allowed through it")
        if self.denied is False:
            out.append("no case is denied by it")
        for label, expression in self.branches.items():
            if label not in self.reached:
                out.append(f"`{label}` is never what admits a row: {_compact(expression)}")
        return out


@dataclass
class CoverageReport:
    rules: list[RuleCoverage]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rules)

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.rules)

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else 100.0 * self.covered / self.total

    def at_least(self, minimum: float) -> bool:
        # Compare exact counts: a rounded percentage must never let 99.95 pass as 100.
        return self.covered * 100 >= minimum * self.total


def measure(compiled: Compiled, schema: t.Schema, results: list[CaseResult]) -> CoverageReport:
    rules: dict[RuleKey, RuleCoverage] = {}
    for permission in compiled.permissions:
        action = permission.action
        rules[permission.key] = RuleCoverage(
            permission.key,
            permission,
            denied=False if can_deny(permission, action, schema) else None,
            branches=_branches(permission, action, schema),
        )
    for result in results:
        outcome, case = result.outcome, result.case
        rule = rules.get((case.table, case.action, case.role))
        if rule is None or outcome.permission is None or outcome.error:
            continue
        rule.cases += 1
        rule.allowed = rule.allowed or outcome.allowed
        if rule.denied is not None:
            rule.denied = rule.denied or outcome.denied
        rule.reached |= outcome.branches
    return CoverageReport(list(rules.values()))


def can_deny(permission: Permission, action: str, schema: t.Schema) -> bool:
    body = permission.body
    if action in ("select", "delete"):
        return bool(body.get("filter"))
    all_columns = set(schema.table(permission.table).columns)
    restricted = "columns" in body and set(body["columns"]) != all_columns
    return bool(
        body.get("check")
        or (action == "update" and body.get("filter"))
        or restricted
        or body.get("set")
        or body.get("backend_only")
    )


def _branches(permission: Permission, action: str, schema: t.Schema) -> dict[str, Any]:
    parts = {"select": ("filter",), "delete": ("filter",), "insert": ("check",)}
    found = {}
    for part in parts.get(action, ("filter", "check")):
        expression = permission.body.get(part)
        if not expression:
            continue
        try:
            node = t.parse(expression, permission.table, schema)
        except HasuraPermError:
            continue
        for branch in t.or_branches(node):
            found[f"{part}:{branch.label}"] = branch.expression
    return found


def _compact(value: Any) -> str:
    text = json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    return text if len(text) <= 100 else text[:97] + "..."
