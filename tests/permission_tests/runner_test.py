"""Cases end to end on real PostgreSQL: a shop project, compiled, its cases run through the
engine with --db (everything inside a rolled-back transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from hasura_perm.core.errors import SpecError
from hasura_perm.permission_tests import engine
from hasura_perm.permission_tests.render import text
from hasura_perm.permission_tests.runner import CaseResult
from hasura_perm.spec.project import load_project
from tests.permission_tests.conftest import dedent
from tests.permission_tests.conftest import make_shop

RULES = {
    "public.item": """\
        table: public.item
        select:
          member:
            columns: [id, name, org_id, owner_id, qty]
            filter: {org_id: {_in: x-hasura-org-ids}}
            limit: 2
            allow_aggregations: true
        insert:
          member:
            columns: [name, org_id, qty, label]
            check: {_and: [{org_id: {_in: x-hasura-org-ids}}, {owner_id: {_eq: x-hasura-user-db-id}}]}
            set: {owner_id: x-hasura-user-db-id}
        update:
          member:
            columns: [name, qty, org_id]
            filter: {owner_id: {_eq: x-hasura-user-db-id}}
            check: {qty: {_lte: 10}}
            set: {label: x-hasura-plan}
        delete:
          member: {filter: {owner_id: x-hasura-user-db-id}}
        """,
    "public.org": """\
        table: public.org
        select:
          member: {columns: [id, name], filter: {id: {_in: x-hasura-org-ids}}}
        """,
    "public.item_note": """\
        table: public.item_note
        insert:
          service: {columns: [id, item_id, body], check: {body: {_nilike: "%spam%"}}, backend_only: true}
        """,
}

PRINCIPALS = """\
fixtures: {sql: shop.sql}
table: public.item
principals:
  ann: {role: member, claims: {sub: ann, "custom:user_db_id": "10", "custom:org_ids": "{1}"}}
  bob: {role: member, session: {x-hasura-user-db-id: "20", x-hasura-org-ids: "{1,2}", x-hasura-plan: silver}}
"""


def run(root: Path, db: str, **options: Any) -> engine.Report:
    project = load_project(root)
    return engine.run(
        engine.load(project), db_url=db, schema_sql=engine.schema_sql_path(project), **options
    )


def by_name(report: engine.Report) -> dict[str, CaseResult]:
    return {r.case.name: r for r in report.results}


@pytest.fixture
def shop(tmp_path: Path, shop_snapshot: dict[str, Any]) -> Any:
    def build(cases: str, rules: dict[str, str] | None = None) -> Path:
        tests = {"cases.yaml": PRINCIPALS + dedent(cases)}
        tables = {k: dedent(v) for k, v in (rules or RULES).items()}
        return make_shop(tmp_path / "shop", shop_snapshot, tables, tests)

    return build


def test_select_rows_columns_limit_count_and_where(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: rows of my orgs, the rule's columns, limit and aggregate count
            as: ann
            select: {rows: [1, 2], columns: [id, name, org_id, owner_id, qty], limit: 2, aggregate: true, count: 2}
          - name: the limit caps the aggregate count
            as: bob
            select: {rows: [1, 2, 3], count: 2}
          - name: a where through a relationship also applies the target's select filter
            as: bob
            session: {x-hasura-org-ids: "{1}"}
            select: {where: {org: {name: {_eq: Beta Corp}}}, rows: []}
          - name: a where through a relationship
            as: bob
            select: {where: {org: {name: {_eq: Beta Corp}}}, rows: [3]}
          - name: a where on a column the role may not select is an error
            as: ann
            select: {where: {label: {_eq: red}}, error: may not select}
          - name: no permission means no rows and no columns
            as: ann
            table: public.item_note
            select: {rows: [], columns: []}
        """
    )
    report = run(root, pg_url)
    assert [r.problems for r in report.results if not r.passed] == []
    assert by_name(report)["a where through a relationship"].outcome.others == []


