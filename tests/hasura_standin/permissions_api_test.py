"""Permission commands of the stand-in, rebuilt from Hasura's fixtures and source."""

from __future__ import annotations

from typing import Any

import pytest

from tests.hasura_standin import StandinServer
from tests.hasura_standin.conftest import Post

ARTICLE_CTX = 'Inconsistent object: in table "article": in permission for role "user": '


def create(
    kind: str, table: Any, role: str, permission: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    args = {"table": table, "role": role, "permission": permission, **extra}
    return {"type": f"pg_create_{kind}_permission", "args": args}


def select_on_article(filter_: dict[str, Any], columns: Any = "*") -> dict[str, Any]:
    return create("select", "article", "user", {"columns": columns, "filter": filter_})


def assert_inconsistent(response: Any, reason_tail: str) -> None:
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["path"]) == ("invalid-configuration", "$.args")
    assert body["error"] == ARTICLE_CTX + reason_tail
    assert body["internal"][0]["type"] == "select_permission"
    assert body["internal"][0]["reason"] == body["error"]


def test_create_and_drop_select_permission_for_role_user(metadata_api: Post) -> None:
    """tests-py/queries/v1/permissions/create_article_permission_role_user.yaml, on /v1/metadata."""
    perm = {"columns": "*", "filter": {"id": "X-Hasura-User-Id"}}
    created = metadata_api(create("select", "author", "user", perm))
    assert (created.status_code, created.json()) == (200, {"message": "success"})
    dropped = metadata_api(
        {"type": "pg_drop_select_permission", "args": {"table": "author", "role": "user"}}
    )
    assert (dropped.status_code, dropped.json()) == (200, {"message": "success"})


def test_permission_for_role_admin_is_refused(metadata_api: Post) -> None:
    """tests-py/queries/v1/permissions/create_article_permission_role_admin_error.yaml; the newer
    server refuses `admin` as an already defined permission (runCreatePerm), not at cache build."""
    perm = {"columns": "*", "filter": {"id": "X-Hasura-User-Id"}}
    response = metadata_api(create("select", "author", "admin", perm))
    assert response.status_code == 400
    assert response.json() == {
        "path": "$.args",
        "error": 'select permission already defined on table "author" with role "admin"',
        "code": "already-exists",
    }


def test_admin_permission_in_replaced_metadata_is_an_inconsistency(
    schema_standin: StandinServer,
) -> None:
    """Cache/Permission.hs: `cannot define permission for admin role`, in table/role context."""
    exported = schema_standin.export()
    author = exported["sources"][0]["tables"][1]
    author["select_permissions"] = [{"role": "admin", "permission": {"columns": "*", "filter": {}}}]
    objects = schema_standin.seed(exported)
    assert [o["reason"] for o in objects] == [
        'Inconsistent object: in table "author": in permission for role "admin": '
        "cannot define permission for admin role"
    ]


def test_role_longer_than_63_characters_is_accepted(metadata_api: Post) -> None:
    """tests-py/queries/v1/permissions/create_author_insert_permission_long_role.yaml."""
    for suffix in ("one", "two"):
        role = f"this.is.really.a.very.long.and.long.role.more.than.63.characters.{suffix}"
        response = metadata_api(create("insert", "author", role, {"columns": "*", "check": {}}))
        assert (response.status_code, response.json()) == (200, {"message": "success"})


def test_drop_of_a_missing_permission(metadata_api: Post) -> None:
    """runDropPerm (RQL/DDL/Permission.hs): `throw400 PermissionDenied`, as in every version since
    metadata became a JSON blob."""
    args = {"table": {"name": "author", "schema": "public"}, "role": "user"}
    response = metadata_api({"type": "pg_drop_update_permission", "args": args})
    assert response.status_code == 400
    assert response.json() == {
        "path": "$.args",
        "error": 'update permission on "author" for role "user" does not exist',
        "code": "permission-denied",
    }


