"""`combines:`: a role that is a Hasura inherited role (`inherited_roles.yaml`), whose
permissions the server derives at request time from its parents. Pure: no I/O.

What the server allows (sthagen/hasura-graphql-engine, RQL/DDL/InheritedRoles.hs and
RQL/DDL/Schema/Cache/Permission.hs `orderRoles`): a role cannot be in its own set, and roles
cannot combine in a cycle. hasura-perm adds two rules of its own: a role either `inherits`
(compiled copies) or `combines` (derived by Hasura), not both, and no role `inherits` a
`combines` role, because the copies would miss everything Hasura derives for it.
"""

from __future__ import annotations

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.graphs import find_cycles
from hasura_perm.core.validate import did_you_mean
from hasura_perm.spec import Node
from hasura_perm.spec import Spec


def declared_combines(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Each role with `combines:` -> its parents as written (no checks)."""
    out: dict[str, tuple[str, ...]] = {}
    for name, node in spec.roles.items():
        value = (node.value or {}).get("combines")
        if value is not None:
            out[name] = (value,) if isinstance(value, str) else tuple(value)
    return out


def combined_roles(spec: Spec, problems: list[Diagnostic]) -> dict[str, tuple[str, ...]]:
    """Each `combines` role -> its known parents; every mistake goes to `problems`."""
    combines = declared_combines(spec)
    out: dict[str, tuple[str, ...]] = {}
    for name, parents in combines.items():
        node = spec.roles[name]
        if "inherits" in (node.value or {}):
            problems.append(
                Diagnostic(
                    node.child("combines").location,
                    f"role `{name}` has both `inherits` (hasura-perm copies its parents' rules) "
                    "and `combines` (Hasura derives its permissions); keep one",
                )
            )
        for index, parent in enumerate(parents):
            where = _item(node, index)
            if parent == name:
                problems.append(
                    Diagnostic(
                        where,
                        f'role `{name}` combines itself; Hasura refuses it: "an inherited role '
                        'name cannot be in the role combination"',
                    )
                )
            elif parent not in spec.roles:
                hint = did_you_mean(parent, list(spec.roles))
                problems.append(
                    Diagnostic(where, f"role `{name}` combines unknown role `{parent}`{hint}")
                )
        out[name] = tuple(p for p in parents if p in spec.roles and p != name)
    for cycle in find_cycles(out):
        problems.append(
            Diagnostic(
                spec.roles[cycle[0]].child("combines").location,
                f"roles combine in a cycle: {' -> '.join(cycle)} (Hasura refuses cycles in "
                "inherited roles)",
            )
        )
        for role in cycle:
            out[role] = ()
    _inherits_a_combines_role(spec, set(combines), problems)
    return out


def _item(node: Node, index: int) -> Location:
    if isinstance(node.value["combines"], list):
        return node.child("combines", index).location
    return node.child("combines").location


def _inherits_a_combines_role(spec: Spec, combines: set[str], problems: list[Diagnostic]) -> None:
    for name, node in spec.roles.items():
        inherits = (node.value or {}).get("inherits", ())
        inherits = (inherits,) if isinstance(inherits, str) else tuple(inherits)
        for parent in inherits:
            if parent in combines:
                problems.append(
                    Diagnostic(
                        node.child("inherits").location,
                        f"role `{name}` inherits `{parent}`, which Hasura derives (`combines`); "
                        f"copies would miss what Hasura derives for it: let `{name}` combine "
                        f"`{parent}` instead, or inherit its parents",
                    )
                )