NULL_WHERE = """\
cases:
  - name: _eq null
    as: bob
    select: {where: {owner_id: {_eq: null}}, error: "unexpected null value for type 'Int'"}
  - name: _neq null on text
    as: bob
    select: {where: {name: {_neq: null}}, error: "unexpected null value for type 'String'"}
  - name: _in null
    as: bob
    select: {where: {owner_id: {_in: null}}, error: "expected a list, but found null"}
  - name: _neq 20 is a plain comparison (NULL owners are not rows where owner <> 20)
    as: bob
    select: {where: {owner_id: {_neq: 20}}, rows: [1]}
"""


def test_a_client_where_follows_graphql_null_rules(shop: Any, pg_url: str) -> None:
    # Not the null-aware permission form: GraphQL/Schema/BoolExp.hs equalityOperators use
    # NonNullableComparison, and Postgres columnParser rejects an explicit null.
    root = shop(NULL_WHERE)
    assert {r.case.name: r.problems for r in run(root, pg_url).results} == {
        "_eq null": [],
        "_neq null on text": [],
        "_in null": [],
        "_neq 20 is a plain comparison (NULL owners are not rows where owner <> 20)": [],
    }


def test_boolean_null_collapse_drops_a_null_operator(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: with HASURA_GRAPHQL_V1_BOOLEAN_NULL_COLLAPSE, _eq null means no condition
            as: bob
            select: {where: {owner_id: {_eq: null}}, rows: [1, 2, 3]}
        """
    )
    (root / "hasura-perm.yaml").write_text(
        "version: 1\ntests: {schema_sql: db/schema.sql, boolean_null_collapse: true}\n"
    )
    assert [r.problems for r in run(root, pg_url).results] == [[]]


def test_insert_check_runs_on_the_stored_row_after_presets(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: accepted, owner preset from the session
            as: ann
            insert: {row: {name: New, org_id: 1}, allowed: true, stored: {owner_id: 10, qty: 0, tags: []}, columns: [name, org_id, qty, label]}
          - name: another org fails the check
            as: ann
            insert: {row: {name: New, org_id: 2}, allowed: false, reason: check}
          - name: a preset column may not be sent
            as: ann
            insert: {row: {name: New, org_id: 1, owner_id: 10}, allowed: false, reason: columns}
          - name: NULL in a check passes, as in Hasura (coalesce(bool_and(check), true))
            as: ann
            insert: {row: {name: No org}, allowed: true, stored: {org_id: null}}
          - name: a database constraint is an error, not a permission refusal
            as: ann
            insert: {row: {org_id: 1}, error: null value in column "name"}
          - name: a malformed session value is an error
            as: ann
            session: {x-hasura-org-ids: "1,2"}
            insert: {row: {name: X, org_id: 1}, error: malformed array literal}
          - name: a session variable the rule needs must be there
            role: member
            session: {x-hasura-org-ids: "{1}"}
            insert: {row: {name: X, org_id: 1}, error: 'missing session variable: "x-hasura-user-db-id"'}
        """
    )
    report = run(root, pg_url)
    assert [(r.case.name, r.problems) for r in report.results if not r.passed] == []
    null_check = by_name(report)[
        "NULL in a check passes, as in Hasura (coalesce(bool_and(check), true))"
    ]
    assert "RETURNING" in null_check.outcome.sql[-1]
    refused = by_name(report)["another org fails the check"].outcome.note
    assert refused == "check constraint of an insert/update permission has failed"


