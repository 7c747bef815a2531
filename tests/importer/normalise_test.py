"""The documented normalisation, the naming of factored parts, and pattern choice."""

from __future__ import annotations

from hasura_perm.core.names import TableName
from hasura_perm.importer.naming import column_set_name
from hasura_perm.importer.naming import condition_name
from hasura_perm.importer.naming import preset_name
from hasura_perm.importer.normalise import first_difference
from hasura_perm.importer.normalise import normal_permission
from hasura_perm.importer.patterns import choose_tables
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet

COLUMNS = ["id", "name", "owner_id"]


def test_star_missing_columns_dollar_operators_exists_tables_and_empty_comments() -> None:
    body, comment = normal_permission(
        "select",
        {"columns": "*", "filter": {"$and": [{"owner_id": {"$eq": "X-Hasura-User-Id"}}]}},
        "",
        COLUMNS,
    )
    assert body == {
        "columns": ["id", "name", "owner_id"],
        "filter": {"_and": [{"owner_id": {"_eq": "X-Hasura-User-Id"}}]},
    }
    assert comment is None
    insert, _ = normal_permission(
        "insert", {"check": {"_exists": {"_table": "users", "_where": {}}}}, None, COLUMNS
    )
    assert insert == {
        "check": {"_exists": {"_table": {"name": "users", "schema": "public"}, "_where": {}}},
        "columns": ["id", "name", "owner_id"],
    }
    assert list(insert) == ["check", "columns"]  # the export's key order


def test_update_check_null_and_absent_agree_but_differ_from_empty() -> None:
    absent = normal_permission("update", {"columns": ["id"], "filter": {}}, None, COLUMNS)
    null = normal_permission(
        "update", {"columns": ["id"], "filter": {}, "check": None}, None, COLUMNS
    )
    empty = normal_permission(
        "update", {"columns": ["id"], "filter": {}, "check": {}}, None, COLUMNS
    )
    assert absent == null != empty


def test_json_values_keep_their_dollar_keys() -> None:
    body, _ = normal_permission(
        "select", {"columns": ["id"], "filter": {"doc": {"_contains": {"$ref": 1}}}}, None, COLUMNS
    )
    assert body["filter"] == {"doc": {"_contains": {"$ref": 1}}}


def test_first_difference_names_table_action_and_role() -> None:
    users = TableName("public", "users")
    a = PermissionSet([Permission(users, "delete", "a", {"filter": {}})])
    b = PermissionSet([Permission(users, "delete", "b", {"filter": {}})])
    assert first_difference(a, a.copy()) is None
    message = first_difference(a, PermissionSet())
    assert message == (
        "public.users delete for a: in the metadata, but the imported permissions grant nothing"
    )
    extra = first_difference(PermissionSet(), b)
    assert extra is not None and extra.startswith("public.users delete for b: not in the metadata")


def test_names_say_what_the_parts_hold() -> None:
    me = "x-hasura-user-db-id"
    assert condition_name({"created_by_user_id": {"_eq": me}}, {}) == "created_by_current_user"
    assert condition_name({"user_id": {"_eq": me}}, {}) == "belongs_to_current_user"
    assert condition_name({"id": {"_eq": me}}, {}) == "is_current_user"
    exists = {"_exists": {"_table": "public.users", "_where": {"id": {"_eq": me}}}}
    assert condition_name(exists, {}) == "users_where_is_current_user"
    assert condition_name({"owner_id": {"_eq": me}}, {}) == "owner_is_current_user"
    assert condition_name({"is_deleted": {"_eq": False}}, {}) == "not_deleted"
    assert condition_name({"status": {"_eq": "active"}}, {}) == "status_is_active"
    assert (
        condition_name(
            {"_and": [{"is_deleted": {"_eq": False}}, {"is_published": {"_eq": True}}]}, {}
        )
        == "not_deleted_and_published"
    )
    assert condition_name({"project": {"is_deleted": {"_eq": False}}}, {}) == "project_not_deleted"
    audit = ["created_at", "created_by_user_id", "updated_at", "updated_by_user_id"]
    assert column_set_name(audit, set()) == "audit"
    assert column_set_name(["note_id", "file_id"], {"note_id", "file_id"}) == "primary_keys"
    assert column_set_name(["geo_lat", "geo_lon", "geo_alt"], set()) == "geo_columns"
    assert column_set_name(["id", *audit], set()) == "id_and_audit"
    stamp = {"created_by_user_id": me, "updated_by_user_id": me}
    assert preset_name(stamp) == "stamp_created_by_and_updated_by"
    assert preset_name({"status": "draft"}) == "set_status_draft"


def test_patterns_cover_the_targets_and_except_what_they_must_not_touch() -> None:
    names = ["project_notes", "project_files", "project_links", "project_types", "users", "tags"]
    universe = [TableName("public", n) for n in names] + [TableName("audit", "log")]
    targets = {TableName("public", n) for n in ("project_notes", "project_files", "project_links")}
    spec = choose_tables(targets, {t for t in universe if t not in targets}, universe)
    assert (spec.patterns, spec.excepts) == (["public.project_*"], ["public.project_types"])
    few = choose_tables({universe[4]}, set(universe) - {universe[4]}, universe)
    assert (few.patterns, few.excepts) == (["public.users"], [])
