"""A server whose export_metadata answer is malformed: one message naming the JSON path, exit 1,
never an internal error, for every command that reads it (over real HTTP)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import SECRET
from tests.plan_apply.conftest import Cli

COMMANDS = [["plan"], ["drift"], ["apply", "--yes"], ["import", "--dry-run"]]
TABLE = "$.metadata.sources[0].tables[0]"
PERM = f"{TABLE}.select_permissions[0]"
BODY = f"{PERM}.permission"

Edit = Callable[[dict[str, Any]], Any]


def nested(levels: int) -> dict[str, Any]:
    filter_: dict[str, Any] = {"id": {"_eq": 1}}
    for _ in range(levels):
        filter_ = {"_and": [filter_]}
    return filter_


def table(answer: dict[str, Any]) -> dict[str, Any]:
    return answer["metadata"]["sources"][0]["tables"][0]


def body(answer: dict[str, Any]) -> dict[str, Any]:
    return table(answer)["select_permissions"][0]["permission"]


def put(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Edit:
    return lambda answer: getter(answer).__setitem__(key, value)


def drop(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Edit:
    return lambda answer: getter(answer).pop(key)


def source(answer: dict[str, Any]) -> dict[str, Any]:
    return answer["metadata"]["sources"][0]


def metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return answer["metadata"]


def permission(answer: dict[str, Any]) -> dict[str, Any]:
    return table(answer)["select_permissions"][0]


# name -> (edit of a well-formed answer, the message after "answered export_metadata malformed ")
MALFORMED: dict[str, tuple[Edit, str]] = {
    "sources a string": (
        put(metadata, "sources", "x"),
        "at $.metadata.sources: expected a list, found the string 'x'",
    ),
    "source a number": (
        lambda a: a["metadata"]["sources"].__setitem__(0, 5),
        "at $.metadata.sources[0]: expected an object, found the number 5",
    ),
    "source name a number": (
        put(source, "name", 5),
        "at $.metadata.sources[0].name: expected a string, found the number 5",
    ),
    "tables an object": (
        put(source, "tables", {"a": 1}),
        "at $.metadata.sources[0].tables: expected a list, found an object",
    ),
    "table entry a string": (
        lambda a: source(a)["tables"].__setitem__(0, "t"),
        f"at {TABLE}: expected an object, found the string 't'",
    ),
    "table name a number": (
        put(table, "table", 5),
        f"at {TABLE}.table: expected a table name (a string or {{schema, name}}), found the "
        "number 5",
    ),
    "table without name": (
        put(table, "table", {"schema": "public"}),
        f"at {TABLE}.table.name: expected a string, found null",
    ),
    "permissions an object": (
        put(table, "select_permissions", {}),
        f"at {TABLE}.select_permissions: expected a list, found an object",
    ),
    "permission without role": (
        drop(permission, "role"),
        f"at {PERM}.role: expected a role name, found null",
    ),
    "role a number": (
        put(permission, "role", 5),
        f"at {PERM}.role: expected a role name, found the number 5",
    ),
    "permission a string": (
        put(permission, "permission", "x"),
        f"at {BODY}: expected an object, found the string 'x'",
    ),
    "comment a number": (
        put(permission, "comment", 5),
        f"at {PERM}.comment: expected a string, found the number 5",
    ),
    "limit ten": (
        put(body, "limit", "ten"),
        f"at {BODY}.limit: expected a whole number >= 0, found the string 'ten'",
    ),
    "limit negative": (
        put(body, "limit", -1),
        f"at {BODY}.limit: expected a whole number >= 0, found the number -1",
    ),
    "limit true": (
        put(body, "limit", True),
        f"at {BODY}.limit: expected a whole number >= 0, found true",
    ),
    "columns a string": (
        put(body, "columns", "id"),
        f"at {BODY}.columns: expected \"*\" or a list of column names, found the string 'id'",
    ),
    "columns numbers": (
        put(body, "columns", [1]),
        f"at {BODY}.columns[0]: expected a string, found the number 1",
    ),
    "filter a string": (
        put(body, "filter", "x"),
        f"at {BODY}.filter: expected a boolean expression (an object), found the string 'x'",
    ),
    "filter a list": (
        put(body, "filter", []),
        f"at {BODY}.filter: expected a boolean expression (an object), found a list",
    ),
    "aggregations yes": (
        put(body, "allow_aggregations", "yes"),
        f"at {BODY}.allow_aggregations: expected true or false, found the string 'yes'",
    ),
    "root fields a string": (
        put(body, "query_root_fields", "select"),
        f"at {BODY}.query_root_fields: expected a list of names, found the string 'select'",
    ),
    "set a list": (put(body, "set", []), f"at {BODY}.set: expected an object, found a list"),
}


@pytest.fixture
def good_answer(server: StandinServer) -> dict[str, Any]:
    status, answer = server.execute({"type": "export_metadata", "version": 2, "args": {}})
    assert status == 200
    table(answer)["select_permissions"] = [
        {"role": "viewer", "permission": {"columns": ["id"], "filter": {}, "limit": 5}}
    ]
    return answer


def serve(server: StandinServer, answer: Any, *, raw: bytes | None = None) -> None:
    data = json.dumps(answer).encode() if raw is None else raw
    server.faults.proxy_answer_next(
        "export_metadata",
        status=200,
        body=data,
        headers={"Content-Type": "application/json"},
        when="before",
        times=3,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_export_is_one_located_error(
    cli: Cli, server: StandinServer, good_answer: dict[str, Any], case: str, command: list[str]
) -> None:
    edit, said = MALFORMED[case]
    answer = copy.deepcopy(good_answer)
    edit(answer)
    serve(server, answer)
    before = server.export()
    result = cli(*command, "--env", "test")
    assert result.code == 1
    assert result.err == f"error: {server.url} answered export_metadata malformed {said}\n"
    assert [r.type for r in server.requests] == ["export_metadata"], "nothing is written"
    assert server.export() == before


@pytest.mark.parametrize(
    "answer", [[], "x", 5, None, {"resource_version": True, "metadata": {}}, {"metadata": []}]
)
def test_a_non_object_answer_is_one_error(cli: Cli, server: StandinServer, answer: Any) -> None:
    serve(server, answer)
    result = cli("plan", "--env", "test")
    assert result.code == 1
    assert result.err == (
        f"error: {server.url} answered export_metadata without resource_version and metadata; "
        "hasura-perm needs Hasura v2.0 or later\n"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_deeply_nested_json_is_one_located_error(
    cli: Cli, server: StandinServer, good_answer: dict[str, Any], command: list[str]
) -> None:
    answer = copy.deepcopy(good_answer)
    body(answer)["filter"] = nested(300)
    serve(server, answer)
    result = cli(*command, "--env", "test")
    assert result.code == 1
    line = result.err
    assert line.startswith(
        f"error: {server.url} answered export_metadata malformed at {BODY}.filter._and[0]._and"
    )
    assert line.endswith("._and[0]._and: JSON nested more than 200 levels deep\n")
    assert " ... " in line and len(line) < 300
    assert [r.type for r in server.requests] == ["export_metadata"]


def _chain(levels: int, leaf: Any) -> Any:
    """`leaf` inside `levels` containers, lists and objects alternating."""
    value = leaf
    for i in range(levels):
        value = {"k": [0, value]} if i % 2 else [value]
    return value


@pytest.mark.parametrize("leaf", [1, "s", None, [], {}, [1], {"x": 1}])
def test_the_depth_limit_is_exact_whatever_the_deepest_node(leaf: Any) -> None:
    """The quick depth check and the located one agree at the limit: a node at depth
    MAX_DEPTH passes, a node one deeper (a scalar, or an empty or full container) is refused
    with its path."""
    from hasura_perm.core.errors import HasuraPermError
    from hasura_perm.metadata.export_shape import MAX_DEPTH
    from hasura_perm.metadata.export_shape import check_depth

    seen = set()
    for levels in range(125, 140):
        value = _chain(levels, leaf)
        deepest = _deepest(value)
        seen.add(deepest - MAX_DEPTH)
        if deepest <= MAX_DEPTH:
            check_depth(value)
        else:
            with pytest.raises(HasuraPermError, match=f"nested more than {MAX_DEPTH} levels"):
                check_depth(value)
    assert min(seen) <= 0 < max(seen)  # both sides of the limit were tried


def _deepest(value: Any, depth: int = 0) -> int:
    children = value.values() if isinstance(value, dict) else value
    if not isinstance(value, dict | list) or not children:
        return depth
    return max(_deepest(c, depth + 1) for c in children)


def test_json_nested_deeper_than_the_decoder_goes_is_one_error(
    cli: Cli, server: StandinServer
) -> None:
    serve(server, None, raw=b"[" * 200_000 + b"]" * 200_000)
    result = cli("plan", "--env", "test")
    assert result.code == 1
    assert result.err == (
        f"error: {server.url} answered HTTP 200 with JSON nested too deeply to read (tried 3 "
        "times)\n"
    )


def test_a_malformed_answer_never_echoes_the_secret(
    cli: Cli, server: StandinServer, good_answer: dict[str, Any]
) -> None:
    """A hostile server knows the secret (it was sent to it) and may put it anywhere."""
    answer = copy.deepcopy(good_answer)
    body(answer)["limit"] = SECRET
    serve(server, answer)
    result = cli("plan", "--env", "test")
    assert result.code == 1
    assert "found the string '<redacted>'" in result.err


HEADER = ["table_schema", "table_name", "relkind", "columns", "constraints"]

# run_sql answer -> the message after "error: {url}"
MALFORMED_RUN_SQL: dict[str, tuple[Any, str]] = {
    "rows a string": (
        {"result_type": "TuplesOk", "result": "x"},
        " answered run_sql without result rows",
    ),
    "a row a number": (
        {"result_type": "TuplesOk", "result": [HEADER, 5]},
        " answered run_sql malformed at $.result[1]: expected a row of texts and nulls",
    ),
    "a value an object": (
        {"result_type": "TuplesOk", "result": [HEADER, ["public", "t", "r", {}, "[]"]]},
        " answered run_sql malformed at $.result[1]: expected a row of texts and nulls",
    ),
    "secret as relkind": (
        {"result_type": "TuplesOk", "result": [HEADER, ["public", "t", SECRET, "[]", "[]"]]},
        ": unexpected introspection result for public.t: KeyError('<redacted>')",
    ),
    "secret as header": (
        {"result_type": "TuplesOk", "result": [[SECRET]]},
        f": unexpected introspection result: header ['<redacted>'], expected {HEADER}",
    ),
}


@pytest.mark.parametrize("case", MALFORMED_RUN_SQL)
def test_a_malformed_run_sql_answer_is_one_error_without_the_secret(
    cli: Cli, server: StandinServer, case: str
) -> None:
    answer, said = MALFORMED_RUN_SQL[case]
    server.faults.proxy_answer_next(
        "run_sql",
        status=200,
        body=json.dumps(answer).encode(),
        headers={"Content-Type": "application/json"},
        when="before",
    )
    result = cli("schema", "pull", "--env", "test")
    assert result.code == 1
    assert result.err == f"error: {server.url}{said}\n"