def test_update_filter_old_row_check_new_row(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: a member changes their own items; the plan preset comes from a constant claim
            as: ann
            update: {set: {qty: 3}, rows: [1, 4], rejected_by_check: [], stored: {label: gold, qty: 3}, columns: [name, qty, org_id]}
          - name: the post-update check refuses a new value
            as: ann
            update: {set: {qty: 11}, rows: [], rejected_by_check: [1, 4]}
          - name: a where narrows the rows
            as: ann
            update: {where: {id: {_eq: 4}}, set: {name: D}, rows: [4]}
          - name: columns outside the permission refuse the whole _set
            as: ann
            update: {set: {label: x}, allowed: false, reason: columns}
          - name: an empty _set still applies presets
            as: bob
            update: {set: {}, rows: [3], stored: {label: silver}}
          - name: a change the database refuses is an error naming the row
            as: bob
            update: {set: {org_id: 99}, error: "row 3: insert or update on table \\"item\\" violates foreign key"}
          - name: a preset's session variable must be there (the constant comes only with claims)
            as: bob
            session: {x-hasura-plan: silver}
            role: member
            update: {set: {qty: 1}, rows: [3]}
          - name: without it the update is an error
            role: member
            session: {x-hasura-user-db-id: "20"}
            update: {set: {qty: 1}, error: 'missing session variable: "x-hasura-plan"'}
        """
    )
    report = run(root, pg_url)
    assert {r.case.name: r.problems for r in report.results if not r.passed} == {}


def test_an_update_check_is_all_or_nothing(shop: Any, pg_url: str) -> None:
    # Hasura checks all changed rows at once (Translate/Returning.hs mkCheckErrorExp) and fails
    # the whole mutation when one row fails: nothing changes, not "the others do".
    rules = dict(RULES)
    rules["public.item"] = RULES["public.item"].replace(
        "check: {qty: {_lte: 10}}", "check: {org_id: {_is_null: false}}"
    )
    root = shop(
        """\
        cases:
          - name: row 4 (no org) fails, so row 1 does not change either
            as: ann
            update: {set: {name: X}, rows: [1], rejected_by_check: [4]}
          - name: stated as Hasura does it
            as: ann
            update: {set: {name: X}, rows: [], rejected_by_check: [4], allowed: false, reason: check}
          - name: stored values of a refused update
            as: ann
            update: {set: {name: X}, stored: {name: X}}
          - name: narrowed to the row that passes, it changes
            as: ann
            update: {where: {id: {_eq: 1}}, set: {name: X}, rows: [1], rejected_by_check: [], allowed: true}
        """,
        rules,
    )
    results = by_name(run(root, pg_url))
    problems = results["row 4 (no org) fails, so row 1 does not change either"].problems
    assert problems == [
        "changed rows: expected 1; refused (check): check constraint of an insert/update "
        "permission has failed (row 4); the whole update is refused and no row changes"
    ]
    assert results["stated as Hasura does it"].problems == []
    assert (
        results["stored values of a refused update"]
        .problems[0]
        .startswith("expected the update to store {'name': 'X'}; refused (check)")
    )
    assert results["narrowed to the row that passes, it changes"].problems == []


def test_update_that_rewrites_the_key_reports_rows_by_their_old_key(shop: Any, pg_url: str) -> None:
    rules = dict(RULES)
    rules["public.item_note"] = """\
        table: public.item_note
        update:
          member: {columns: [id, body], filter: {author_id: x-hasura-user-db-id}, check: {id: {_gt: 100}}}
        """
    root = shop(
        """\
        cases:
          - name: notes renumbered above 100 pass the check
            as: ann
            table: public.item_note
            update: {set: {id: 101}, rows: [1], stored: {id: 101}}
          - name: notes renumbered below fail it
            as: ann
            table: public.item_note
            update: {set: {id: 5}, rows: [], rejected_by_check: [1]}
        """,
        rules,
    )
    assert [r.problems for r in run(root, pg_url).results] == [[], []]


def test_delete_and_database_refusals(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: a member deletes their own item that nothing references
            as: ann
            delete: {rows: [4], where: {id: {_eq: 4}}}
          - name: deleting a referenced item is refused by the database
            as: ann
            delete: {error: violates foreign key constraint}
          - name: nobody deletes notes
            as: ann
            table: public.item_note
            delete: {rows: []}
        """
    )
    report = run(root, pg_url)
    assert [(r.case.name, r.problems) for r in report.results if not r.passed] == []
    assert (
        "row 1"
        in by_name(report)["deleting a referenced item is refused by the database"].outcome.error
    )


