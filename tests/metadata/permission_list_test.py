from __future__ import annotations

from hasura_perm.metadata.permission_list import with_permission_list


def test_the_list_goes_before_the_named_key() -> None:
    entry = {"name": "a", "definition": {}, "comment": "c"}
    out = with_permission_list(entry, [{"role": "r"}], before="comment")
    assert list(out) == ["name", "definition", "permissions", "comment"]


def test_an_existing_list_is_replaced_in_place() -> None:
    entry = {"name": "a", "permissions": [{"role": "old"}], "remote_relationships": []}
    out = with_permission_list(entry, [{"role": "new"}], before="remote_relationships")
    assert out == {"name": "a", "permissions": [{"role": "new"}], "remote_relationships": []}
    assert list(out) == ["name", "permissions", "remote_relationships"]


def test_without_the_named_key_the_list_goes_last() -> None:
    out = with_permission_list({"function": {}, "configuration": {}}, [{"role": "r"}], "comment")
    assert list(out) == ["function", "configuration", "permissions"]


def test_an_empty_list_removes_the_key() -> None:
    entry = {"name": "a", "permissions": [{"role": "r"}], "comment": "c"}
    assert with_permission_list(entry, [], before="comment") == {"name": "a", "comment": "c"}
