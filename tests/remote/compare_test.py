"""The semantic diff of permission bodies, field by field (the expressions' normal form and
effects are in tests/boolexp/normal_test.py and effect_test.py)."""

from __future__ import annotations

from typing import Any

import pytest

from hasura_perm.boolexp.effect import MIXED
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.remote.compare import comparable
from hasura_perm.remote.compare import field_changes
from hasura_perm.remote.plan import Change
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.plan import apply_changes
from hasura_perm.remote.plan import diff
from hasura_perm.remote.plan import same_permissions

OWN = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
LIVE = {"is_deleted": {"_eq": False}}
PUBLISHED = {"status": {"_eq": "published"}}
T = TableName("public", "notes")


def select(**fields: Any) -> dict[str, Any]:
    return canonical_permission("select", {"columns": ["id", "title"], "filter": OWN} | fields)


@pytest.mark.parametrize(
    ("after", "field", "effect"),
    [
        (select(columns=["id", "title", "body"]), "columns", WIDENING),
        (select(columns=["id"]), "columns", NARROWING),
        (select(columns=["id", "body"]), "columns", MIXED),
        (select(columns="*"), "columns", WIDENING),
        (select(limit=10), "limit", NARROWING),
        (select(allow_aggregations=True), "allow_aggregations", WIDENING),
        (select(query_root_fields=["select"]), "query_root_fields", NARROWING),
        (select(computed_fields=["n"]), "computed_fields", WIDENING),
        (select(filter={}), "filter", WIDENING),
    ],
)
def test_field_effects_of_select(after: dict[str, Any], field: str, effect: str) -> None:
    changes = field_changes(select(), after)
    assert list(changes) == [field]
    assert changes[field]["effect"] == effect


def test_limit_and_root_fields_and_flags_in_both_directions() -> None:
    assert field_changes(select(limit=10), select(limit=20))["limit"]["effect"] == WIDENING
    assert field_changes(select(limit=10), select())["limit"]["effect"] == WIDENING
    narrowed = field_changes(select(query_root_fields=["select", "select_by_pk"]), select())
    assert narrowed["query_root_fields"]["effect"] == WIDENING  # absent means every root field
    delete = canonical_permission("delete", {"filter": OWN})
    backend = canonical_permission("delete", {"filter": OWN, "backend_only": True})
    assert field_changes(delete, backend)["backend_only"]["effect"] == NARROWING
    assert field_changes(backend, delete)["backend_only"]["effect"] == WIDENING


def test_presets_force_values_so_adding_one_narrows() -> None:
    base = canonical_permission("insert", {"check": {}, "columns": ["title"]})
    stamped = canonical_permission("insert", {"check": {}, "columns": ["title"], "set": {"owner_id": "X-Hasura-User-Id"}})  # fmt: skip
    assert field_changes(base, stamped)["set"] == {
        "before": None,
        "after": {"owner_id": "X-Hasura-User-Id"},
        "added": ["owner_id"],
        "removed": [],
        "changed": [],
        "effect": NARROWING,
    }
    assert field_changes(stamped, base)["set"]["effect"] == WIDENING


def test_update_check_null_absent_and_empty_are_equal() -> None:
    with_null = canonical_permission("update", {"columns": ["a"], "filter": {}, "check": None})
    absent = canonical_permission("update", {"columns": ["a"], "filter": {}})
    empty = canonical_permission("update", {"columns": ["a"], "filter": {}, "check": {}})
    assert comparable(with_null) == comparable(absent) == comparable(empty)


def test_columns_and_root_fields_compare_as_sets() -> None:
    a = {"columns": ["b", "a"], "filter": {}, "query_root_fields": ["select_by_pk", "select"]}
    b = {"columns": ["a", "b"], "filter": {}, "query_root_fields": ["select", "select_by_pk"]}
    assert field_changes(a, b) == {}


def test_changed_conjuncts_are_named_when_the_rest_is_shared() -> None:
    changes = field_changes(select(filter={**OWN, **LIVE}), select(filter={**OWN, **PUBLISHED}))
    detail = changes["filter"]
    assert detail["effect"] == MIXED
    assert detail["added_conjuncts"] == [{"status": {"_eq": "published"}}]
    assert detail["removed_conjuncts"] == [{"is_deleted": {"_eq": False}}]


def perms(*items: tuple[str, str, dict, str | None]) -> PermissionSet:
    """Permissions on T: (action, role, body, comment) each."""
    return PermissionSet(Permission(T, a, r, body, comment) for a, r, body, comment in items)


def test_diff_records_add_remove_update_with_effects() -> None:
    before = perms(("select", "viewer", select(), None), ("select", "old", select(), None))
    after = perms(
        ("select", "viewer", select(columns=["id"]), "why"), ("select", "new", select(), None)
    )
    changes = diff(before, after)
    assert [(c.role, c.change, c.effect) for c in changes] == [
        ("new", "add", WIDENING),
        ("old", "remove", NARROWING),
        ("viewer", "update", NARROWING),
    ]
    assert changes[2].fields["comment"] == {"before": None, "after": "why", "effect": NEUTRAL}
    assert same_permissions(apply_changes(before, changes), after)


def test_a_comment_change_alone_is_neutral() -> None:
    before = perms(("select", "viewer", select(), None))
    after = perms(("select", "viewer", select(), "documented"))
    (change,) = diff(before, after)
    assert (change.effect, change.comment_only) == (NEUTRAL, True)


def test_change_record_and_plan_round_trip_through_json() -> None:
    before = perms(("update", "editor", canonical_permission("update", {"columns": ["a"], "filter": OWN}), None))  # fmt: skip
    after = perms(("update", "editor", canonical_permission("update", {"columns": ["a", "b"], "filter": {}}), None))  # fmt: skip
    plan = Plan(diff(before, after), "staging", "https://h.example", "default", 7)
    data = plan.to_json()
    record = data["changes"][0]
    assert list(record) == ["table", "role", "action", "change", "effect", "detail"]
    assert (record["table"], record["role"], record["action"]) == (
        "public.notes",
        "editor",
        "update",
    )
    assert (record["change"], record["effect"]) == ("update", WIDENING)
    assert record["detail"]["fields"]["columns"]["added"] == ["b"]
    assert data["summary"] == {
        "changes": 1, "add": 0, "update": 1, "remove": 0,
        "widening": 1, "narrowing": 0, "mixed": 0, "neutral": 0,
    }  # fmt: skip
    assert plan.exit_code == 2
    again = Plan.from_json(data, "plan.json")
    assert again.changes == [Change.from_json(record)] == plan.changes
    assert Plan([], "s", "e", "default", 1).exit_code == 0


def test_validate_input_compares_in_the_form_the_server_stores() -> None:
    """The server fills in headers/timeout/forward_client_headers (FromJSON
    ValidateInputHttpDefinition) and exports keys sorted; a `{url}` definition equals that."""
    given = {"type": "http", "definition": {"url": "https://v.example/a"}}
    stored = {
        "definition": {
            "forward_client_headers": False,
            "headers": [],
            "timeout": 10,
            "url": "https://v.example/a",
        },
        "type": "http",
    }
    body = {"filter": {}}
    assert comparable(body | {"validate_input": given}) == comparable(
        body | {"validate_input": stored}
    )
    longer = stored | {"definition": stored["definition"] | {"timeout": 5}}
    assert field_changes(body | {"validate_input": given}, body | {"validate_input": longer})
    assert canonical_permission("delete", body | {"validate_input": given}) == {
        "filter": {},
        "validate_input": stored,
    }