def test_backend_only_needs_the_header(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: with the header
            role: service
            table: public.item_note
            session: {x-hasura-use-backend-only-permissions: "TRUE"}
            insert: {row: {id: 9, item_id: 1, body: ok}, allowed: true}
          - name: with the header, the check still applies
            role: service
            table: public.item_note
            session: {x-hasura-use-backend-only-permissions: "y"}
            insert: {row: {id: 9, item_id: 1, body: buy SPAM}, allowed: false, reason: check}
          - name: without it the permission is not there
            role: service
            table: public.item_note
            insert: {row: {id: 9, item_id: 1, body: ok}, allowed: false, reason: no permission}
        """
    )
    assert [r.problems for r in run(root, pg_url).results] == [[], [], []]


def test_backend_only_is_for_admin_secret_callers_only(shop: Any, pg_url: str) -> None:
    # Hasura reads x-hasura-use-backend-only-permissions only when the admin secret was sent;
    # JWT.hs builds the user with UAdminSecretNotSent, so a token never gets it.
    root = shop(
        """\
        cases:
          - name: a JWT caller with the header
            role: service
            auth: jwt
            table: public.item_note
            session: {x-hasura-use-backend-only-permissions: "true"}
            insert: {row: {id: 9, item_id: 1, body: ok}, allowed: false, reason: no permission}
          - name: a caller with claims is a JWT caller; a bad header value is not even read
            role: service
            claims: {sub: svc}
            table: public.item_note
            session: {x-hasura-use-backend-only-permissions: "maybe"}
            insert: {row: {id: 9, item_id: 1, body: ok}, allowed: false, reason: no permission}
          - name: the admin secret with the header
            role: service
            auth: admin_secret
            table: public.item_note
            session: {x-hasura-use-backend-only-permissions: "true"}
            insert: {row: {id: 9, item_id: 1, body: ok}, allowed: true}
          - name: the admin secret with a header that is not a boolean
            role: service
            table: public.item_note
            session: {x-hasura-use-backend-only-permissions: "maybe"}
            insert:
              row: {id: 9, item_id: 1, body: ok}
              error: '"x-hasura-use-backend-only-permissions":  Not a valid boolean text. True values are ["true","t","yes","y"] and  False values are ["false","f","no","n"]. All values are case insensitive'
        """
    )
    results = run(root, pg_url).results
    assert [r.problems for r in results] == [[], [], [], []]
    assert "a JWT caller never gets it" in results[0].outcome.note


def test_claims_and_admin_secret_contradict(shop: Any) -> None:
    root = shop(
        """\
        cases:
          - {name: x, role: service, auth: admin_secret, claims: {sub: s}, select: {rows: []}}
        """
    )
    with pytest.raises(SpecError, match="`claims` come from a token"):
        engine.load(load_project(root))


def test_claims_become_the_session_the_lambda_would_build(shop: Any, pg_url: str) -> None:
    # The same conversion as the shipped pre token Lambda (pre_token.session_values): arrays
    # from text or lists become Postgres literals, values that do not fit their type are left
    # out (and a rule needing them then fails as in Hasura).
    root = shop(
        """\
        cases:
          - name: comma-separated org ids become a Postgres array
            as: ann
            claims: {sub: ann, "custom:user_db_id": "10", "custom:org_ids": "1, 2"}
            select: {rows: [1, 2, 3]}
          - name: a list too
            as: ann
            claims: {sub: ann, "custom:user_db_id": 10, "custom:org_ids": [2]}
            select: {rows: [3]}
          - name: a user db id that is not an integer is left out of the token
            as: ann
            claims: {sub: ann, "custom:user_db_id": "ten", "custom:org_ids": "{1}"}
            insert: {row: {name: X, org_id: 1}, error: 'missing session variable: "x-hasura-user-db-id"'}
        """
    )
    assert [r.problems for r in run(root, pg_url).results] == [[], [], []]


def test_a_failure_shows_expectation_outcome_rows_rule_and_sql(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: wrong on purpose
            as: ann
            select: {rows: [1, 3]}
        """
    )
    report = run(root, pg_url)
    assert not report.ok
    output = text(report)
    assert "FAIL permissions/tests/cases.yaml:" in output
    assert "wrong on purpose" in output
    assert "expected: rows [1, 3]" in output
    assert "got:      visible rows: 1, 2" in output
    assert "visible rows: expected 1, 3; got 1, 2 (unexpected: 2; missing: 3)" in output
    assert "rule:     permissions/tables/public.item.yaml:" in output
    assert '    2: {"id": 2' in output and '    3: {"id": 3' in output
    assert 'FROM "public"."item" AS "_root"' in output
    assert "1 failed" in output


