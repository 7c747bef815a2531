"""What the rules rely on: boolean-expression facts and the shared judgements."""

from __future__ import annotations

import pytest

from hasura_perm.core.names import TableName
from hasura_perm.core.names import session_variables_in
from hasura_perm.lint.analysis import always_true
from hasura_perm.lint.analysis import caller_scoped
from hasura_perm.lint.analysis import depends_on
from hasura_perm.lint.analysis import scoping_columns
from hasura_perm.lint.context import LintContext
from hasura_perm.lint.context import Relation
from hasura_perm.lint.context import Settings
from hasura_perm.lint.context import TableInfo
from hasura_perm.lint.roles import is_admin

TASKS = TableName("public", "tasks")
PROJECTS = TableName("public", "projects")
CTX = LintContext(
    source="metadata",
    grants=[],
    tables={
        TASKS: TableInfo(
            TASKS,
            {"id": "integer", "project_id": "integer", "owner_id": "integer"},
            relationships={"project": Relation("project", "object", PROJECTS, ("project_id",))},
        ),
        PROJECTS: TableInfo(PROJECTS, {"id": "integer", "org_id": "integer"}),
    },
    roles={},
    session=None,
    has_schema=True,
)
ME = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
IN_MY_ORG = {"project": {"org_id": {"_eq": "X-Hasura-Org-Id"}}}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ({}, True),
        (None, True),
        ({"_and": []}, True),
        ({"_or": [{}, ME]}, True),
        ({"$and": [{}, {}]}, True),
        (ME, False),
        ({"_or": []}, False),
    ],
)
def test_always_true(expr, expected):
    assert always_true(expr) is expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (ME, True),
        ({"owner_id": "X-Hasura-User-Id"}, True),  # bare value: implicit _eq
        ({"_and": [{"id": {"_gt": 3}}, ME]}, True),
        ({"_or": [ME, {"id": {"_gt": 3}}]}, False),  # one branch admits anyone's rows
        ({"_not": ME}, False),
        ({"owner_id": {"_neq": "X-Hasura-User-Id"}}, False),
        (IN_MY_ORG, True),  # through a relationship
        (
            {
                "_exists": {
                    "_table": {"name": "projects", "schema": "public"},
                    "_where": {"org_id": {"$eq": "x-hasura-org-id"}},
                }
            },
            True,
        ),
        ({}, False),
    ],
)
def test_caller_scoped(expr, expected):
    assert caller_scoped(expr, CTX, TASKS) is expected


def test_columns_an_expression_depends_on_and_those_that_tie_rows_to_the_caller():
    expr = {"_and": [ME, IN_MY_ORG, {"id": {"_ceq": ["$", "owner_id"]}}]}
    assert depends_on(expr, CTX, TASKS) == {"owner_id", "project_id", "id"}
    assert scoping_columns(expr, CTX, TASKS) == {"owner_id", "project_id"}
    assert session_variables_in([expr, {"set": {"x": "X-Hasura-Role"}}]) == {
        "x-hasura-user-id",
        "x-hasura-org-id",
        "x-hasura-role",
    }


@pytest.mark.parametrize(
    ("role", "admin"),
    [("moped-admin", True), ("project_admin", True), ("Admin", True), ("superuser", True),
     ("badminton", False), ("editor", False), ("admins-helper", False)],
)  # fmt: skip
def test_admin_roles_are_guessed_from_whole_words(role, admin):
    assert is_admin(CTX, role) is admin


def test_listed_admin_roles_replace_the_guess():
    ctx = LintContext("metadata", [], {}, {}, None, True, settings=Settings(admin_roles=("boss",)))
    assert is_admin(ctx, "boss") and not is_admin(ctx, "moped-admin")


@pytest.mark.parametrize(
    ("name", "user"),
    [("x-hasura-user-id", True), ("X-Hasura-User-Db-Id", True), ("x-hasura-userid", True),
     ("x-hasura-org-id", False), ("x-hasura-user-email", False)],
)  # fmt: skip
def test_user_id_variables_are_guessed_from_the_name(name, user):
    assert CTX.is_user_variable(name) is user
