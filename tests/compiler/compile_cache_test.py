"""The compile cache (compiler/compile_cache.py) and the validation marks (core/validate.py)
give exactly what compiling gives: after any input changes, a build with a warm cache equals
a build without a cache, and differs from the build before the change."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hasura_perm.compiler import build as build_module
from hasura_perm.compiler import compile_cache
from hasura_perm.compiler.build import build
from hasura_perm.core import parse_cache
from hasura_perm.core import validate
from hasura_perm.core import yamlfmt
from hasura_perm.core.cache_store import FILE_NAME
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.yaml_source import load_text
from hasura_perm.spec.project import load_project
from tests.cache_entries import overwrite
from tests.cache_entries import stored

REPO = Path(__file__).resolve().parents[2]
TABLES = "permissions/tables"
PROJECTS_META = "metadata/databases/default/tables/public_projects.yaml"
COMPONENTS_META = "metadata/databases/default/tables/public_project_components.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(parse_cache.ENV, str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "hasura-perm.yaml", root)
    for folder in ("permissions", "metadata"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def outcome(root: Path) -> Any:
    """Everything a build gives that later stages read: every permission with its body,
    comment, location and origin, the session variables used, the planned files and the
    warnings; or the error."""
    try:
        result = build(load_project(root))
    except HasuraPermError as error:
        return ("error", str(error))
    permissions = [
        (str(p.table), p.action, p.role, p.body, p.comment, p.location, p.origin, p.expands_all)
        for p in result.compiled.permissions
    ]
    files = {str(path.relative_to(root)): text for path, text in result.files.items()}
    return ("ok", permissions, sorted(result.compiled.session_used), files, result.warnings)


def uncached(root: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patch:
        patch.setenv(parse_cache.ENV, "off")
        return outcome(root)


def edit(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def rename(relative: str, to: str) -> Callable[[Path], None]:
    return lambda root: (root / relative).rename(root / to)


CHANGES = {
    "a rule in a table file": edit(
        f"{TABLES}/public.projects.yaml", "    filter: published\n", "    filter: led_by_me\n"
    ),
    "where a table file is (locations)": rename(
        f"{TABLES}/public.projects.yaml", f"{TABLES}/projects.yaml"
    ),
    "a line above the rules (locations)": edit(
        f"{TABLES}/public.projects.yaml", "table: public.projects\n", "\ntable: public.projects\n"
    ),
    "a condition": edit(
        "permissions/conditions.yaml",
        "published: {_and: [not_deleted, {is_published: {_eq: true}}]}",
        "published: {is_published: {_eq: true}}",
    ),
    "a column set": edit(
        "permissions/conditions.yaml",
        "audit: [created_at, created_by_user_id,",
        "audit: [created_by_user_id,",
    ),
    "a preset": edit(
        "permissions/conditions.yaml",
        "  stamp_creator:\n    created_by_user_id: x-hasura-user-db-id\n",
        "  stamp_creator:\n",
    ),
    "a default": edit(
        "permissions/defaults.yaml",
        "viewer: {columns: all, filter: {}}",
        "viewer: {columns: all, filter: {}, limit: 10}",
    ),
    "a role's parents": edit("permissions/roles.yaml", "    inherits: viewer\n", ""),
    "a session variable's declaration": edit(
        "permissions/roles.yaml", "  x-hasura-department-ids:\n", "  x-hasura-department-idz:\n"
    ),
    "the snapshot's columns": edit(
        "permissions/schema.yaml",
        "  public.projects:\n    kind: table\n    columns:\n",
        "  public.projects:\n    kind: table\n    columns:\n      added: text\n",
    ),
    "a relationship in metadata/": edit(COMPONENTS_META, "  - name: project\n", "  - name: proj\n"),
    "a computed field in metadata/": edit(PROJECTS_META, "note_count", "notes_count"),
    "another role's permission in metadata/": edit(
        PROJECTS_META,
        "select_permissions:\n",
        "select_permissions:\n  - role: aaa_legacy\n    permission:\n      columns: []\n"
        "      filter: {}\n",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=lambda c: re.sub(r"\W+", "_", c))
def test_a_warm_cache_gives_what_compiling_gives_after_each_change(
    cache: Path, project: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    before = outcome(project)
    assert before[0] == "ok", before
    assert outcome(project) == before  # the second build reads every table from the cache
    CHANGES[change](project)
    after = outcome(project)
    assert after != before, "the change must matter, or the test proves nothing"
    assert after == uncached(project, monkeypatch)
    assert outcome(project) == after  # and the cache now holds the new result


def test_an_unchanged_project_is_read_from_the_cache_and_one_edit_recompiles_one_table(
    cache: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = {"hit": 0, "miss": 0}
    original = compile_cache.TableCache.get

    def counting(self: Any, key: str, table: Any) -> Any:
        found = original(self, key, table)
        counts["hit" if found is not None else "miss"] += 1
        return found

    monkeypatch.setattr(compile_cache.TableCache, "get", counting)
    first = outcome(project)
    tables = counts["miss"]
    assert tables > 5 and counts["hit"] == 0
    counts.update(hit=0, miss=0)
    assert outcome(project) == first
    assert counts == {"hit": tables, "miss": 0}
    CHANGES["a rule in a table file"](project)
    counts.update(hit=0, miss=0)
    outcome(project)
    assert counts == {"hit": tables - 1, "miss": 1}


def test_the_run_after_a_compile_neither_parses_nor_merges_nor_dumps_its_files(
    cache: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    CHANGES["a default"](project)  # changes the permissions of several tables
    result = build(load_project(project))
    written = [path for path, text in result.files.items() if path.read_text("utf-8") != text]
    assert len(written) >= 3
    for path in written:
        path.write_text(result.files[path], encoding="utf-8")  # what `compile` writes
    expected = uncached(project, monkeypatch)
    calls: list[str] = []
    real_load, real_dump = yamlfmt.load, yamlfmt.dump

    def counted_load(text: str, *, filename: str) -> object:
        calls.append(f"parsed {Path(filename).name}")
        return real_load(text, filename=filename)

    def counted_dump(data: object, **options: Any) -> str:
        if isinstance(data, dict) and "table" in data:
            calls.append("dumped a table file")
        return real_dump(data, **options)

    monkeypatch.setattr(yamlfmt, "load", counted_load)
    monkeypatch.setattr(yamlfmt, "dump", counted_dump)
    monkeypatch.setattr(build_module, "merge_permissions", lambda *a: pytest.fail("merged"))
    assert outcome(project) == expected
    parsed_written = [c for c in calls if c.removeprefix("parsed ") in {p.name for p in written}]
    assert parsed_written == [] and "dumped a table file" not in calls


def test_compiled_bodies_are_json_values_so_the_cache_gives_them_back_unchanged(
    project: Path,
) -> None:
    compiled = build(load_project(project)).compiled.permissions
    assert len(list(compiled)) > 50
    for permission in compiled:
        assert parse_cache.is_plain(permission.body), permission.key
        assert permission.comment is None or type(permission.comment) is str


def test_other_code_does_not_see_old_entries(
    cache: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = outcome(project)
    before = set(stored(cache))
    monkeypatch.setattr(compile_cache, "code_salt", lambda: b"a changed compiler")
    assert outcome(project) == first
    assert len(set(stored(cache)) - before) > 5  # compiled again, stored anew


def test_a_corrupt_or_foreign_entry_is_compiled_again(
    cache: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = outcome(project)

    def corrupt(value: bytes) -> bytes | None:
        if value.startswith(b'{"permissions"'):
            return b'{"permissions": {"select": {"x": [1]}}}'
        if value.startswith(b'"'):  # a remembered table file text
            return b"[1]"
        return None

    assert overwrite(cache, corrupt) > 5
    assert outcome(project) == first


def test_a_compile_with_problems_is_not_remembered(
    cache: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    CHANGES["a computed field in metadata/"](project)
    failed = outcome(project)
    assert failed[0] == "error" and "note_count" in failed[1]
    assert outcome(project) == failed  # the failing table was compiled, and failed, again


def test_without_a_cache_nothing_is_stored(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parse_cache.ENV, "off")
    assert outcome(project)[0] == "ok"
    assert not list(tmp_path.rglob(FILE_NAME))


# ---------------------------------------------------------------- validation marks

ROLES = "roles:\n  user: {}\n"


def _document(text: str, cache: Path) -> Any:
    doc = load_text(text, "roles.yaml")
    doc.digest = f"digest of {text!r}"  # as the located cache sets it
    return doc


def test_a_valid_document_is_validated_once(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = validate._is_valid

    def counting(schema: str, definition: str | None) -> Any:
        calls.append(schema)
        return real(schema, definition)

    monkeypatch.setattr(validate, "_is_valid", counting)
    doc = _document(ROLES, cache)
    assert validate.check(doc, "permissions") == []
    assert validate.check(doc, "permissions") == []
    assert calls == ["permissions"]
    assert validate.check(doc, "snapshot") != []  # the same text against another schema
    assert validate.check(_document(ROLES + "  other: {}\n", cache), "permissions") == []
    assert calls == ["permissions", "snapshot", "permissions"]


def test_an_invalid_document_is_refused_every_time(cache: Path) -> None:
    doc = _document("roles:\n  user: 5\n", cache)
    first = validate.check(doc, "permissions")
    assert first and validate.check(doc, "permissions") == first


def test_another_validator_validates_again(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _document(ROLES, cache)
    assert validate.check(doc, "permissions") == []
    calls = []
    real = validate._is_valid

    def counting(schema: str, definition: str | None) -> Any:
        calls.append(schema)
        return real(schema, definition)

    monkeypatch.setattr(validate, "_is_valid", counting)
    assert validate.check(doc, "permissions") == []
    assert calls == []
    monkeypatch.setattr(parse_cache, "package_salt", lambda: b"another schema or validator")
    assert validate.check(doc, "permissions") == []
    assert calls == ["permissions"]


def test_a_document_without_a_digest_is_never_marked(cache: Path) -> None:
    assert validate.check(load_text(ROLES, "roles.yaml"), "permissions") == []
    assert not stored(cache)
