"""Functions belong to their source: with several sources a `functions:` key may name its
source, and plan, apply and drift name the function `source:schema.name` and send the
source in the command."""

from __future__ import annotations

import json

from tests.helpers import run_cli
from tests.helpers import write
from tests.sources.remote_test import SECRET
from tests.sources.remote_test import project_for
from tests.sources.remote_test import server  # noqa: F401

FUNCTION_SQL = (
    "CREATE FUNCTION recent_notes() RETURNS SETOF notes LANGUAGE sql STABLE "
    "AS $$ SELECT * FROM notes $$;"
)


def test_a_function_of_the_second_source(tmp_path, server, monkeypatch):  # noqa: F811
    root = project_for(tmp_path, server, monkeypatch)
    databases = root / "metadata/databases/databases.yaml"
    databases.write_text(
        databases.read_text() + '  functions: "!include reports/functions/functions.yaml"\n'
    )
    write(
        root,
        "metadata/databases/reports/functions/functions.yaml",
        '- "!include public_recent_notes.yaml"\n',
    )
    write(
        root,
        "metadata/databases/reports/functions/public_recent_notes.yaml",
        "function:\n  name: recent_notes\n  schema: public\n",
    )
    snapshot = root / "permissions/schema.reports.yaml"
    snapshot.write_text(
        snapshot.read_text()
        + "functions:\n  public.recent_notes:\n    returns: public.notes\n    volatility: stable\n"
    )
    write(
        root, "permissions/functions.yaml", "functions:\n  reports:recent_notes:\n    reader: {}\n"
    )
    args = ("--project", str(root))
    assert run_cli(*args, "compile").code == 0
    assert (
        (root / "metadata/databases/reports/functions/public_recent_notes.yaml")
        .read_text()
        .endswith("permissions:\n  - role: reader\n")
    )
    matrix = json.loads(run_cli(*args, "matrix", "--format", "json").out)
    assert list(matrix["surface"]["functions"]) == ["reports:public.recent_notes"]

    server.run_sql(FUNCTION_SQL, "reports")
    exported = server.export()
    reports = next(s for s in exported["sources"] if s["name"] == "reports")
    reports["functions"] = [{"function": {"schema": "public", "name": "recent_notes"}}]
    assert server.seed(exported) == []
    assert run_cli(*args, "apply", "--env", "test", "--yes").code == 0
    bulk = [r for r in server.requests if r.body.get("type") == "bulk"][-1].body["args"]
    assert bulk[-1] == {
        "type": "pg_create_function_permission",
        "args": {
            "function": {"schema": "public", "name": "recent_notes"},
            "source": "reports",
            "role": "reader",
        },
    }
    reports = next(s for s in server.export()["sources"] if s["name"] == "reports")
    assert reports["functions"][0]["permissions"] == [{"role": "reader"}]
    drift = run_cli(*args, "drift", "--env", "test")
    assert drift.code == 0, drift.out
    assert SECRET not in drift.out + drift.err
    # a key naming an unknown source is an error with its line
    write(
        root, "permissions/functions.yaml", "functions:\n  archive:recent_notes:\n    reader: {}\n"
    )
    refused = run_cli(*args, "compile")
    assert refused.code == 1
    assert (
        "permissions/functions.yaml:2:" in refused.err and "unknown source `archive`" in refused.err
    )
