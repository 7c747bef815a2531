"""What Hasura accepts never stops an import: keys its parsers ignore are dropped and
reported, `limit: 0` and string presets are kept, and inherited roles become `combines`
roles (the server keeps deriving them), or are left to Hasura untouched when it could not
build them either."""

from __future__ import annotations

import json
from pathlib import Path

from hasura_perm.schema.snapshot import snapshot_from_data
from tests.helpers import load_yaml
from tests.helpers import run_cli
from tests.helpers import write
from tests.importer.helpers import block
from tests.importer.helpers import expected_of
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

TABLES = {
    "public.authors": {"id": "integer", "name": "text", "is_admin": "boolean"},
    "public.articles": {"id": "integer", "title": "text", "author_id": "integer"},
}


def adopt(tmp_path: Path, entries: list, inherited: list | None = None, layout: str = "v3"):
    case = scenario(tmp_path, entries, snapshot_of(TABLES), layout=layout)
    if inherited is not None:
        write(case.metadata, "inherited_roles.yaml", inherited)
    write(tmp_path, "hasura-perm.yaml", "version: 1\nschema: schema.yaml\n")
    result = case.run("--report", "report.json")
    return case, result


def compile_back(tmp_path: Path, case) -> None:
    """compile, compile --check, and the same permissions as the metadata had."""
    snapshot = snapshot_from_data(load_yaml(case.schema))
    before = expected_of(case.metadata, snapshot)
    original = {p: p.read_bytes() for p in case.metadata.rglob("*.yaml")}
    compiled = run_cli("compile", cwd=tmp_path)
    assert compiled.code == 0, compiled.err
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0
    assert expected_of(case.metadata, snapshot) == before
    inherited = case.metadata / "inherited_roles.yaml"
    if inherited in original:
        assert inherited.read_bytes() == original[inherited]  # never touched


def test_keys_hasura_ignores_are_dropped_and_reported(tmp_path: Path) -> None:
    authors = table_entry(
        "public.authors",
        insert_permissions=[
            block("writer", columns=["name"], check={}, computed_fields=["full_name"])
        ],
        select_permissions=[
            {"role": "writer", "permission": {"columns": ["id"], "filter": {}}, "owner": "bob"}
        ],
        update_permissions=[block("writer", columns=["name"], filter={}, check=None, mystery=True)],
    )
    case, result = adopt(tmp_path, [authors])
    assert result.code == 0, result.err
    assert "ignores; dropped" in result.out
    report = json.loads((tmp_path / "report.json").read_text())
    kinds = [o["kind"] for o in report["oddities"]]
    assert kinds.count("ignored-key") == 3
    compile_back(tmp_path, case)
    text = (case.metadata / "databases/default/tables/public_authors.yaml").read_text()
    assert "mystery" not in text and "computed_fields" not in text and "owner" not in text


def test_limit_zero_and_string_presets_are_kept_as_written(tmp_path: Path) -> None:
    authors = table_entry(
        "public.authors",
        select_permissions=[block("writer", columns=["id"], filter={}, limit=0)],
        insert_permissions=[
            block("writer", columns=["name"], check={}, set={"id": "9", "is_admin": "True"})
        ],
    )
    case, result = adopt(tmp_path, [authors], layout="v2")
    assert result.code == 0, result.err
    written = "".join(p.read_text() for p in (tmp_path / "permissions").rglob("*.yaml"))
    assert "limit: 0" in written
    assert "'9'" in written or '"9"' in written
    assert "'True'" in written or '"True"' in written
    compile_back(tmp_path, case)
    assert not (case.metadata / "databases").exists()


def test_an_inherited_role_whose_parents_agree_is_imported_as_combines(tmp_path: Path) -> None:
    entries = [
        table_entry(
            name,
            select_permissions=[
                block("reader", columns=["id"], filter={}),
                block("auditor", columns=["id"], filter={}),
            ],
        )
        for name in ("public.authors", "public.articles")
    ]
    inherited = [{"role_name": "staff", "role_set": ["reader", "auditor"]}]
    case, result = adopt(tmp_path, entries, inherited)
    assert result.code == 0, result.err
    assert "inherited role staff (of reader, auditor) -> `combines: [reader, auditor]`" in (
        result.out
    )
    roles = load_yaml(tmp_path / "permissions" / "roles.yaml")["roles"]
    assert roles["staff"] == {"combines": ["reader", "auditor"]}
    compile_back(tmp_path, case)
    # no copies: Hasura keeps deriving them
    text = (case.metadata / "databases/default/tables/public_authors.yaml").read_text()
    assert "staff" not in text


