"""Names and values in markdown reports show as written and stay inert: a role named
`</details><img ...>` must not close a fold or add an image, `|` must not split a table cell,
backticks in values must not be rewritten. Plan and drift read them from a real server (the
stand-in), the matrix from the project."""

from __future__ import annotations

import re
from pathlib import Path

from tests.hasura_standin import StandinServer
from tests.plan_apply.conftest import SECRET
from tests.plan_apply.conftest import Cli

HTML_ROLE = "</details><img/src=x/onerror=alert(1)>"
PIPE_ROLE = "a|b"
TICK_ROLE = "x`y"
OUR_TAGS = re.compile(r"</?details( open)?>|</?summary>")
VALUE = "`x` | y"


def code_spans(markdown: str) -> tuple[str, list[str]]:
    """`markdown` with every code span replaced by C, and the spans' contents (CommonMark: a
    backtick run opens a span closed by the next run of the same length; `\\|` inside a table
    row is a pipe)."""
    rest, spans, i = [], [], 0
    while i < len(markdown):
        char = markdown[i]
        if char == "\\" and i + 1 < len(markdown):
            rest.append(markdown[i : i + 2])
            i += 2
            continue
        if char != "`":
            rest.append(char)
            i += 1
            continue
        run = re.match(r"`+", markdown[i:]).group()  # type: ignore[union-attr]
        closing = re.compile(rf"(?<!`){run}(?!`)")
        end = closing.search(markdown, i + len(run))
        if end is None:
            rest.append(run)
            i += len(run)
            continue
        content = markdown[i + len(run) : end.start()]
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        spans.append(content.replace("\\|", "|"))
        rest.append("C")
        i = end.end()
    return "".join(rest), spans


def assert_inert(markdown: str, *names: str) -> list[str]:
    """No HTML but our own folds, every table row with its header's cell count, and each name
    shown whole in a code span. Returns the code spans."""
    outside, spans = code_spans(markdown)
    unescaped = re.sub(r"\\.", "", outside)
    assert "<" not in OUR_TAGS.sub("", unescaped), "raw HTML outside code spans"
    assert len(re.findall(r"<details", outside)) == outside.count("</details>")
    for block in re.split(r"\n(?!\|)", markdown):
        rows = [line for line in block.split("\n") if line.startswith("|")]
        counts = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(counts) <= 1, f"a table row with a different number of cells: {rows}"
    for name in names:
        assert name in spans, f"{name!r} is not shown whole in a code span"
    return spans


def hostile_permissions(server: StandinServer) -> None:
    """The console gave roles with hostile names permissions on a managed table."""
    for role in (HTML_ROLE, PIPE_ROLE, TICK_ROLE):
        status, answer = server.execute(
            {
                "type": "pg_create_select_permission",
                "args": {
                    "table": "departments",
                    "role": role,
                    "permission": {"columns": ["id"], "filter": {"name": {"_eq": VALUE}}},
                },
            }
        )
        assert status == 200, answer


def test_plan_markdown_keeps_server_names_and_values_inert(cli: Cli, server: StandinServer) -> None:
    hostile_permissions(server)
    result = cli("plan", "--env", "test", "--prune", "--format", "markdown")
    assert result.code == 2
    spans = assert_inert(result.out, HTML_ROLE, PIPE_ROLE, TICK_ROLE)
    assert 'filter: {"name":{"_eq":"`x` | y"}}' in spans, "values are shown exactly"


def test_drift_markdown_keeps_server_names_inert(cli: Cli, server: StandinServer) -> None:
    hostile_permissions(server)
    result = cli("drift", "--env", "test", "--format", "markdown")
    assert result.code == 2
    assert_inert(result.out, HTML_ROLE, PIPE_ROLE, TICK_ROLE)


def test_matrix_markdown_keeps_project_names_inert(cli: Cli, project: Path) -> None:
    roles = "".join(
        f"  {name!r}: {{inherits: viewer}}\n" for name in (HTML_ROLE, PIPE_ROLE, TICK_ROLE)
    )
    (project / "permissions" / "hostile.yaml").write_text(f"roles:\n{roles}", encoding="utf-8")
    result = cli("matrix", "--format", "markdown")  # text is the default
    assert result.code == 0, result.err
    assert_inert(result.out, HTML_ROLE, PIPE_ROLE, TICK_ROLE)


def test_the_checker_catches_what_it_must() -> None:
    """assert_inert itself: it must fail on the raw forms the reports used to print."""
    raw_rows = f"| a | b |\n|---|---|\n| `t` | {PIPE_ROLE} |\n"
    for bad in (f"- `t` select {HTML_ROLE}\n", raw_rows, "- `x'y`\n"):
        try:
            assert_inert(bad, TICK_ROLE)
        except AssertionError:
            continue
        raise AssertionError(f"the checker accepted {bad!r}")
    assert SECRET  # the canary fixture scans this test's output too
