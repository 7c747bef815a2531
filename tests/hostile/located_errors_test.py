"""Broken input gives a message at file:line and exit 1, never "internal error".

Each case below used to end in an internal error (RecursionError, TypeError, KeyError,
AttributeError, UnicodeDecodeError, RuntimeError) or, for import, in exit 0 with 0 tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import NOTES_METADATA
from tests.helpers import run_cli
from tests.helpers import table_file
from tests.helpers import write
from tests.helpers import write_metadata
from tests.hostile.support import ROLES
from tests.hostile.support import project

LOCATED = re.compile(r"^(?:error: )?([^\s:]+):(\d+):(\d+): ", re.MULTILINE)


def assert_located(result: object, file: str, line: int | None = None) -> str:
    code, err = result.code, result.err  # type: ignore[attr-defined]
    assert code == 1, err
    assert "internal error" not in err
    found = [(m.group(1), int(m.group(2))) for m in LOCATED.finditer(err)]
    assert any(f.endswith(file) and (line is None or n == line) for f, n in found), err
    return err


def compile_(root: Path) -> object:
    return run_cli("--project", str(root), "compile")


# ------------------------------------------------------------------ recursion


def test_a_300_long_chain_of_conditions(tmp_path: Path) -> None:
    chain = "conditions:\n" + "".join(f"  c{i}: c{i + 1}\n" for i in range(300))
    chain += "  c300: {id: {_eq: 1}}\n"
    rule = "table: notes\nselect:\n  viewer: {columns: [id], filter: c0}\n"
    root = project(tmp_path, {"conditions.yaml": chain, "tables/notes.yaml": rule})
    err = assert_located(compile_(root), "permissions/conditions.yaml", 65)
    assert "conditions use each other more than 64 deep" in err


@pytest.mark.parametrize(
    ("length", "fragment"), [(900, "inherits through 65 levels"), (2000, "the limit is 1000")]
)
def test_long_chains_of_inheritance(tmp_path: Path, length: int, fragment: str) -> None:
    roles = "roles:\n  r0: {}\n" + "".join(
        f"  r{i + 1}: {{inherits: r{i}}}\n" for i in range(length)
    )
    rule = "table: notes\nselect:\n  r0: {columns: [id], filter: {}}\n"
    files = {"roles.yaml": roles, "defaults.yaml": "", "tables/notes.yaml": rule}
    root = project(tmp_path, files)
    err = assert_located(compile_(root), "permissions/roles.yaml")
    assert fragment in err


def test_schema_snapshot_linking_to_itself(tmp_path: Path) -> None:
    root = project(tmp_path)
    schema = root / "permissions" / "schema.yaml"
    schema.unlink()
    schema.symlink_to(schema)
    result = compile_(root)
    assert result.code == 1  # type: ignore[attr-defined]
    assert "permissions/schema.yaml: cannot follow symbolic link: it loops" in result.err  # type: ignore[attr-defined]


# ------------------------------------------------------------------ metadata shapes


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("table: 5\n", 1, "`table` must be `{name: ..., schema: ...}`, found `5`"),
        ("table: {schema: public}\n", 1, "found a mapping without `name`"),
        ("table: {name: notes, schema: 5}\n", 1, "`schema` must be text"),
        (
            NOTES_METADATA.split("object_relationships")[0] + "select_permissions:\n  - 5\n",
            5,
            "a permission must be a mapping, found `5`",
        ),
        (
            "table: {name: notes, schema: public}\nobject_relationships:\n  - name: 5\n    using: {foreign_key_constraint_on: author_id}\n",
            3,
            "needs a text `name`, found `5`",
        ),
        (
            "table: {name: notes, schema: public}\nselect_permissions:\n  - role: legacy\n    permission:\n      columns: 5\n      filter: {}\n",
            5,
            '`columns` must be a list of names or "*", found `5`',
        ),
        (
            "table: {name: notes, schema: public}\nselect_permissions:\n  - role: legacy\n    permission:\n      columns: [id]\n      filter: {}\n      limit: ten\n",
            7,
            "`limit` must be a whole number",
        ),
        (
            "table: {name: notes, schema: public}\ninsert_permissions: {role: x}\n",
            2,
            "must be a list",
        ),
        ("- just\n- a list\n", 1, "expected a table entry with a `table:` key"),
        (
            "table: {name: notes, schema: public}\nobject_relationships:\n  - name: author\n    using: 5\n",
            4,
            "`using` must be a mapping, found `5`",
        ),
        (
            "table: {name: notes, schema: public}\narray_relationships:\n  - name: n\n    using:\n      foreign_key_constraint_on: 5\n",
            5,
            "`foreign_key_constraint_on` must be a column",
        ),
    ],
)
@pytest.mark.parametrize("command", ["compile", "lint", "import"])
def test_malformed_metadata_table_files(
    tmp_path: Path, text: str, line: int, fragment: str, command: str
) -> None:
    root = project(tmp_path, metadata={"public.notes": text})
    target = table_file(root, "public.notes")
    meta, schema = str(root / "metadata"), str(root / "permissions" / "schema.yaml")
    args = {
        "compile": ("--project", str(root), "compile"),
        "lint": ("lint", "--metadata", meta),
        "import": ("import", "--metadata", meta, "--schema", schema, "--out", str(tmp_path / "o")),
    }[command]
    err = assert_located(run_cli(*args), str(target), line)
    assert fragment in err


def test_tables_5_in_databases_yaml(tmp_path: Path) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    databases = write(
        root / "metadata",
        "databases/databases.yaml",
        "- name: default\n  kind: postgres\n  tables: 5\n",
    )
    err = assert_located(compile_(root), str(databases), 3)
    assert "`tables` must be a list or an `!include`" in err


def test_latin1_metadata_table_file(tmp_path: Path) -> None:
    root = project(tmp_path, metadata={"public.notes": NOTES_METADATA})
    target = table_file(root, "public.notes")
    target.write_bytes(NOTES_METADATA.encode() + b"# caf\xe9\n")
    err = assert_located(compile_(root), str(target), len(NOTES_METADATA.splitlines()) + 1)
    assert "not UTF-8 text (byte 0xe9)" in err


# ------------------------------------------------------------------ permissions files


def test_columns_5_in_a_rule(tmp_path: Path) -> None:
    rule = "table: notes\nselect:\n  viewer: {columns: 5, filter: {}}\n"
    root = project(tmp_path, {"tables/notes.yaml": rule})
    assert_located(compile_(root), "permissions/tables/notes.yaml", 3)


@pytest.mark.parametrize("where", ["permissions", "metadata"])
def test_nul_bytes_give_a_line(tmp_path: Path, where: str) -> None:
    if where == "permissions":
        root = project(tmp_path, {"tables/notes.yaml": "table: notes\n# a\x00b\n"})
        target = "permissions/tables/notes.yaml"
    else:
        root = project(tmp_path, metadata={"public.notes": NOTES_METADATA + "# a\x00b\n"})
        target = str(table_file(root, "public.notes"))
    err = assert_located(compile_(root), target)
    assert "NUL byte" in err
    assert re.search(r":\d+:4: NUL byte", err)


# ------------------------------------------------------------------ import


@pytest.mark.parametrize("content", ["", "5\n", "{}\n", "# only a comment\n"])
def test_import_of_an_empty_or_malformed_databases_yaml_exits_1(
    tmp_path: Path, content: str
) -> None:
    metadata = tmp_path / "metadata"
    write(metadata, "version.yaml", "version: 3\n")
    write(metadata, "databases/databases.yaml", content)
    schema = write(
        tmp_path, "schema.yaml", {"tables": {"public.x": {"columns": {"id": "integer"}}}}
    )
    result = run_cli(
        "import", "--metadata", str(metadata), "--schema", str(schema), "--dry-run", cwd=tmp_path
    )
    assert result.code == 1, result.out
    assert "databases/databases.yaml" in result.err
    assert "0 tables" not in result.out


def test_import_with_a_dangling_include_exits_1(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata"
    write_metadata(metadata, {"public.notes": NOTES_METADATA})
    (metadata / "databases" / "default" / "tables" / "public_notes.yaml").unlink()
    schema = write(
        tmp_path, "schema.yaml", {"tables": {"public.x": {"columns": {"id": "integer"}}}}
    )
    result = run_cli(
        "import", "--metadata", str(metadata), "--schema", str(schema), "--dry-run", cwd=tmp_path
    )
    err = assert_located(result, "tables/tables.yaml", 1)
    assert "dangling `!include`" in err


def test_roles_file_fixture_is_valid(tmp_path: Path) -> None:
    root = project(tmp_path, {"roles.yaml": ROLES})
    assert compile_(root).code == 0  # type: ignore[attr-defined]


def test_import_of_a_select_permission_with_null_columns(tmp_path: Path) -> None:
    entry = (
        "table: {name: notes, schema: public}\nselect_permissions:\n  - role: legacy\n"
        "    permission:\n      columns: null\n      filter: {}\n"
        "insert_permissions:\n  - role: legacy\n    permission:\n      columns: [id]\n"
        "      check: {}\n"
    )
    root = project(tmp_path, metadata={"public.notes": entry})
    schema = root / "permissions" / "schema.yaml"
    result = run_cli(
        "import", "--metadata", str(root / "metadata"), "--schema", str(schema), "--dry-run"
    )
    assert "internal error" not in result.err
    assert result.code in (0, 1)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("- table: {name: notes, schema: public}\n- table: 5\n", 2, "`table` must be"),
        (
            "- table: {name: notes, schema: public}\n  select_permissions: [5]\n",
            2,
            "a permission must be a mapping",
        ),
        ("- &t {table: {name: notes, schema: public}}\n- *t\n", 1, "anchors (&name)"),
    ],
)
def test_malformed_config_v2_tables_yaml(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    root = project(tmp_path)
    tables = write(root / "metadata", "tables.yaml", text)
    write(root / "metadata", "version.yaml", "version: 2\n")
    err = assert_located(compile_(root), str(tables), line)
    assert fragment in err
