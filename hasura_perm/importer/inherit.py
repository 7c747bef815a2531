"""Infer role inheritance from the permissions themselves.

A role C inherits P when P's rules are (almost) a subset of C's: every (table, action)
where P has a rule, C has the same rule, except for a few overrides. The child then keeps
only what differs: its own rules where they differ (overrides), `deny` where P has a rule
and C has none, and the rules P does not have.

One parent per role, chosen among roles with fewer rules (so the result is a forest and
cannot loop). Hasura's `inherited_roles` are a different thing (a union of parents) and
are refused by the importer; see check.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from hasura_perm.core.names import TableName
from hasura_perm.importer.normalise import Rule
from hasura_perm.metadata.permission import PermissionSet

DENY = "deny"

Key = tuple[TableName, str]  # (table, action)


@dataclass(frozen=True)
class Inheritance:
    child: str
    parent: str
    shared: int  # the parent's rules the child has too, unchanged
    overrides: int  # the parent's rules the child has in another form
    denies: int  # the parent's rules the child does not have

    @property
    def benefit(self) -> int:
        return self.shared - self.overrides - self.denies


def rules_by_role(permissions: PermissionSet) -> dict[str, dict[Key, Rule]]:
    out: dict[str, dict[Key, Rule]] = {}
    for permission in permissions:
        out.setdefault(permission.role, {})[(permission.table, permission.action)] = (
            permission.stored
        )
    return out


def infer_inheritance(by_role: dict[str, dict[Key, Rule]]) -> dict[str, Inheritance]:
    """child -> its inheritance. Roles are placed from fewest rules to most; each picks the
    placed role it shares most with, if sharing clearly outweighs the exceptions."""
    order = sorted(by_role, key=lambda role: (len(by_role[role]), _rank(role), role))
    chosen: dict[str, Inheritance] = {}
    for index, child in enumerate(order):
        candidates = [_compare(child, parent, by_role) for parent in order[:index]]
        worthwhile = [c for c in candidates if _worthwhile(c)]
        if worthwhile:
            chosen[child] = max(worthwhile, key=lambda c: (c.benefit, c.shared, c.parent))
    return chosen


# When two roles have as many rules, a name that says "reads" makes the parent of one that
# says "writes" or "manages" (the data cannot tell which way round a person would put it).
_RANKS = (
    ("anonymous", "public", "guest", "view", "read", "user"),
    ("edit", "write", "author", "contrib"),
    ("manag", "admin", "owner", "super"),
)


def _rank(role: str) -> int:
    name = role.lower()
    for rank, words in enumerate(_RANKS):
        if any(word in name for word in words):
            return rank
    return 1


def _compare(child: str, parent: str, by_role: dict[str, dict[Key, Rule]]) -> Inheritance:
    mine, theirs = by_role[child], by_role[parent]
    shared = sum(1 for key, rule in theirs.items() if mine.get(key) == rule)
    denies = sum(1 for key in theirs if key not in mine)
    return Inheritance(child, parent, shared, len(theirs) - shared - denies, denies)


def _worthwhile(candidate: Inheritance) -> bool:
    # A subset with a few differences: most of the parent's rules carry over unchanged.
    exceptions = candidate.overrides + candidate.denies
    return candidate.shared >= 2 and candidate.shared >= 3 * exceptions


def residual_rules(
    by_role: dict[str, dict[Key, Rule]], parents: dict[str, str]
) -> dict[str, dict[Key, Rule | str]]:
    """role -> what must be written for it: its rules that differ from what it inherits,
    and DENY where it inherits a rule it must not have."""
    out: dict[str, dict[Key, Rule | str]] = {}
    for role, rules in by_role.items():
        parent = parents.get(role)
        inherited = by_role.get(parent, {}) if parent else {}
        own: dict[Key, Rule | str] = {k: r for k, r in rules.items() if inherited.get(k) != r}
        own.update({k: DENY for k in inherited if k not in rules})
        out[role] = own
    return out