def test_duplicate_permission_is_already_exists(metadata_api: Post) -> None:
    perm = {"columns": ["id"], "filter": {}}
    assert metadata_api(create("select", "author", "user", perm)).status_code == 200
    again = metadata_api(create("select", "author", "user", perm))
    assert again.status_code == 400
    assert again.json()["code"] == "already-exists"
    assert (
        again.json()["error"]
        == 'select permission already defined on table "author" with role "user"'
    )


def test_permission_on_untracked_table(metadata_api: Post) -> None:
    response = metadata_api(
        create(
            "select", {"schema": "other", "name": "nope"}, "user", {"columns": "*", "filter": {}}
        )
    )
    assert response.status_code == 400
    assert response.json() == {
        "path": "$.args",
        "error": 'table "other.nope" does not exist in source: default',
        "code": "not-exists",
    }


def test_unknown_column_in_columns(metadata_api: Post) -> None:
    """Message as issue #8688 and the reference: the `column` prefix comes from askColInfo."""
    assert_inconsistent(
        metadata_api(select_on_article({}, ["id", "foo"])), 'column "foo" does not exist'
    )


def test_unknown_column_in_set(metadata_api: Post) -> None:
    perm = {"columns": ["title"], "check": {}, "set": {"owner": "X-Hasura-User-Id"}}
    response = metadata_api(create("insert", "article", "user", perm))
    assert response.status_code == 400
    assert response.json()["error"] == ARTICLE_CTX + 'column "owner" does not exist'


def test_unknown_field_in_filter(metadata_api: Post) -> None:
    assert_inconsistent(
        metadata_api(select_on_article({"writer_id": {"_eq": 1}})), '"writer_id" does not exist'
    )


def test_relationship_fields_resolve_on_the_target_table(metadata_api: Post) -> None:
    ok = metadata_api(select_on_article({"author": {"name": {"_ilike": "%a%"}}}))
    assert ok.status_code == 200, ok.json()
    nested = metadata_api(
        create("select", "article", "editor", {"columns": "*", "filter": {"author": {"nick": {}}}})
    )
    assert nested.json()["error"].endswith('in permission for role "editor": "nick" does not exist')


def test_array_relationship_in_filter(metadata_api: Post) -> None:
    perm = {"columns": "*", "filter": {"articles": {"is_published": {"_eq": True}}}}
    assert metadata_api(create("select", "author", "user", perm)).status_code == 200


@pytest.mark.parametrize(
    ("filter_", "tail"),
    [
        (
            {"id": {"_like": "1%"}},
            ' is of type "integer"; this operator works only on columns of type '
            '"varchar", "text", "citext", "bpchar"',
        ),
        (
            {"title": {"_has_key": "a"}},
            ' is of type "text"; this operator works only on columns of type "jsonb"',
        ),
        (
            {"id": {"_ceq": "title"}},
            'incompatible column types: "id" has type "integer", but "title" has type "text"',
        ),
        ({"title": {"_foo": 1}}, "Unknown operator: _foo"),
        (
            {"id": {"_ceq": ["author", "id"]}},
            "Relationship references are not supported in column comparison RHS",
        ),
    ],
)
def test_operator_checks(metadata_api: Post, filter_: dict[str, Any], tail: str) -> None:
    """Texts from parseBoolExpOperations (Hasura/Backends/Postgres/DDL/BoolExp.hs)."""
    assert_inconsistent(metadata_api(select_on_article(filter_)), tail)


def test_json_column_cannot_be_in_a_boolexp(metadata_api: Post) -> None:
    response = metadata_api(
        create("select", "doc", "user", {"columns": "*", "filter": {"raw": {"_is_null": False}}})
    )
    assert response.status_code == 400
    assert response.json()["error"].endswith("JSON column can not be part of boolean expression")


def test_jsonb_and_array_operators_on_the_right_types(metadata_api: Post) -> None:
    filter_ = {
        "body": {"_has_keys_any": ["a", "b"]},
        "tags": {"_contains": ["x"]},
        "owner_id": {"_ceq": ["$", "id"]},
    }
    response = metadata_api(create("select", "doc", "user", {"columns": "*", "filter": filter_}))
    assert response.status_code == 200, response.json()


