"""The permission model: one Permission, and a PermissionSet keyed by (table, action, role)."""

from __future__ import annotations

from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Ownership
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet

USERS = TableName("public", "users")
NOTES = TableName("public", "notes")
AUDIT = TableName("audit", "log")


def perm(table: TableName, action: str, role: str, **body: object) -> Permission:
    return Permission(table, action, role, dict(body))


def test_a_set_iterates_in_hasuras_order_whatever_the_order_added() -> None:
    permissions = PermissionSet(
        [
            perm(USERS, "delete", "admin"),
            perm(NOTES, "select", "viewer"),
            perm(USERS, "select", "viewer"),
            perm(USERS, "insert", "editor"),
            perm(USERS, "select", "editor"),
            perm(AUDIT, "select", "admin"),
        ]
    )
    assert [p.key for p in permissions] == [
        (AUDIT, "select", "admin"),
        (NOTES, "select", "viewer"),
        (USERS, "insert", "editor"),
        (USERS, "select", "editor"),
        (USERS, "select", "viewer"),
        (USERS, "delete", "admin"),
    ]
    assert len(permissions) == 6
    assert permissions.tables() == [AUDIT, NOTES, USERS]
    assert permissions.roles() == ["admin", "editor", "viewer"]
    assert permissions.roles_of(USERS, "select") == ["editor", "viewer"]
    assert [p.role for p in permissions.on(USERS, "select")] == ["editor", "viewer"]


def test_one_permission_per_key_adding_again_replaces_and_remove_forgets() -> None:
    permissions = PermissionSet([perm(USERS, "select", "viewer", columns=["id"])])
    permissions.add(perm(USERS, "select", "viewer", columns=["id", "name"]))
    assert len(permissions) == 1
    found = permissions.get(USERS, "select", "viewer")
    assert found is not None and found.body == {"columns": ["id", "name"]}
    assert (USERS, "select", "viewer") in permissions
    permissions.remove(USERS, "select", "viewer")
    permissions.remove(USERS, "select", "viewer")  # absent: nothing to do
    assert len(permissions) == 0 and not permissions
    assert permissions.get(USERS, "select", "viewer") is None
    assert permissions.tables() == []


def test_a_copy_is_independent() -> None:
    original = PermissionSet([perm(USERS, "select", "viewer")])
    copy = original.copy()
    copy.remove(USERS, "select", "viewer")
    assert len(original) == 1 and len(copy) == 0


def test_owned_and_unowned_split_by_managed_tables_and_declared_roles() -> None:
    permissions = PermissionSet(
        [
            perm(USERS, "select", "viewer"),
            perm(USERS, "select", "other"),
            perm(AUDIT, "select", "viewer"),
        ]
    )
    ownership = Ownership(frozenset({USERS}), frozenset({"viewer"}))
    assert [p.key for p in permissions.owned(ownership)] == [(USERS, "select", "viewer")]
    assert [p.key for p in permissions.unowned(ownership)] == [
        (AUDIT, "select", "viewer"),
        (USERS, "select", "other"),
    ]
    pruning = Ownership(frozenset({USERS}), frozenset({"viewer"}), prune=True)
    assert len(permissions.owned(pruning)) == 2


def test_in_source_names_every_table_with_its_source() -> None:
    permissions = PermissionSet([perm(USERS, "select", "viewer")]).in_source("crm")
    (moved,) = permissions
    assert moved.table == TableName("crm:public", "users")
    assert permissions.get(TableName("crm:public", "users"), "select", "viewer") is moved


def test_same_as_compares_what_hasura_stores_not_where_it_came_from() -> None:
    written = Permission(USERS, "select", "viewer", {"filter": {}}, "why", Location("a.yaml", 3))
    live = Permission(USERS, "select", "viewer", {"filter": {}}, "why")
    assert written.same_as(live) and written != live
    assert not written.same_as(Permission(USERS, "select", "viewer", {"filter": {}}))
    assert not written.same_as(None)


def test_the_parts_rules_read() -> None:
    insert = perm(USERS, "insert", "editor", check={"id": {"_eq": 1}}, set={"owner": "x"})
    assert insert.filter == {"id": {"_eq": 1}} and insert.check == {"id": {"_eq": 1}}
    assert insert.presets == {"owner": "x"} and not insert.backend_only
    select = perm(USERS, "select", "viewer", filter={}, check={"ignored": True})
    assert select.filter == {} and select.check is None
    inherited = Permission(USERS, "select", "chief", {}, origin="inherited from editor")
    assert inherited.where() == "the select rule of chief on public.users (inherited from editor)"


def test_sets_are_equal_when_they_hold_the_same_permissions() -> None:
    a = PermissionSet([perm(USERS, "select", "viewer"), perm(NOTES, "delete", "admin")])
    b = PermissionSet([perm(NOTES, "delete", "admin"), perm(USERS, "select", "viewer")])
    assert a == b
    b.add(perm(NOTES, "delete", "admin", filter={}))
    assert a != b
