"""What Hasura derives for `combines` roles (compiler/derived.py), as Permission.hs and
CombinedSelPermInfo (Hasura/Table/Cache.hs) combine the parents'."""

from __future__ import annotations

from types import SimpleNamespace

from hasura_perm.compiler.derived import derived_permissions
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission

T = TableName("public", "t")


def compiled(rules: dict[tuple[str, str], dict], combines: dict[str, tuple[str, ...]]) -> Compiled:
    out = Compiled(tables=[T], roles=sorted({r for _, r in rules} | set(combines)))
    for (action, role), body in rules.items():
        permission = Permission(T, action, role, body, None, Location("x.yaml", 1), "table file")
        out.permissions.add(permission)
    out.surface = SimpleNamespace(combines=combines)
    return out


def test_select_is_the_union_with_the_largest_limit_any_parent_sets() -> None:
    rules = {
        ("select", "a"): {"columns": ["id"], "filter": {"id": {"_eq": 1}}, "limit": 5},
        ("select", "b"): {"columns": ["id", "name"], "filter": {"id": {"_eq": 2}}},
    }
    got = derived_permissions(compiled(rules, {"ab": ("a", "b")})).get(T, "select", "ab")
    assert got is not None
    assert got.body == {
        "columns": ["id", "name"],
        "filter": {"_or": [{"id": {"_eq": 1}}, {"id": {"_eq": 2}}]},
        "limit": 5,
    }
    assert got.origin == "derived by Hasura from a, b"


def test_writes_only_where_parents_agree_and_own_rules_come_first() -> None:
    same = {"columns": ["name"], "filter": {}, "check": None}
    rules = {
        ("update", "a"): same,
        ("update", "b"): same,
        ("delete", "a"): {"filter": {}},
        ("delete", "b"): {"filter": {"id": {"_eq": 1}}},
        ("insert", "a"): {"columns": ["id"], "check": {}},
        ("insert", "ab"): {"columns": ["name"], "check": {}},  # its own
    }
    derived = derived_permissions(compiled(rules, {"ab": ("a", "b"), "top": ("ab",)}))
    assert derived.get(T, "update", "ab").body == same
    assert derived.get(T, "delete", "ab") is None  # parents differ: nothing (an inconsistency)
    assert derived.get(T, "insert", "ab") is None
    # a combines parent passes on both its own and its derived permissions
    assert derived.get(T, "insert", "top").body == {"columns": ["name"], "check": {}}
    assert derived.get(T, "update", "top").body == same