def test_session_variables_any_case_and_dollar_operators(metadata_api: Post) -> None:
    filter_ = {
        "$or": [
            {"author_id": {"$eq": "x-hasura-user-id"}},
            {"author_id": "X-HASURA-USER-ID"},
            {"id": {"_in": "X-Hasura-Allowed-Ids"}},
            {"id": {"_in": "Req_User_Id"}},  # isReqUserId: the legacy x-hasura-user-id
        ],
        "_not": {"is_published": {"_is_null": True}},
    }
    assert metadata_api(select_on_article(filter_)).status_code == 200


def test_exists_on_untracked_table(metadata_api: Post) -> None:
    filter_ = {"_exists": {"_table": "users", "_where": {"id": {"_eq": "X-Hasura-User-Id"}}}}
    assert_inconsistent(metadata_api(select_on_article(filter_)), 'table "users" does not exist')


def test_exists_table_of_wrong_shape_is_a_parse_failure(metadata_api: Post) -> None:
    """The shape of issue #10457's error: parse-failed, path down to `_exists._table`; the text is
    Postgres' `FromJSON (QualifiedObject a)` (Backends/Postgres/SQL/Types.hs)."""
    filter_ = {"_exists": {"_table": ["x"], "_where": {}}}
    response = metadata_api(select_on_article(filter_))
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["path"]) == (
        "parse-failed",
        "$.args.permission.filter._exists._table",
    )
    assert body["error"].startswith("Error when parsing command create_select_permission.\n")
    assert body["error"].endswith(
        "Internal error message: expecting a string/object for QualifiedObject"
    )


def test_missing_filter_is_a_parse_failure(metadata_api: Post) -> None:
    response = metadata_api(create("select", "author", "user", {"columns": "*"}))
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["path"]) == (
        "parse-failed",
        "$.args.permission",
    )


def test_set_permission_comment(metadata_api: Post, schema_standin: StandinServer) -> None:
    assert (
        metadata_api(
            create("update", "author", "user", {"columns": ["name"], "filter": {}})
        ).status_code
        == 200
    )
    args = {"table": "author", "role": "user", "permission": "update", "comment": "editors only"}
    response = metadata_api({"type": "pg_set_permission_comment", "args": args})
    assert (response.status_code, response.json()) == (200, {"message": "success"})
    perm = schema_standin.export()["sources"][0]["tables"][1]["update_permissions"][0]
    assert perm["comment"] == "editors only"
    metadata_api({"type": "pg_set_permission_comment", "args": args | {"comment": None}})
    assert (
        "comment" not in schema_standin.export()["sources"][0]["tables"][1]["update_permissions"][0]
    )


def test_set_comment_on_missing_permission_and_bad_type(metadata_api: Post) -> None:
    args = {"table": "author", "role": "user", "permission": "update", "comment": "x"}
    missing = metadata_api({"type": "pg_set_permission_comment", "args": args})
    assert missing.status_code == 400
    assert missing.json()["code"] == "permission-denied"
    assert (
        missing.json()["error"]
        == '\'update\' permission on "author" for role "user" does not exist'
    )
    bad = metadata_api(
        {"type": "pg_set_permission_comment", "args": args | {"permission": "upsert"}}
    )
    assert bad.json()["code"] == "parse-failed"
    assert bad.json()["path"] == "$.args.permission"
    assert bad.json()["error"].endswith(
        "perm_type should be one of 'insert', 'select', 'update', 'delete'"
    )


def test_update_permission_checks_check_and_set(metadata_api: Post) -> None:
    perm = {
        "columns": ["title", "content"],
        "filter": {"author_id": {"_eq": "X-Hasura-User-Id"}},
        "check": {"author_id": {"_eq": "X-Hasura-User-Id"}},
        "set": {"author_id": "x-hasura-user-id"},
    }
    assert metadata_api(create("update", "article", "user", perm)).status_code == 200
    bad = metadata_api(
        create("update", "article", "editor", perm | {"check": {"nope": {"_eq": 1}}})
    )
    assert bad.json()["error"].endswith('"nope" does not exist')