def test_inherited_rules_are_tested_as_compiled(shop: Any, pg_url: str) -> None:
    root = shop(
        """\
        cases:
          - name: a manager inherits the member's select
            role: manager
            session: {x-hasura-org-ids: "{2}"}
            select: {rows: [3]}
        """
    )
    result = run(root, pg_url).results[0]
    assert result.passed
    assert "inherited from member" in result.rule.origin


def test_nothing_outside_the_transaction_changes(shop: Any, pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            (Path(__file__).parent / "conftest.py")
            .read_text()
            .split('SHOP_SQL = """\\\n')[1]
            .split('"""')[0]
        )
        conn.execute("INSERT INTO org VALUES (7, 'Kept')")
    root = shop(
        """\
        cases:
          - {name: insert, as: ann, insert: {row: {name: New, org_id: 1}, allowed: true}}
          - {name: delete, as: ann, delete: {where: {id: {_eq: 4}}, rows: [4]}}
        """
    )
    assert run(root, pg_url).ok
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT id, name FROM org").fetchall() == [(7, "Kept")]
        assert conn.execute("SELECT count(*) FROM item").fetchone() == (0,)
        assert conn.execute("SELECT last_value, is_called FROM item_id_seq").fetchone() == (
            1,
            False,
        )


def test_the_schema_sql_is_loaded_inside_the_transaction_with_db(shop: Any, pg_url: str) -> None:
    root = shop("cases:\n  - {name: x, as: ann, select: {rows: [1, 2]}}\n")
    assert run(root, pg_url).ok
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('public.item')").fetchone() == (None,)


def test_test_files_are_checked_with_file_and_line(shop: Any) -> None:
    root = shop(
        """\
        cases:
          - name: typo in a role
            role: membre
            select: {rows: []}
          - name: two actions
            as: ann
            select: {rows: []}
            delete: {rows: []}
          - name: unknown column in a row
            as: ann
            insert: {row: {nam: x}, allowed: true}
          - name: undeclared session variable
            role: member
            session: {x-hasura-usr-db-id: "1"}
            select: {rows: []}
          - name: composite key written as a scalar
            as: ann
            table: public.item_note
            key: [id, item_id]
            select: {rows: [1]}
          - name: nothing stated
            as: ann
            select: {}
        """
    )
    with pytest.raises(SpecError) as error:
        engine.load(load_project(root))
    lines = {p.message.split(";")[0]: p.location.line for p in error.value.problems}
    assert lines["unknown role `membre`"] == 8  # the line of `role: membre`
    assert all(p.location.file == "permissions/tests/cases.yaml" for p in error.value.problems)
    text_ = str(error.value)
    assert "cases.yaml:" in text_
    assert "exactly one of select, insert, update, delete (found: select, delete)" in text_
    assert "has no column `nam`" in text_
    assert "session variable `x-hasura-usr-db-id` is not declared" in text_
    assert "a row is named by its key (id, item_id)" in text_
    assert "state what you expect of this select" in text_


def test_a_case_for_a_combines_role_is_refused_with_its_place(
    tmp_path: Path, shop_snapshot: dict[str, Any]
) -> None:
    from tests.permission_tests.conftest import ROLES

    cases = {
        "cases.yaml": PRINCIPALS
        + "cases:\n  - name: derived\n    role: pair\n    select: {rows: []}\n"
    }
    tables = {k: dedent(v) for k, v in RULES.items()}
    root = make_shop(
        tmp_path / "shop",
        shop_snapshot,
        tables,
        cases,
        roles=ROLES + "  pair: {combines: member}\n",
    )
    with pytest.raises(SpecError) as error:
        engine.load(load_project(root))
    [problem] = error.value.problems
    where, message = problem.location, problem.message
    assert "role `pair` is a Hasura inherited role (`combines`)" in message
    assert where.file.endswith("cases.yaml") and where.line > 0
