"""Mutation testing: weaken one compiled rule at a time and rerun the cases that use it.

A mutant no case notices (every affected case still passes) survives: the suite would not
catch that mistake. Weakenings per (table, action, role) permission:

- the filter or check replaced by `{}`;
- one conjunct dropped (an `_and` item, one key of a multi-key object, one of several
  operators on a column), wherever dropping it widens the rule (not under `_not`);
- one column added to the grant; one preset dropped;
- the row limit removed; aggregations allowed; `backend_only` removed;
- a `deny` removed from a rule file (the project is compiled again without it).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

from hasura_perm.boolexp import sql as q
from hasura_perm.boolexp import tree as t
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.compiler.permissions import compile_spec
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import session_variable
from hasura_perm.metadata.permission import Permission
from hasura_perm.permission_tests.cases import TestFile
from hasura_perm.permission_tests.outcome import CaseResult
from hasura_perm.permission_tests.outcome import Lookup
from hasura_perm.permission_tests.outcome import RuleKey
from hasura_perm.permission_tests.runner import Runner
from hasura_perm.schema.catalog import Catalog
from hasura_perm.spec import ACTIONS
from hasura_perm.spec import Spec


@dataclass
class Mutant:
    kind: str
    description: str
    location: Location
    overrides: dict[RuleKey, Permission | None]
    killed_by: str | None = None  # the first case that noticed
    cases_run: int = 0

    @property
    def survived(self) -> bool:
        return self.killed_by is None

    @property
    def rules(self) -> str:
        return ", ".join(f"{t} {a} {r}" for t, a, r in self.overrides)


@dataclass
class MutationReport:
    mutants: list[Mutant] = field(default_factory=list)
    without_effect: int = 0  # deny removals that change nothing (nothing to fall back to)
    equivalent: list[str] = field(default_factory=list)  # weakenings that cannot change anything

    @property
    def survivors(self) -> list[Mutant]:
        return [m for m in self.mutants if m.survived]


def rule_mutants(compiled: Compiled, schema: t.Schema, report: MutationReport) -> list[Mutant]:
    mutants = []
    for permission in compiled.permissions:
        table, action, role = key = permission.key
        seen: set[str] = {_canonical(permission.body)}
        for weakening in _weakenings(permission, action, schema):
            canonical = _canonical(weakening.body)
            if canonical in seen:
                continue
            seen.add(canonical)
            description = f"{table} {action} {role}: {weakening.description}"
            if weakening.implied and all(
                _implied(permission, action, schema, node) for node in weakening.implied
            ):
                report.equivalent.append(f"{permission.location}  {description}")
                continue
            assert permission.location is not None  # compiled rules are located
            mutants.append(
                Mutant(
                    weakening.kind,
                    description,
                    permission.location,
                    {key: replace(permission, body=weakening.body)},
                )
            )
    return mutants


@dataclass(frozen=True)
class _Weakening:
    kind: str
    description: str
    body: dict[str, Any]
    implied: tuple[t.Node, ...] = ()  # top-level check conjuncts it drops


def _weakenings(permission: Permission, action: str, schema: t.Schema) -> Iterator[_Weakening]:
    body = permission.body
    for part in ("filter", "check"):
        expression = body.get(part)
        if not expression:
            continue
        try:
            node = t.parse(expression, permission.table, schema)
        except HasuraPermError:
            yield _Weakening("condition removed", f"{part} replaced by {{}}", {**body, part: {}})
            continue
        top = node.items if isinstance(node, t.And) else (node,)
        check = part == "check"
        yield _Weakening(
            "condition removed",
            f"{part} replaced by {{}}",
            {**body, part: {}},
            top if check else (),
        )
        for path, shown, weaker, dropped in _dropped_conjuncts(node):
            yield _Weakening(
                "conjunct dropped",
                f"{part}: dropped {path} {shown}",
                {**body, part: t.to_json(weaker)},
                (dropped,) if check and dropped in top else (),
            )
    presets = body.get("set") or {}
    if action != "delete" and "columns" in body:
        granted = set(body["columns"])
        for column in schema.table(permission.table).columns:
            if column not in granted and column not in presets:
                columns = [*body["columns"], column]
                yield _Weakening(
                    "column added", f"column `{column}` added", {**body, "columns": columns}
                )
    for column in presets:
        rest = {c: v for c, v in presets.items() if c != column}
        no_preset = {**body, "set": rest} if rest else {k: v for k, v in body.items() if k != "set"}
        yield _Weakening("preset dropped", f"preset `{column}` dropped", no_preset)
    if action == "select" and body.get("limit") is not None:
        yield _Weakening("limit removed", "limit removed", _without(body, "limit"))
    if action == "select" and not body.get("allow_aggregations"):
        yield _Weakening(
            "aggregations allowed", "aggregations allowed", {**body, "allow_aggregations": True}
        )
    if body.get("backend_only"):
        yield _Weakening(
            "backend_only removed", "backend_only removed", _without(body, "backend_only")
        )


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


def _implied(permission: Permission, action: str, schema: t.Schema, conjunct: t.Node) -> bool:
    """Whether a check conjunct holds for every row the action can produce anyway, so that
    dropping it cannot change an outcome (an equivalent mutant, not a gap in the tests):

    - it sets a preset column to its preset value: `{owner: {_eq: X}}` with `set: {owner: X}`;
    - (update) it is also a conjunct of the filter, and every column of the row it reads is
      one the update cannot change (not granted, not preset): the filter already held for
      the same values. Other tables do not change during the statement.
    """
    presets = permission.body.get("set") or {}
    if isinstance(conjunct, t.Compare) and conjunct.name in presets and conjunct.computed is None:
        value = conjunct.bare if conjunct.is_bare else None
        if not conjunct.is_bare and len(conjunct.ops) == 1 and conjunct.ops[0].name == "_eq":
            value = conjunct.ops[0].value
        if value is not None and _same_operand(value, presets[conjunct.name]):
            return True
    if action != "update" or not permission.body.get("filter"):
        return False
    filter_node = t.parse(permission.body["filter"], permission.table, schema)
    filter_top = filter_node.items if isinstance(filter_node, t.And) else (filter_node,)
    shown = _canonical(t.to_json(conjunct))
    if shown not in {_canonical(t.to_json(n)) for n in filter_top}:
        return False
    changeable = set(permission.body.get("columns", [])) | set(presets)
    read = _root_columns(conjunct)
    return read is not None and not (read & changeable)


def _same_operand(a: Any, b: Any) -> bool:
    name_a, name_b = session_variable(a), session_variable(b)
    if name_a or name_b:
        return name_a == name_b
    return a == b


def _root_columns(node: t.Node, depth: int = 0) -> set[str] | None:
    """Columns of the root row an expression reads; None when it cannot be told (a computed
    field reads the whole row)."""
    found: set[str] = set()
    if isinstance(node, t.Compare):
        if node.computed is not None:
            return None
        if depth == 0:
            found.add(node.name)
        for op in node.ops:
            if op.name in q.COLUMN_COMPARE_SQL:
                value = op.value
                if isinstance(value, list) and len(value) == 2 and value[0] == "$":
                    found.add(value[1])
                elif depth == 0:
                    found.add(value[0] if isinstance(value, list) else value)
        return found
    if isinstance(node, t.SetComputed):
        return None
    if isinstance(node, t.Related) and depth == 0:
        found |= {here for here, _there in node.relationship.mapping}
    inner_depth = depth + 1 if isinstance(node, (t.Related, t.Exists)) else depth
    for child in t.children(node):
        columns = _root_columns(child, inner_depth)
        if columns is None:
            return None
        found |= columns
    return found


def _dropped_conjuncts(root: t.Node) -> Iterator[tuple[str, str, t.Node, t.Node]]:
    """Every tree with one conjunct removed where removing it widens the expression."""
    for node, path, positive in _with_polarity(root):
        if not positive:
            continue
        if isinstance(node, t.And) and node.items:
            for i, item in enumerate(node.items):
                rest = node.items[:i] + node.items[i + 1 :]
                label = t.walk_step(node, i, item)
                weaker = t.substitute(root, node, replace(node, items=rest))
                yield _join(path, label), _compact(t.to_json(item)), weaker, item
        elif isinstance(node, t.Compare) and len(node.ops) > 1:
            for i, op in enumerate(node.ops):
                other_ops = node.ops[:i] + node.ops[i + 1 :]
                shown = _compact({node.name: {op.key: op.value}})
                weaker = t.substitute(root, node, replace(node, ops=other_ops))
                yield _join(path, f"{node.name}.{op.key}"), shown, weaker, node


def _with_polarity(
    node: t.Node, path: str = "", positive: bool = True
) -> Iterator[tuple[t.Node, str, bool]]:
    yield node, path, positive
    if isinstance(node, (t.And, t.Or)):
        for i, item in enumerate(node.items):
            yield from _with_polarity(item, _join(path, t.walk_step(node, i, item)), positive)
    elif isinstance(node, t.Not):
        yield from _with_polarity(node.item, _join(path, "_not"), not positive)
    else:
        for child in t.children(node):
            yield from _with_polarity(child, _join(path, t.step_name(node)), positive)


def deny_mutants(
    spec: Spec, catalog: Catalog, compiled: Compiled, report: MutationReport
) -> list[Mutant]:
    """One mutant per `deny` in a table file or default: compile again without it."""
    mutants = []
    for holder, action, role in _denies(spec):
        node = holder.child(action, role)
        with _removed(holder.value[action], role):
            try:
                variant = compile_spec(spec, catalog)
            except SpecError:
                continue  # without the deny the project does not compile: not a mutant
        overrides = _differences(compiled, variant)
        if not overrides:
            report.without_effect += 1
            continue
        where = "table file" if "table" in holder.value else "default"
        mutants.append(
            Mutant(
                "deny removed",
                f"`deny` for {role} {action} removed ({where})",
                node.location,
                overrides,
            )
        )
    return mutants


def _denies(spec: Spec) -> Iterator[tuple[Any, str, str]]:
    for holder in [*spec.tables.values(), *spec.defaults]:
        for action in ACTIONS:
            for role, rule in list((holder.value.get(action) or {}).items()):
                if rule == "deny":
                    yield holder, action, role


@contextmanager
def _removed(container: dict[str, Any], key: str) -> Iterator[None]:
    saved = dict(container)
    del container[key]
    try:
        yield
    finally:
        container.clear()
        container.update(saved)


def _differences(before: Compiled, after: Compiled) -> dict[RuleKey, Permission | None]:
    out: dict[RuleKey, Permission | None] = {}
    for table in sorted(set(before.permissions.tables()) | set(after.permissions.tables())):
        for action in ACTIONS:
            roles = set(before.permissions.roles_of(table, action))
            roles |= set(after.permissions.roles_of(table, action))
            for role in sorted(roles):
                old, new = before.get(table, action, role), after.get(table, action, role)
                if (old.body if old else None) != (new.body if new else None):
                    out[(table, action, role)] = new
    return out


def run_mutants(
    mutants: list[Mutant],
    baseline: list[CaseResult],
    files: list[TestFile],
    runner: Runner,
    lookup: Lookup,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Rerun, per mutant, the passing cases that use a mutated rule; stop at the first
    case that fails."""
    passing = [r for r in baseline if r.passed]
    by_file: dict[str, list[CaseResult]] = {}
    for result in passing:
        by_file.setdefault(result.case.file, []).append(result)
    for index, test_file in enumerate(files, 1):
        results = by_file.get(test_file.display, [])
        pending = [m for m in mutants if m.survived and any(_affects(m, r) for r in results)]
        if not pending:
            continue
        if progress:
            progress(f"mutants: {test_file.display} ({index}/{len(files)}), {len(pending)} to try")
        with runner.fixtures(test_file):
            for mutant in pending:
                overlay = _overlay(lookup, mutant.overrides)
                for result in results:
                    if not _affects(mutant, result):
                        continue
                    mutant.cases_run += 1
                    if not runner.run(result.case, overlay).passed:
                        mutant.killed_by = result.case.title
                        break


def _affects(mutant: Mutant, result: CaseResult) -> bool:
    return any(key in result.uses for key in mutant.overrides)


def _overlay(lookup: Lookup, overrides: dict[RuleKey, Permission | None]) -> Lookup:
    def find(table: Any, action: str, role: str) -> Permission | None:
        key = (table, action, role)
        return overrides[key] if key in overrides else lookup(table, action, role)

    return find


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(copy.deepcopy(body), sort_keys=True, default=str)


def _compact(value: Any) -> str:
    text = json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _join(path: str, step: str) -> str:
    return f"{path}.{step}" if path else step