def test_set_comment_reads_the_type_from_permission_not_type(metadata_api: Post) -> None:
    """FromJSON SetPermComment (RQL/DDL/Permission.hs) reads `permission`; the documented `type`
    key is not read, so a request carrying only `type` fails to parse."""
    perm = {"columns": ["name"], "filter": {}}
    assert metadata_api(create("update", "author", "user", perm)).status_code == 200
    args = {"table": "author", "role": "user", "type": "update", "comment": "x"}
    response = metadata_api({"type": "pg_set_permission_comment", "args": args})
    assert response.status_code == 400
    assert response.json() == {
        "path": "$.args",
        "error": "Error when parsing command set_permission_comment.\n"
        "See our documentation at https://hasura.io/docs/latest/graphql/core/api-reference/"
        "metadata-api/index.html#metadata-apis.\n"
        'Internal error message: key "permission" not found',
        "code": "parse-failed",
    }


def _refusal(response: Any) -> str:
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-configuration"
    return response.json()["error"]


@pytest.mark.parametrize("key", ["query_root_fields", "subscription_root_fields"])
def test_select_by_pk_without_the_whole_primary_key_is_refused(
    metadata_api: Post, key: str
) -> None:
    """validateAllowedRootFields (RQL/DDL/Permission.hs): its ValidationFailed text becomes the
    permission's inconsistency reason, and the create answers invalid-configuration."""
    perm = {"columns": ["title"], "filter": {}, key: ["select", "select_by_pk"]}
    assert _refusal(metadata_api(create("select", "article", "user", perm))) == (
        ARTICLE_CTX + 'The "select_by_pk" field cannot be included in the query_root_fields or '
        'subscription_root_fields because the role "user" does not have access to the primary '
        'key of the table "article" in the source "default"'
    )
    allowed = perm | {"columns": ["id", "title"]}
    assert metadata_api(create("select", "article", "user", allowed)).status_code == 200
    star = perm | {"columns": "*"}
    assert metadata_api(create("select", "author", "user", star)).status_code == 200


