"""Names and types that reach SQL or fool a reader: Postgres type names in the snapshot
(pasted into the SQL of `hasura-perm test`), invisible characters in role names, and
condition cycles no rule uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.schema.pgtypes import is_type_name
from tests.helpers import DEFAULT_SCHEMA
from tests.helpers import run_cli
from tests.hostile.support import ROLES
from tests.hostile.support import project


@pytest.mark.parametrize(
    "pg_type",
    [
        "integer",
        "text[]",
        "character varying",
        "timestamp with time zone",
        "double precision",
        "numeric(10,2)",
        "varchar(255)",
        '"char"',
        '"My Enum"',
        '"My Enum"[]',
        "audit.status",
        "public.geography",
        "int[][]",
    ],
)
def test_real_type_names_are_accepted(pg_type: str) -> None:
    assert is_type_name(pg_type)


@pytest.mark.parametrize(
    "pg_type",
    [
        "integer) OR (true",
        "integer OR true",
        "text; DROP TABLE users",
        "integer--",
        "text /* x */",
        "'text'",
        '"unterminated',
        "int[",
        "",
    ],
)
def test_anything_else_is_refused(pg_type: str) -> None:
    assert not is_type_name(pg_type)


def test_snapshot_with_an_injected_type_is_refused_at_its_line(tmp_path: Path) -> None:
    schema = dict(DEFAULT_SCHEMA)
    schema["public.notes"] = {
        **DEFAULT_SCHEMA["public.notes"],
        "columns": {**DEFAULT_SCHEMA["public.notes"]["columns"], "score": "integer) OR (true"},
    }
    root = project(tmp_path, schema=schema)
    for command in (("compile",), ("lint",)):
        result = run_cli("--project", str(root), *command)
        assert result.code == 1, result.out
        assert "permissions/schema.yaml:" in result.err
        assert "'integer) OR (true' is not a Postgres type name" in result.err


@pytest.mark.parametrize("hidden", ["\u200b", "\u202e", "\u2066", "\ufeff", "\u00ad"])
def test_role_names_with_invisible_characters_get_a_warning(tmp_path: Path, hidden: str) -> None:
    roles = ROLES + f"  'view{hidden}er': {{}}\n"
    root = project(tmp_path, {"roles.yaml": roles})
    result = run_cli("--project", str(root), "compile")
    assert result.code == 0, result.err
    assert "warning: permissions/roles.yaml:4:3: role name" in result.err
    assert f"U+{ord(hidden):04X}" in result.err


def test_plain_role_names_get_no_warning(tmp_path: Path) -> None:
    result = run_cli("--project", str(project(tmp_path)), "compile")
    assert result.code == 0
    assert "warning" not in result.err


def test_an_unused_condition_cycle_is_reported(tmp_path: Path) -> None:
    conditions = (
        "conditions:\n"
        "  fine: {id: {_gt: 0}}\n"
        "  a: {_and: [fine, b]}\n"
        "  b: {_or: [{_not: c}]}\n"
        "  c: {author: a}\n"
    )
    root = project(tmp_path, {"conditions.yaml": conditions})
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert (
        "permissions/conditions.yaml:3:3: conditions use each other in a cycle: a -> b -> c -> a"
        in result.err
    )


def test_a_used_condition_cycle_is_reported_once(tmp_path: Path) -> None:
    conditions = "conditions:\n  a: {_and: [b]}\n  b: {_not: a}\n"
    rule = "table: notes\nselect:\n  viewer: {columns: [id], filter: a}\n"
    root = project(tmp_path, {"conditions.yaml": conditions, "tables/notes.yaml": rule})
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    assert "refers to itself" in result.err
    assert "in a cycle" not in result.err


def test_a_condition_that_names_a_column_value_is_not_a_cycle(tmp_path: Path) -> None:
    conditions = "conditions:\n  active: {title: active}\n"
    root = project(tmp_path, {"conditions.yaml": conditions})
    result = run_cli("--project", str(root), "compile")
    assert "in a cycle" not in result.err
