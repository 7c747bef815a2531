"""Boolean expressions through real projects: named conditions, session variables,
relationships (from metadata table files), `_exists`, operators by column type, and
the normal form Hasura exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import NOTES_METADATA
from tests.helpers import USERS_METADATA
from tests.helpers import assert_problem
from tests.helpers import build_project
from tests.helpers import column_of
from tests.helpers import line_of
from tests.helpers import make_project
from tests.helpers import permission
from tests.helpers import problems_of

ROLES = """\
session:
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
  X-Hasura-Org-Id: {from: "custom:org_id", type: integer}
  x-hasura-org-ids: {from: "custom:org_ids", type: "integer[]"}
roles:
  viewer: {}
  editor: {inherits: viewer}
"""
CONDITIONS = """\
conditions:
  own: {created_by: {_eq: x-hasura-user-db-id}}
  not_deleted: {is_deleted: {_eq: false}}
  own_live: {_and: [own, not_deleted]}
  active_user: {is_active: {_eq: true}}
"""
NOTES = "permissions/tables/notes.yaml"
USERS = "permissions/tables/users.yaml"
CONDITIONS_FILE = "permissions/conditions.yaml"


def notes_rule(expression: str, key: str = "filter") -> str:
    """A notes table file whose viewer rule uses `expression` (one line of YAML)."""
    if key == "filter":
        return f"table: public.notes\nselect:\n  viewer:\n    columns: [id]\n    filter: {expression}\n"
    if key == "check":
        return f"table: public.notes\ninsert:\n  viewer:\n    columns: [title]\n    check: {expression}\n"
    return (
        "table: public.notes\nupdate:\n  viewer:\n    columns: [title]\n    filter: {}\n"
        f"    check: {expression}\n"
    )


def project(
    tmp_path: Path,
    notes: str | None = None,
    users: str | None = None,
    conditions: str = CONDITIONS,
    roles: str = ROLES,
    metadata: dict[str, str] | None = None,
) -> Path:
    files = {"roles.yaml": roles, "conditions.yaml": conditions}
    if notes is not None:
        files["tables/notes.yaml"] = notes
    if users is not None:
        files["tables/users.yaml"] = users
    tracked = {"public.notes": NOTES_METADATA, "public.users": USERS_METADATA}
    return make_project(tmp_path / "project", files, metadata=tracked | (metadata or {}))


def compiled_filter(tmp_path: Path, expression: str, key: str = "filter") -> object:
    result = build_project(project(tmp_path, notes_rule(expression, key)))
    action = {"filter": "select", "check": "insert", "post": "update"}[key]
    body = permission(result, "public.notes", action, "viewer")
    return body["check" if key != "filter" else "filter"]


def problems_for(tmp_path: Path, expression: str, key: str = "filter"):
    root = project(tmp_path, notes_rule(expression, key))
    return root, problems_of(root)


# ------------------------------------------------------------ named conditions


def test_condition_name_expands(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "not_deleted") == {"is_deleted": {"_eq": False}}


def test_conditions_compose_inside_and_or_not(tmp_path: Path) -> None:
    expression = "{_and: [own, {_or: [not_deleted, {_not: own}]}]}"
    assert compiled_filter(tmp_path, expression) == {
        "_and": [
            {"created_by": {"_eq": "x-hasura-user-db-id"}},
            {
                "_or": [
                    {"is_deleted": {"_eq": False}},
                    {"_not": {"created_by": {"_eq": "x-hasura-user-db-id"}}},
                ]
            },
        ]
    }


def test_condition_built_from_conditions(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "own_live") == {
        "_and": [
            {"created_by": {"_eq": "x-hasura-user-db-id"}},
            {"is_deleted": {"_eq": False}},
        ]
    }


def test_condition_next_to_columns(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{_not: not_deleted, title: {_eq: a}}") == {
        "_not": {"is_deleted": {"_eq": False}},
        "title": {"_eq": "a"},
    }


def test_condition_cycle(tmp_path: Path) -> None:
    conditions = CONDITIONS + "  loop_a: {_and: [loop_b]}\n  loop_b: {_not: loop_a}\n"
    root = project(tmp_path, notes_rule("loop_a"), conditions=conditions)
    problems = problems_of(root)
    assert_problem(
        problems,
        CONDITIONS_FILE,
        line_of(root / CONDITIONS_FILE, "loop_a:"),
        "condition `loop_a` refers to itself (loop_a -> loop_b -> loop_a)",
    )
    assert len(problems) == 1


def test_condition_referring_to_itself_directly(tmp_path: Path) -> None:
    conditions = CONDITIONS + "  me: {_or: [own, me]}\n"
    root = project(tmp_path, notes_rule("me"), conditions=conditions)
    assert_problem(
        problems_of(root),
        CONDITIONS_FILE,
        line_of(root / CONDITIONS_FILE, "me:"),
        "condition `me` refers to itself (me -> me)",
    )


def test_the_same_condition_twice_is_not_a_cycle(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{_and: [own, own_live, {_or: [own]}]}")["_and"][0] == {
        "created_by": {"_eq": "x-hasura-user-db-id"}
    }


def test_unknown_condition_with_suggestion(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{_and: [own, not_deletd]}")
    assert_problem(
        problems,
        NOTES,
        5,
        "unknown condition `not_deletd`; did you mean `not_deleted`?",
        column=column_of(root / NOTES, "not_deletd"),
    )


def test_unknown_condition_without_a_close_name(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "zzz")
    # A scalar value is located at its key.
    assert_problem(
        problems, NOTES, 5, "unknown condition `zzz`; define it under `conditions:`", column=5
    )


def test_problem_inside_a_condition_points_at_the_condition(tmp_path: Path) -> None:
    conditions = CONDITIONS + "  titled: {titel: {_eq: x}}\n"
    root = project(tmp_path, notes_rule("titled"), conditions=conditions)
    assert_problem(
        problems_of(root),
        CONDITIONS_FILE,
        line_of(root / CONDITIONS_FILE, "titled:"),
        "unknown column or relationship `titel` on public.notes "
        "(in condition `titled`, for the rule on public.notes); did you mean `title`?",
    )


def test_a_condition_is_checked_against_each_table_that_uses_it(tmp_path: Path) -> None:
    users = "table: public.users\nselect:\n  viewer: {columns: [id], filter: not_deleted}\n"
    root = project(tmp_path, notes_rule("not_deleted"), users=users)
    problems = problems_of(root)
    assert_problem(
        problems,
        CONDITIONS_FILE,
        line_of(root / CONDITIONS_FILE, "not_deleted:"),
        "unknown column or relationship `is_deleted` on public.users "
        "(in condition `not_deleted`, for the rule on public.users)",
    )
    assert len(problems) == 1


def test_each_problem_is_reported_once(tmp_path: Path) -> None:
    # One broken condition used by two rules of the same table is one mistake.
    conditions = CONDITIONS + "  broken: {nope: {_eq: 1}}\n"
    notes = (
        "table: public.notes\n"
        "select:\n  viewer: {columns: [id], filter: broken}\n"
        "delete:\n  viewer: {filter: broken}\n"
    )
    root = project(tmp_path, notes, conditions=conditions)
    problems = problems_of(root)
    assert len(problems) == len(set(problems)), "\n".join(map(str, problems))
    assert_problem(problems, CONDITIONS_FILE, line_of(root / CONDITIONS_FILE, "broken:"), "`nope`")


def test_condition_must_be_a_boolean_expression(tmp_path: Path) -> None:
    root = project(tmp_path, notes_rule("{}"), conditions="conditions:\n  bad: [1, 2]\n")
    assert_problem(
        problems_of(root),
        CONDITIONS_FILE,
        2,
        "is not valid in `bad`",
        "boolean expression",
    )


def test_condition_defined_twice_across_files(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project",
        {
            "roles.yaml": ROLES,
            "conditions.yaml": CONDITIONS,
            "more/conditions.yaml": "conditions:\n  own: {id: {_eq: 1}}\n",
        },
    )
    assert_problem(
        problems_of(root),
        "permissions/more/conditions.yaml",
        2,
        f"condition `own` is already defined at {CONDITIONS_FILE}:2:3",
    )


# ---------------------------------------------------------- session variables


@pytest.mark.parametrize("key", ["filter", "check", "post"])
def test_declared_session_variable_is_accepted(tmp_path: Path, key: str) -> None:
    assert compiled_filter(tmp_path, "{created_by: {_eq: X-Hasura-User-Db-Id}}", key) == {
        "created_by": {"_eq": "X-Hasura-User-Db-Id"}
    }


def test_session_variables_are_case_insensitive_and_kept_as_written(tmp_path: Path) -> None:
    # Declared as X-Hasura-Org-Id, used in lower and upper case.
    expression = "{_or: [{org_id: {_eq: x-hasura-org-id}}, {org_id: X-HASURA-ORG-ID}]}"
    root = project(tmp_path, notes_rule(expression))
    result = build_project(root)
    assert permission(result, "public.notes", "select", "viewer")["filter"] == {
        "_or": [{"org_id": {"_eq": "x-hasura-org-id"}}, {"org_id": "X-HASURA-ORG-ID"}]
    }
    assert result.compiled.session_used == {"x-hasura-org-id"}


def test_req_user_id_is_hasuras_legacy_name_for_x_hasura_user_id(tmp_path: Path) -> None:
    # Backends/Postgres/DDL.hs parseCollectableType: isReqUserId (`req_user_id`, any case)
    # reads as x-hasura-user-id, in operands and presets alike.
    roles = ROLES.replace("session:\n", "session:\n  x-hasura-user-id: {from: sub}\n")
    notes = notes_rule("{author_id: {_eq: REQ_USER_ID}}")
    notes += "insert:\n  viewer:\n    columns: [title]\n    check: {}\n    set: {author_id: req_user_id}\n"
    result = build_project(project(tmp_path, notes, roles=roles))
    assert permission(result, "public.notes", "select", "viewer")["filter"] == {
        "author_id": {"_eq": "REQ_USER_ID"}
    }
    assert permission(result, "public.notes", "insert", "viewer")["set"] == {
        "author_id": "req_user_id"
    }
    assert result.compiled.session_used == {"x-hasura-user-id"}


def test_req_user_id_needs_x_hasura_user_id_declared(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{author_id: {_eq: Req_User_Id}}")
    assert_problem(problems, NOTES, 5, "session variable `Req_User_Id` is not declared")


def test_session_prefix_is_matched_case_folded_as_in_hasura(tmp_path: Path) -> None:
    # Session.hs isSessionVariable uses T.toCaseFold: the long s (U+017F) folds to `s`.
    expression = "{org_id: {_eq: x-haſura-org-id}}"
    result = build_project(project(tmp_path, notes_rule(expression)))
    assert result.compiled.session_used == {"x-hasura-org-id"}


@pytest.mark.parametrize(
    ("key", "line"),
    [("filter", 5), ("check", 5), ("post", 6)],
    ids=["filter", "insert-check", "post-update-check"],
)
def test_undeclared_session_variable(tmp_path: Path, key: str, line: int) -> None:
    root, problems = problems_for(tmp_path, "{author_id: {_eq: x-hasura-team-id}}", key)
    assert_problem(
        problems,
        NOTES,
        line,
        "session variable `x-hasura-team-id` is not declared",
        column=column_of(root / NOTES, "_eq"),
    )


def test_undeclared_session_variable_without_a_close_name(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{author_id: {_eq: x-hasura-qqqqqqqqqqqqqqqqqqqqqqqq}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "session variable `x-hasura-qqqqqqqqqqqqqqqqqqqqqqqq` is not declared; "
        "declare it under `session:`",
    )


def test_undeclared_session_variable_with_suggestion(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{created_by: {_eq: x-hasura-user-dbid}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "session variable `x-hasura-user-dbid` is not declared; "
        "did you mean `x-hasura-user-db-id`?",
    )


def test_undeclared_session_variable_as_bare_value(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{created_by: X-Hasura-Nobody}")
    assert_problem(problems, NOTES, 5, "session variable `X-Hasura-Nobody` is not declared")


def test_session_variable_in_in(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{org_id: {_in: X-Hasura-Org-Ids}}") == {
        "org_id": {"_in": "X-Hasura-Org-Ids"}
    }


def test_undeclared_session_variable_in_in(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{org_id: {_nin: x-hasura-team-ids}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "session variable `x-hasura-team-ids` is not declared",
        column=column_of(root / NOTES, "_nin"),
    )


def test_undeclared_session_variable_inside_an_in_list(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{org_id: {_in: [1, x-hasura-team-id]}}")
    assert_problem(problems, NOTES, 5, "session variable `x-hasura-team-id` is not declared")


def test_undeclared_session_variable_inside_a_condition(tmp_path: Path) -> None:
    conditions = CONDITIONS + "  team: {org_id: {_eq: x-hasura-team-id}}\n"
    root = project(tmp_path, notes_rule("team"), conditions=conditions)
    assert_problem(
        problems_of(root),
        CONDITIONS_FILE,
        line_of(root / CONDITIONS_FILE, "team:"),
        "session variable `x-hasura-team-id` is not declared "
        "(in condition `team`, for the rule on public.notes)",
    )


def test_session_variable_declared_twice_differing_in_case(tmp_path: Path) -> None:
    roles = ROLES.replace("roles:\n", "  x-hasura-org-id: {from: other}\nroles:\n")
    root = project(tmp_path, notes_rule("{}"), roles=roles)
    assert_problem(
        problems_of(root),
        "permissions/roles.yaml",
        5,
        "session variable `x-hasura-org-id` is already defined at permissions/roles.yaml:3:3",
    )


def test_session_variable_name_must_start_with_x_hasura(tmp_path: Path) -> None:
    roles = "session:\n  x-hasura-a: {from: sub}\n  user-id: {from: sub}\nroles:\n  viewer: {}\n"
    root = project(tmp_path, notes_rule("{}"), roles=roles)
    assert_problem(
        problems_of(root),
        "permissions/roles.yaml",
        3,
        "`user-id` is not a valid session variable name (must start with x-hasura-)",
    )


# --------------------------------------------------------------- relationships


def test_object_relationship_by_foreign_key_is_checked_on_the_target(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{author: {is_active: {_eq: true}}}") == {
        "author": {"is_active": {"_eq": True}}
    }
    _, problems = problems_for(tmp_path / "bad", "{author: {emial: {_eq: a}}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "unknown column or relationship `emial` on public.users; did you mean `email`?",
    )


def test_condition_inside_a_relationship_applies_to_the_target(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{author: active_user}") == {
        "author": {"is_active": {"_eq": True}}
    }


def test_array_relationship_is_checked_on_the_target(tmp_path: Path) -> None:
    users = (
        "table: public.users\nselect:\n  viewer:\n    columns: [id]\n"
        "    filter: {notes: {_and: [not_deleted, {titel: {_eq: a}}]}}\n"
    )
    root = project(tmp_path, users=users)
    assert_problem(
        problems_of(root),
        USERS,
        5,
        "unknown column or relationship `titel` on public.notes; did you mean `title`?",
        column=column_of(root / USERS, "titel"),
    )


def test_manual_relationship_is_checked_on_the_remote_table(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{owner: {org_id: {_eq: X-Hasura-Org-Id}}}") == {
        "owner": {"org_id": {"_eq": "X-Hasura-Org-Id"}}
    }
    _, problems = problems_for(tmp_path / "bad", "{owner: {nam: {_eq: a}}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "unknown column or relationship `nam` on public.users; did you mean `name`?",
    )


def test_relationships_chain_recursively(tmp_path: Path) -> None:
    expression = "{author: {notes: {author: {notes: {is_deleted: {_eq: false}}}}}}"
    assert compiled_filter(tmp_path, expression) == {
        "author": {"notes": {"author": {"notes": {"is_deleted": {"_eq": False}}}}}
    }
    _, problems = problems_for(tmp_path / "bad", "{author: {notes: {author: {nme: {_eq: a}}}}}")
    assert_problem(problems, NOTES, 5, "`nme` on public.users")


def test_relationship_to_a_table_outside_the_snapshot_is_left_to_hasura(tmp_path: Path) -> None:
    users = "table: public.users\nselect:\n  viewer: {columns: [id], filter: {ghosts: {anything: {_eq: 1}}}}\n"
    result = build_project(project(tmp_path, users=users))
    assert permission(result, "public.users", "select", "viewer")["filter"] == {
        "ghosts": {"anything": {"_eq": 1}}
    }


def test_relationships_come_only_from_metadata(tmp_path: Path) -> None:
    # Without metadata/ there is no `author` relationship, however obvious the FK.
    root = make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/notes.yaml": notes_rule("{author: {id: {_eq: 1}}}")},
    )
    assert_problem(
        problems_of(root), NOTES, 5, "unknown column or relationship `author` on public.notes"
    )


# ----------------------------------------------------------------------- _exists


@pytest.mark.parametrize("table", ["public.users", "users"])
def test_exists_table_becomes_name_and_schema(tmp_path: Path, table: str) -> None:
    expression = f"{{_exists: {{_table: {table}, _where: {{id: {{_eq: x-hasura-user-db-id}}}}}}}}"
    assert compiled_filter(tmp_path, expression) == {
        "_exists": {
            "_table": {"name": "users", "schema": "public"},
            "_where": {"id": {"_eq": "x-hasura-user-db-id"}},
        }
    }


AUDIT_LOG_METADATA = "table:\n  name: log\n  schema: audit\n"


def test_exists_in_another_schema(tmp_path: Path) -> None:
    expression = "{$exists: {_table: audit.log, _where: {message: {_ilike: '%x%'}}}}"
    root = project(
        tmp_path, notes_rule(expression, "filter"), metadata={"audit.log": AUDIT_LOG_METADATA}
    )
    body = permission(build_project(root), "public.notes", "select", "viewer")
    assert body["filter"] == {
        "_exists": {
            "_table": {"name": "log", "schema": "audit"},
            "_where": {"message": {"_ilike": "%x%"}},
        }
    }


def test_exists_where_is_checked_on_its_table(tmp_path: Path) -> None:
    _, problems = problems_for(
        tmp_path, "{_exists: {_table: public.users, _where: {titel: {_eq: a}}}}"
    )
    assert_problem(problems, NOTES, 5, "unknown column or relationship `titel` on public.users")


def test_exists_unknown_table(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{_exists: {_table: public.nobody, _where: {}}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "unknown table `public.nobody` in `_exists`",
        column=column_of(root / NOTES, "_table"),
    )


def test_exists_column_comparison_to_the_root_table(tmp_path: Path) -> None:
    expression = "{_exists: {_table: public.users, _where: {org_id: {_ceq: [$, org_id]}}}}"
    assert compiled_filter(tmp_path, expression)["_exists"]["_where"] == {
        "org_id": {"_ceq": ["$", "org_id"]}
    }


# --------------------------------------------------------------- normal form


def test_keys_are_sorted_at_every_level(tmp_path: Path) -> None:
    expression = (
        "{title: {_lte: b, _gte: a}, _or: [{score: {_lt: 5, _gt: 1}}], author_id: {_eq: 1}}"
    )
    result = compiled_filter(tmp_path, expression)
    assert list(result) == ["_or", "author_id", "title"]
    assert list(result["title"]) == ["_gte", "_lte"]
    assert list(result["_or"][0]["score"]) == ["_gt", "_lt"]


def test_dollar_logical_operators_become_underscore(tmp_path: Path) -> None:
    expression = "{$and: [{$or: [own, {$not: not_deleted}]}]}"
    assert compiled_filter(tmp_path, expression) == {
        "_and": [
            {
                "_or": [
                    {"created_by": {"_eq": "x-hasura-user-db-id"}},
                    {"_not": {"is_deleted": {"_eq": False}}},
                ]
            }
        ]
    }


def test_values_under_a_column_are_kept_raw(tmp_path: Path) -> None:
    # Hasura keeps `$eq` and bare values as written (reference section 2).
    assert compiled_filter(tmp_path, "{title: {$eq: a}, is_deleted: false}") == {
        "is_deleted": False,
        "title": {"$eq": "a"},
    }


def test_empty_expression_is_true(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{}") == {}


# ------------------------------------------------------------------ operators


@pytest.mark.parametrize(
    "expression",
    [
        "{title: {_like: '%a%', _nilike: '%b%', _regex: '^x', _similar: '(a|b)%'}}",
        "{title: {_in: [a, b], _nin: [c], _is_null: false, _neq: z, _ne: y}}",
        "{author: {name: {_ilike: '%x%'}}}",  # character varying is text
        "{author: {profile: {_has_key: admin, _has_keys_any: [a, b], _has_keys_all: [c]}}}",
        "{author: {profile: {_contains: {role: admin}, _contained_in: {a: 1}}}}",
        "{author: {tags: {_contains: [a], _contained_in: [a, b]}}}",
        "{author: {profile: {_cast: {text: {_ilike: '%admin%'}}}}}",
        "{score: {_gt: 1.5, _lte: 10}, author_id: {_gte: 0}, title: {_eq: null}}",
        "{created_at: {_gt: '2024-01-01'}}",
        "{created_by: {_ceq: author_id}, updated_by: {_cneq: [created_by]}}",
        "{author: {org_id: {_ceq: [$, org_id]}, email: {_cne: [$, title]}}}",
    ],
)
def test_operators_valid_for_the_column_type(tmp_path: Path, expression: str) -> None:
    assert compiled_filter(tmp_path, expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "{author_id: {_like: '%1'}}",
            "operator `_like` works only on text columns; `author_id` is integer",
        ),
        (
            "{is_deleted: {_iregex: x}}",
            "operator `_iregex` works only on text columns; `is_deleted` is boolean",
        ),
        (
            "{title: {_has_key: a}}",
            "operator `_has_key` works only on jsonb columns; `title` is text",
        ),
        (
            "{author: {tags: {_has_keys_any: [a]}}}",
            "operator `_has_keys_any` works only on jsonb columns; `tags` is text[]",
        ),
        (
            "{title: {_contains: a}}",
            "operator `_contains` works only on array or jsonb columns; `title` is text",
        ),
        ("{title: {_st_within: {}}}", "operator `_st_within` works only on geometry columns"),
        ("{title: {_ancestor: a}}", "operator `_ancestor` works only on ltree columns"),
    ],
)
def test_operator_family_by_column_type(tmp_path: Path, expression: str, message: str) -> None:
    root, problems = problems_for(tmp_path, expression)
    operator = message.split("`")[1]
    assert_problem(problems, NOTES, 5, message, column=column_of(root / NOTES, operator))


def test_column_comparison_incompatible_types(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{title: {_ceq: author_id}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "incompatible column types in `_ceq`: text and integer",
        column=column_of(root / NOTES, "_ceq"),
    )


def test_column_comparison_with_the_root_table_incompatible(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{author: {email: {_cgt: [$, author_id]}}}")
    assert_problem(problems, NOTES, 5, "incompatible column types in `_cgt`: text and integer")


def test_column_comparison_unknown_root_column(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{author: {id: {_ceq: [$, autor_id]}}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "unknown column `autor_id` on public.notes in `_ceq`; did you mean `author_id`?",
    )


def test_column_comparison_unknown_column_on_the_current_table(tmp_path: Path) -> None:
    # Inside the relationship, a plain name is a column of the target table.
    _, problems = problems_for(tmp_path, "{author: {id: {_ceq: author_id}}}")
    assert_problem(problems, NOTES, 5, "unknown column `author_id` on public.users in `_ceq`")


@pytest.mark.parametrize("operand", ["5", "[a, b, c]", "{a: b}", "[1]"])
def test_column_comparison_operand_shape(tmp_path: Path, operand: str) -> None:
    _, problems = problems_for(tmp_path, f"{{author_id: {{_ceq: {operand}}}}}")
    assert_problem(problems, NOTES, 5, '`_ceq` takes "column", ["column"] or ["$", "column"]')


@pytest.mark.parametrize(
    "expression",
    [
        "{author: {legacy: {_is_null: false}}}",
        "{author: {legacy: {_eq: {}}}}",
        "{author: {legacy: x}}",
    ],
)
def test_json_column_is_refused(tmp_path: Path, expression: str) -> None:
    root, problems = problems_for(tmp_path, expression)
    assert_problem(
        problems,
        NOTES,
        5,
        "column `legacy` is of type json, which Hasura cannot use in a boolean expression; make it jsonb",
        column=column_of(root / NOTES, "legacy"),
    )


def test_unknown_operator_with_suggestion(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{title: {_eqq: a}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "unknown operator `_eqq` on column `title`; did you mean `_eq`?",
        column=column_of(root / NOTES, "_eqq"),
    )


def test_dollar_operators_are_accepted(tmp_path: Path) -> None:
    assert compiled_filter(tmp_path, "{title: {$ilike: a, $in: [b]}}") == {
        "title": {"$ilike": "a", "$in": ["b"]}
    }


def test_unknown_underscore_key_where_a_column_was_expected(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{_eq: 1}")
    assert_problem(problems, NOTES, 5, "unknown operator `_eq` where a column was expected")


@pytest.mark.parametrize("value", ["1", "'true'", "null", "[true]"])
def test_is_null_takes_a_boolean(tmp_path: Path, value: str) -> None:
    _, problems = problems_for(tmp_path, f"{{title: {{_is_null: {value}}}}}")
    assert_problem(problems, NOTES, 5, "`_is_null` takes true or false")


@pytest.mark.parametrize(
    ("expression", "message", "at"),
    [
        ("{author_id: {_eq: abc}}", "'abc' is not a valid integer value", "_eq"),
        ("{author_id: {_gt: 1.5}}", "1.5 is not a valid integer value", "_gt"),
        ("{author_id: {_eq: true}}", "True is not a valid integer value", "_eq"),
        ("{author_id: abc}", "'abc' is not a valid integer value", "author_id"),
        ("{is_deleted: {_eq: 1}}", "1 is not a valid boolean value", "_eq"),
        ("{is_deleted: {_eq: 'maybe'}}", "'maybe' is not a valid boolean value", "_eq"),
        ("{author_id: {_eq: '99999999999'}}", "'99999999999' is not a valid integer value", "_eq"),
        ("{title: {_eq: 5}}", "5 is not a valid text value", "_eq"),
        ("{score: {_lt: ten}}", "'ten' is not a valid numeric value", "_lt"),
        ("{author_id: {_in: [1, two, 3]}}", "'two' is not a valid integer value", "two"),
    ],
)
def test_literal_of_the_wrong_type(tmp_path: Path, expression: str, message: str, at: str) -> None:
    # Scalars are located at their key; list items at the item.
    root, problems = problems_for(tmp_path, expression)
    assert_problem(problems, NOTES, 5, message, column=column_of(root / NOTES, at))


@pytest.mark.parametrize(
    "expression",
    [
        "{author_id: {_eq: ' -9 '}}",
        "{is_deleted: {_eq: 'false'}}",
        "{is_deleted: {_eq: ' True '}}",
        "{is_deleted: {_eq: 'y'}}",
        "{is_deleted: {_eq: 'OFF'}}",
        "{is_deleted: {_eq: '0'}}",
        "{score: {_lt: '1.5e3'}}",
        "{author_id: {_in: ['1', 2]}}",
        "{created_at: {_gt: '2024-01-02T10:00:00+02:00'}}",
    ],
)
def test_a_string_postgres_can_cast_is_a_valid_literal(tmp_path: Path, expression: str) -> None:
    # Hasura sends a string it cannot parse as the column's type as text cast to that type
    # (parsePGValue: `parseTyped <|> pure (PGValUnknown t)`), so Postgres decides.
    assert compiled_filter(tmp_path, expression) is not None


@pytest.mark.parametrize("operator", ["_in", "_nin"])
def test_in_takes_a_list(tmp_path: Path, operator: str) -> None:
    _, problems = problems_for(tmp_path, f"{{author_id: {{{operator}: 3}}}}")
    assert_problem(problems, NOTES, 5, f"`{operator}` takes a list or a session variable")


def test_unknown_column_with_suggestion(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{titel: {_eq: a}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "unknown column or relationship `titel` on public.notes; did you mean `title`?",
        column=column_of(root / NOTES, "titel"),
    )


def test_and_takes_a_list(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{_and: {title: {_eq: a}}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "expected a list in `_and`, found a mapping",
        column=column_of(root / NOTES, "_and"),
    )


def test_or_items_must_be_expressions(tmp_path: Path) -> None:
    root, problems = problems_for(tmp_path, "{_or: [own, 5]}")
    assert_problem(problems, NOTES, 5, "`5` is not valid", "boolean expression")


def test_dollar_or_takes_a_list(tmp_path: Path) -> None:
    # `$or` is not in the JSON Schema, so the compiler itself must check it.
    _, problems = problems_for(tmp_path, "{$or: {title: {_eq: a}}}")
    assert_problem(problems, NOTES, 5, "`_or` takes a list of boolean expressions")


def test_exists_on_a_table_hasura_does_not_track(tmp_path: Path) -> None:
    """askFieldInfoMapSource (RQL/Types/SchemaCache.hs): Hasura refuses an `_exists` on a table
    it does not track; a table is tracked when metadata/ has its file or a rule manages it."""
    root, problems = problems_for(tmp_path, "{_exists: {_table: audit.log, _where: {}}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "`audit.log` in `_exists` is not tracked by Hasura",
        column=column_of(root / NOTES, "_table"),
    )


# ------------------------------------------------ session variable types and operators


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "{author_id: {_in: x-hasura-user-db-id}}",
            "`_in` needs an array session variable; `x-hasura-user-db-id` is declared as "
            "integer: use `_eq`, or declare an array variable (`type: integer[]`)",
        ),
        (
            "{author_id: {_nin: X-Hasura-Org-Id}}",
            "`_nin` needs an array session variable; `X-Hasura-Org-Id` is declared as integer",
        ),
        (
            "{org_id: {_eq: x-hasura-org-ids}}",
            "`_eq` compares one value, but `x-hasura-org-ids` is declared as integer[]: use `_in`",
        ),
        (
            "{org_id: x-hasura-org-ids}",
            "`_eq` compares one value, but `x-hasura-org-ids` is declared as integer[]",
        ),
    ],
    ids=["in-integer", "nin-integer", "eq-array", "implicit-eq-array"],
)
def test_session_variable_type_must_fit_the_operator(
    tmp_path: Path, expression: str, message: str
) -> None:
    _, problems = problems_for(tmp_path, expression)
    assert_problem(problems, NOTES, 5, message)


@pytest.mark.parametrize(
    "expression",
    [
        "{org_id: {_in: x-hasura-org-ids}}",
        "{org_id: {_nin: x-hasura-org-ids}}",
        "{org_id: {_eq: x-hasura-org-id}}",
    ],
)
def test_session_variable_types_that_fit(tmp_path: Path, expression: str) -> None:
    assert compiled_filter(tmp_path, expression)


def test_an_array_variable_fits_an_array_column(tmp_path: Path) -> None:
    roles = ROLES.replace('type: "integer[]"', 'type: "text[]"')
    root = project(tmp_path, roles=roles)
    users = "table: public.users\nselect:\n  viewer: {columns: [id], filter: {tags: {_eq: x-hasura-org-ids}}}\n"
    (root / USERS).parent.mkdir(parents=True, exist_ok=True)
    (root / USERS).write_text(users)
    assert build_project(root)


def test_a_yaml_boolean_where_text_is_expected_says_to_quote_it(tmp_path: Path) -> None:
    _, problems = problems_for(tmp_path, "{title: {_eq: yes}}")
    assert_problem(
        problems,
        NOTES,
        5,
        "this value was read as the YAML boolean true (unquoted yes, no, on, off, true and "
        'false are booleans), but the column is text: quote it (e.g. "yes") if you mean the text',
    )
