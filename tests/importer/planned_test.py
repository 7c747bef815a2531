"""What an import will write: the rules of its defaults and table files."""

from __future__ import annotations

from hasura_perm.core.names import TableName
from hasura_perm.importer.patterns import TableSpec
from hasura_perm.importer.planned import DefaultEntry
from hasura_perm.importer.planned import Plan


def test_rules_lists_defaults_first_and_leaves_out_deny() -> None:
    default_rule = {"columns": "all", "filter": {}}
    table_rule = {"columns": ["id"], "filter": {"owner": "x-hasura-user-id"}}
    plan = Plan(
        defaults=[
            DefaultEntry(TableSpec(["public.*"], []), {"select": {"viewer": default_rule}}, [])
        ],
        tables={
            TableName("public", "notes"): {
                "select": {"editor": table_rule},
                "delete": {"viewer": "deny"},
            }
        },
    )
    assert plan.rules() == [default_rule, table_rule]
