"""Which rule applies to a (table, action, role): the table file, else the most specific
matching default, else the parents' resolved rules (see compiler/permissions.py for the last step).

This module checks roles (unknown parents, cycles, Hasura's reserved `admin`) and indexes
defaults by table pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.graphs import depths
from hasura_perm.core.graphs import find_cycles
from hasura_perm.core.names import TableName
from hasura_perm.core.validate import did_you_mean
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec import ACTIONS
from hasura_perm.spec import Node
from hasura_perm.spec import Spec

MAX_INHERITANCE_DEPTH = 64


def role_parents(spec: Spec, problems: list[Diagnostic]) -> dict[str, tuple[str, ...]]:
    """Each declared role's parents; reports unknown parents, cycles and role `admin`."""
    parents: dict[str, tuple[str, ...]] = {}
    for name, node in spec.roles.items():
        if name == "admin":
            problems.append(
                Diagnostic(
                    node.location,
                    "role `admin` is Hasura's built-in superuser: it bypasses every permission "
                    "and Hasura rejects permissions for it; choose another name (e.g. `app_admin`)",
                )
            )
        inherits = (node.value or {}).get("inherits", ())
        inherits = (inherits,) if isinstance(inherits, str) else tuple(inherits)
        for parent in inherits:
            if parent not in spec.roles:
                hint = did_you_mean(parent, list(spec.roles))
                problems.append(
                    Diagnostic(
                        node.child("inherits").location,
                        f"role `{name}` inherits unknown role `{parent}`{hint}",
                    )
                )
        parents[name] = tuple(p for p in inherits if p in spec.roles)
    for cycle in find_cycles(parents):
        node = spec.roles[cycle[0]]
        problems.append(
            Diagnostic(node.location, f"roles inherit in a cycle: {' -> '.join(cycle)}")
        )
        for role in cycle:
            parents[role] = ()  # so resolution further on cannot loop
    for role, depth in depths(parents).items():
        if depth <= MAX_INHERITANCE_DEPTH:
            continue
        parents[role] = ()  # resolution recurses once per level
        if depth == MAX_INHERITANCE_DEPTH + 1:  # name the first role past the limit only
            problems.append(
                Diagnostic(
                    spec.roles[role].location,
                    f"role `{role}` inherits through {depth} levels; the limit is "
                    f"{MAX_INHERITANCE_DEPTH}",
                )
            )
    return parents


@dataclass(frozen=True)
class Default:
    node: Node  # the `defaults:` entry
    patterns: tuple[re.Pattern[str], ...]
    excludes: tuple[re.Pattern[str], ...]

    def match(self, table: TableName) -> int | None:
        """The specificity with which this default matches `table`, or None."""
        text = str(table)
        if any(p.fullmatch(text) for p in self.excludes):
            return None
        best = None
        for pattern in self.patterns:
            if pattern.fullmatch(text):
                score = _specificity(pattern.pattern)
                best = score if best is None else max(best, score)
        return best


def pattern_regex(pattern: str) -> re.Pattern[str]:
    if "." not in pattern and pattern != "*":
        pattern = f"public.{pattern}"
    if pattern == "*":
        pattern = "*.*"
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def _specificity(regex: str) -> int:
    # An exact name beats every wildcard; otherwise more literal characters win.
    literal = regex.replace(".*", "").replace("\\", "")
    return 10_000 if ".*" not in regex else len(literal)


def index_defaults(spec: Spec) -> list[Default]:
    defaults = []
    for node in spec.defaults:
        tables = node.value["tables"]
        patterns = (tables,) if isinstance(tables, str) else tuple(tables)
        defaults.append(
            Default(
                node=node,
                patterns=tuple(pattern_regex(p) for p in patterns),
                excludes=tuple(pattern_regex(p) for p in node.value.get("except", ())),
            )
        )
    return defaults


def managed_tables(
    spec: Spec, snapshot: Snapshot, defaults: list[Default], problems: list[Diagnostic]
) -> list[TableName]:
    """Tables whose permissions we own: those with a table file or matched by a default."""
    managed = set()
    for name, node in spec.tables.items():
        if name not in snapshot.tables:
            hint = did_you_mean(str(name), [str(t) for t in snapshot.tables])
            problems.append(
                Diagnostic(
                    node.child("table").location,
                    f"table {name} is not in the schema snapshot{hint}",
                )
            )
        else:
            managed.add(name)
    for default in defaults:
        matched = [t for t in snapshot.tables if default.match(t) is not None]
        if not matched:
            problems.append(
                Diagnostic(
                    default.node.child("tables").location,
                    "this pattern matches no table in the schema snapshot",
                )
            )
        managed.update(matched)
    return sorted(managed)


def default_rules(
    table: TableName, defaults: list[Default], problems: list[Diagnostic]
) -> dict[tuple[str, str], Node]:
    """(action, role) -> the rule of the most specific default that defines it for `table`."""
    candidates: dict[tuple[str, str], list[tuple[int, Node]]] = {}
    for default in defaults:
        score = default.match(table)
        if score is None:
            continue
        for action in ACTIONS:
            for role in default.node.value.get(action, {}):
                rule = default.node.child(action, role)
                candidates.setdefault((action, role), []).append((score, rule))
    chosen: dict[tuple[str, str], Node] = {}
    for (action, role), found in candidates.items():
        best = max(score for score, _ in found)
        top = [rule for score, rule in found if score == best]
        chosen[(action, role)] = top[0]
        for rule in top[1:]:
            problems.append(
                Diagnostic(
                    rule.location,
                    f"two equally specific defaults give {role} a {action} rule on {table} "
                    f"(the other is at {top[0].location}); make one pattern more specific or add "
                    "the rule to the table file",
                )
            )
    return chosen