def test_an_inherited_role_hasura_unions_is_imported_as_combines_too(tmp_path: Path) -> None:
    authors = table_entry(
        "public.authors",
        select_permissions=[
            block("reader", columns=["id"], filter={}),
            block("auditor", columns=["id", "name"], filter={"id": {"_eq": 1}}),
            block("staff", columns=["id"], filter={"id": {"_eq": 2}}),  # its own comes first
        ],
    )
    inherited = [
        {"role_name": "staff", "role_set": ["reader", "auditor"]},
        {"role_name": "lead", "role_set": ["staff"]},  # an inherited parent is a known role
    ]
    case, result = adopt(tmp_path, [authors], inherited)
    assert result.code == 0, result.err
    roles = load_yaml(tmp_path / "permissions" / "roles.yaml")["roles"]
    assert roles["staff"] == {"combines": ["reader", "auditor"]}
    assert roles["lead"] == {"combines": ["staff"]}
    compile_back(tmp_path, case)


def test_an_inherited_role_hasura_could_not_build_is_left_to_hasura(tmp_path: Path) -> None:
    authors = table_entry(
        "public.authors", select_permissions=[block("reader", columns=["id"], filter={})]
    )
    inherited = [{"role_name": "ghost", "role_set": ["reader", "nobody"]}]
    case, result = adopt(tmp_path, [authors], inherited)
    assert result.code == 0, result.err
    assert "inherited role ghost (of reader, nobody) is left to Hasura" in result.out
    assert "nobody hold no permission the import sees" in result.out
    assert "ghost" not in load_yaml(tmp_path / "permissions" / "roles.yaml")["roles"]
    compile_back(tmp_path, case)


def test_a_broken_inherited_role_with_its_own_permissions_is_an_import_problem(
    tmp_path: Path,
) -> None:
    authors = table_entry(
        "public.authors",
        select_permissions=[
            block("reader", columns=["id"], filter={}),
            block("ghost", columns=["id"], filter={}),
        ],
    )
    inherited = [{"role_name": "ghost", "role_set": ["nobody"]}]
    case, result = adopt(tmp_path, [authors], inherited)
    assert result.code == 1
    assert "inherited_roles.yaml" in result.err
    assert "inherited role ghost (of nobody) cannot be imported" in result.err
    assert not (tmp_path / "permissions" / "roles.yaml").exists()


def test_a_chain_of_inherited_roles_with_their_own_permissions_round_trips(tmp_path: Path) -> None:
    # real-project shape (a tournament platform): chief <- organizer <- moderator <- member
    # <- guest, each inherited role with some permissions of its own
    authors = table_entry(
        "public.authors",
        select_permissions=[
            block("guest", columns=["id"], filter={}),
            block("member", columns=["id", "name"], filter={"id": {"_eq": "X-Hasura-User-Id"}}),
        ],
        update_permissions=[block("moderator", columns=["name"], filter={}, check=None)],
        delete_permissions=[block("chief", filter={})],
    )
    inherited = [
        {"role_name": "chief", "role_set": ["organizer"]},
        {"role_name": "organizer", "role_set": ["moderator"]},
        {"role_name": "moderator", "role_set": ["member"]},
        {"role_name": "member", "role_set": ["guest"]},
    ]
    case, result = adopt(tmp_path, [authors], inherited)
    assert result.code == 0, result.err
    roles = load_yaml(tmp_path / "permissions" / "roles.yaml")["roles"]
    assert {name: value.get("combines") for name, value in roles.items()} == {
        "chief": ["organizer"],
        "guest": None,
        "member": ["guest"],
        "moderator": ["member"],
        "organizer": ["moderator"],
    }
    assert not any("inherits" in value for value in roles.values())
    compile_back(tmp_path, case)  # inherited_roles.yaml byte for byte, the same permissions
