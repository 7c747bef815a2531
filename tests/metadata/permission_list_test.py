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


def test_owned_roles_take_the_wanted_entries_and_others_keep_their_place() -> None:
    from hasura_perm.metadata.permission_list import with_owned_permissions

    entry = {"name": "a", "permissions": [{"role": "x"}, {"role": "mine", "comment": "old"}]}
    wanted = {"mine": {"role": "mine"}, "new": {"role": "new"}}
    out = with_owned_permissions(entry, wanted, {"mine", "new", "gone"}, before="comment")
    assert out["permissions"] == [{"role": "x"}, {"role": "mine"}, {"role": "new"}]
    same = with_owned_permissions(
        entry,
        {"mine": {"role": "mine"}},
        {"mine"},
        before="comment",
        keep=lambda present, new: True,
    )
    assert same is entry