def test_select_by_pk_on_a_table_without_primary_key_is_refused(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    schema_standin.run_sql("CREATE TABLE keyless (id integer, note text)")
    assert metadata_api({"type": "pg_track_table", "args": {"table": "keyless"}}).status_code == 200
    perm = {"columns": "*", "filter": {}, "query_root_fields": ["select_by_pk"]}
    assert _refusal(metadata_api(create("select", "keyless", "user", perm))).endswith(
        'does not have access to the primary key of the table "keyless" in the source "default"'
    )
    stream = {"columns": "*", "filter": {}, "subscription_root_fields": ["select_stream"]}
    assert metadata_api(create("select", "keyless", "user", stream)).status_code == 200


@pytest.mark.parametrize("key", ["query_root_fields", "subscription_root_fields"])
def test_select_aggregate_needs_allow_aggregations(metadata_api: Post, key: str) -> None:
    perm = {"columns": ["id"], "filter": {}, key: ["select_aggregate"]}
    assert _refusal(metadata_api(create("select", "article", "user", perm))) == (
        ARTICLE_CTX + 'The "select_aggregate" root field can only be enabled in the '
        'query_root_fields or  the subscription_root_fields when "allow_aggregations" is set '
        "to true"
    )
    allowed = perm | {"allow_aggregations": True}
    assert metadata_api(create("select", "article", "user", allowed)).status_code == 200


@pytest.mark.parametrize("action", ["insert", "update"])
def test_generated_and_identity_always_columns_cannot_be_granted(
    metadata_api: Post, schema_standin: StandinServer, action: str
) -> None:
    """buildInsPermInfo/buildUpdPermInfo: a listed column that is not insertable/updatable
    (pg_table_metadata.sql: identity ALWAYS or generated STORED) fails; `*` skips them."""
    schema_standin.run_sql(
        "CREATE TABLE gen (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int, "
        "b int GENERATED ALWAYS AS (a * 2) STORED)"
    )
    assert metadata_api({"type": "pg_track_table", "args": {"table": "gen"}}).status_code == 200
    rule = {"check": {}} if action == "insert" else {"filter": {}}
    able = "insertable" if action == "insert" else "updatable"
    for column in ("id", "b"):
        perm = rule | {"columns": ["a", column]}
        assert _refusal(metadata_api(create(action, "gen", "user", perm))).endswith(
            f'Column "{column}" is not {able} and so cannot have {action} permissions defined'
        )
    assert metadata_api(create(action, "gen", "user", rule | {"columns": "*"})).status_code == 200


def test_validate_input_is_stored_with_its_defaults(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """FromJSON ValidateInputHttpDefinition fills headers/timeout/forward_client_headers; the export
    writes the value through aeson's toJSON (key-sorted objects)."""
    check = {"type": "http", "definition": {"url": "https://v.example/a", "extra": 1}}
    perm = {"check": {}, "columns": ["name"], "validate_input": check}
    assert metadata_api(create("insert", "author", "user", perm)).status_code == 200
    stored = schema_standin.export()["sources"][0]["tables"][1]["insert_permissions"][0]
    exported = stored["permission"]["validate_input"]
    assert exported == {
        "definition": {
            "forward_client_headers": False,
            "headers": [],
            "timeout": 10,
            "url": "https://v.example/a",
        },
        "type": "http",
    }
    assert list(exported) == ["definition", "type"]
    assert list(exported["definition"]) == ["forward_client_headers", "headers", "timeout", "url"]


@pytest.mark.parametrize(
    ("definition", "path", "message"),
    [
        ({"url": "u", "timeout": -1}, "definition.timeout", "timeout value cannot be negative"),
        (
            {"url": "u", "headers": [{"name": "a"}]},
            "definition.headers[0]",
            "expecting value or value_from_env keys",
        ),
        (
            {"url": "u", "headers": [{"name": "a", "value_from_env": "HASURA_GRAPHQL_X"}]},
            "definition.headers[0]",
            "not allowed in value_from_env: HASURA_GRAPHQL_X",
        ),
        ({}, "definition", 'key "url" not found'),
    ],
)
def test_validate_input_definition_parse_failures(
    metadata_api: Post, definition: dict[str, Any], path: str, message: str
) -> None:
    perm = {"filter": {}, "validate_input": {"type": "http", "definition": definition}}
    response = metadata_api(create("delete", "author", "user", perm))
    assert (response.status_code, response.json()["code"]) == (400, "parse-failed")
    assert response.json()["path"] == f"$.args.permission.validate_input.{path}"
    assert response.json()["error"].endswith(message)


def test_root_fields_are_a_set_whose_export_order_ignores_the_given_order(
    metadata_api: Post, schema_standin: StandinServer
) -> None:
    """AllowedRootFields holds a HashSet (RQL/Types/Permission.hs); the export writes
    HashSet.toList, so the order sent and duplicates are not kept."""
    for role, given in (("a", ["select_by_pk", "select"]), ("b", ["select", "select_by_pk"])):
        perm = {"columns": "*", "filter": {}, "query_root_fields": given + given[:1]}
        assert metadata_api(create("select", "author", role, perm)).status_code == 200
    exported = schema_standin.export()["sources"][0]["tables"][1]["select_permissions"]
    first, second = (p["permission"]["query_root_fields"] for p in exported)
    assert first == second and sorted(first) == ["select", "select_by_pk"]


def test_unknown_root_field_is_aesons_tag_failure(metadata_api: Post) -> None:
    perm = {"columns": "*", "filter": {}, "subscription_root_fields": ["select", "select_all"]}
    response = metadata_api(create("select", "author", "user", perm))
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["path"]) == (
        "parse-failed",
        "$.args.permission.subscription_root_fields[1]",
    )
    assert body["error"].endswith(
        "Internal error message: parsing Hasura.RQL.Types.Permission.SubscriptionRootFieldType "
        'failed, expected one of the tags ["select","select_by_pk","select_aggregate",'
        '"select_stream"], but found tag "select_all"'
    )
