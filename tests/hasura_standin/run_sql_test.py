"""`/v2/query` run_sql: the shapes a schema introspection reads (RunSQLRes)."""

from __future__ import annotations

from tests.hasura_standin.conftest import Post


def run(query_api: Post, sql: str, **args: object) -> dict[str, object]:
    response = query_api({"type": "run_sql", "args": {"source": "default", "sql": sql, **args}})
    assert response.status_code == 200, response.json()
    return response.json()


def test_tuples_ok_has_a_header_row_and_text_values(query_api: Post) -> None:
    run(query_api, "CREATE TABLE t (id int, name text, flag boolean, data jsonb)")
    run(query_api, "INSERT INTO t VALUES (1, 'a', true, '{\"k\": 1}'), (2, NULL, false, NULL)")
    result = run(query_api, "SELECT id, name, flag, data FROM t ORDER BY id", read_only=True)
    assert result == {
        "result_type": "TuplesOk",
        "result": [
            ["id", "name", "flag", "data"],
            ["1", "a", "t", '{"k": 1}'],
            ["2", None, "f", None],
        ],
    }


def test_command_ok_has_a_null_result(query_api: Post) -> None:
    assert run(query_api, "CREATE TABLE u (id int)") == {"result_type": "CommandOk", "result": None}


def test_several_statements_answer_with_the_last(query_api: Post) -> None:
    result = run(query_api, "CREATE TABLE v (id int); INSERT INTO v VALUES (7); SELECT id FROM v")
    assert result["result"] == [["id"], ["7"]]


def test_introspection_query(query_api: Post) -> None:
    run(query_api, "CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL)")
    sql = (
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY ordinal_position"
    )
    rows = run(query_api, sql, read_only=True)["result"]
    assert rows == [
        ["table_name", "column_name", "data_type", "is_nullable"],
        ["author", "id", "integer", "NO"],
        ["author", "name", "text", "NO"],
    ]


def test_sql_errors_are_postgres_error(query_api: Post) -> None:
    response = query_api({"type": "run_sql", "args": {"sql": "SELECT * FROM missing"}})
    assert response.status_code == 400
    body = response.json()
    assert (body["path"], body["error"], body["code"]) == (
        "$",
        "query execution failed",
        "postgres-error",
    )
    assert body["internal"]["error"]["status_code"] == "42P01"


def test_read_only_refuses_writes_and_rolls_back(query_api: Post) -> None:
    response = query_api(
        {"type": "run_sql", "args": {"sql": "CREATE TABLE w (id int)", "read_only": True}}
    )
    assert response.status_code == 400
    assert response.json()["internal"]["error"]["status_code"] == "25006"
    tables = run(query_api, "SELECT count(*) FROM pg_tables WHERE tablename = 'w'")
    assert tables["result"] == [["count"], ["0"]]


def test_pg_run_sql_is_run_sql_and_an_unknown_type_is_unrecognised(query_api: Post) -> None:
    """FromJSON RQLQuery (Server/API/V2Query.hs)."""
    response = query_api({"type": "pg_run_sql", "args": {"sql": "SELECT 1 AS one"}})
    assert (response.status_code, response.json()["result"]) == (200, [["one"], ["1"]])
    unknown = query_api({"type": "run_sqlx", "args": {"sql": "SELECT 1"}})
    assert unknown.status_code == 400
    assert (unknown.json()["code"], unknown.json()["error"]) == (
        "parse-failed",
        "Unrecognised RQLQuery type: run_sqlx",
    )
