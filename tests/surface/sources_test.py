"""Actions and introspection belong to no source: with several sources they are compiled,
planned and applied once, in the same bulk as every source's table permissions."""

from __future__ import annotations

import json

from tests.helpers import run_cli
from tests.helpers import write
from tests.sources.remote_test import SECRET
from tests.sources.remote_test import project_for
from tests.sources.remote_test import server  # noqa: F401

ACTIONS_YAML = """\
actions:
  - name: summarise
    definition:
      kind: synchronous
      handler: https://actions.example.org/summarise
custom_types:
  enums: []
  input_objects: []
  objects: []
  scalars: []
"""


def test_surface_with_two_sources(tmp_path, server, monkeypatch):  # noqa: F811
    root = project_for(tmp_path, server, monkeypatch)
    write(root, "metadata/actions.yaml", ACTIONS_YAML)
    write(root, "permissions/actions.yaml", "actions:\n  summarise:\n    reader: {}\n")
    roles = (root / "permissions/roles.yaml").read_text()
    write(
        root,
        "permissions/roles.yaml",
        roles.replace("reader: {}", "reader: {introspection: false}"),
    )
    args = ("--project", str(root))
    assert run_cli(*args, "compile").code == 0
    assert "      - role: reader\n" in (root / "metadata/actions.yaml").read_text()
    assert (root / "metadata/graphql_schema_introspection.yaml").read_text() == (
        "disabled_for_roles:\n  - reader\n"
    )
    matrix = json.loads(run_cli(*args, "matrix", "--format", "json").out)
    assert list(matrix["surface"]["actions"]["summarise"]) == ["reader"]

    exported = server.export()
    exported["actions"] = [
        {
            "name": "summarise",
            "definition": {
                "handler": "https://actions.example.org/summarise",
                "kind": "synchronous",
                "type": "mutation",
                "output_type": "String",
                "arguments": [],
            },
        }
    ]
    assert server.seed(exported) == []
    plan = run_cli(*args, "plan", "--env", "test", "--format", "json")
    assert plan.code == 2, plan.err
    surface = json.loads(plan.out)["surface"]
    assert [(c["kind"], c["role"]) for c in surface] == [
        ("action", "reader"),
        ("introspection", "reader"),
    ]
    assert run_cli(*args, "apply", "--env", "test", "--yes").code == 0
    bulk = [r for r in server.requests if r.body.get("type") == "bulk"][-1].body["args"]
    assert [c["type"] for c in bulk][-2:] == [
        "create_action_permission",
        "set_graphql_schema_introspection_options",
    ]
    assert run_cli(*args, "drift", "--env", "test").code == 0
    assert SECRET not in plan.out + plan.err


def test_remote_schemas_with_two_sources(tmp_path, server, monkeypatch):  # noqa: F811
    """Role-based remote schemas belong to no source either: one add in the bulk."""
    root = project_for(tmp_path, server, monkeypatch)
    write(
        root,
        "metadata/remote_schemas.yaml",
        "- name: maps\n  definition:\n    url: https://maps.example\n",
    )
    write(
        root,
        "permissions/remote.yaml",
        "remote_schemas:\n  maps:\n    reader: {schema: 'type Query { tile(z: Int!): String }'}\n",
    )
    args = ("--project", str(root))
    assert run_cli(*args, "compile").code == 0
    assert (
        "  permissions:\n    - role: reader\n"
        in (root / "metadata/remote_schemas.yaml").read_text()
    )
    exported = server.export()
    exported["remote_schemas"] = [{"name": "maps", "definition": {"url": "https://maps.example"}}]
    assert server.seed(exported) == []
    plan = run_cli(*args, "plan", "--env", "test", "--format", "json")
    assert plan.code == 2, plan.err
    assert [(c["kind"], c["role"]) for c in json.loads(plan.out)["surface"]] == [
        ("remote_schema", "reader")
    ]
    assert run_cli(*args, "apply", "--env", "test", "--yes").code == 0
    bulk = [r for r in server.requests if r.body.get("type") == "bulk"][-1].body["args"]
    assert [c["type"] for c in bulk].count("add_remote_schema_permissions") == 1
    assert run_cli(*args, "drift", "--env", "test").code == 0
