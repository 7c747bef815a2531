"""Each factoring rule on small hand-made metadata, and the cases that must not be factored.

Every scenario runs the real command: it only writes when the files it plans compile back
to exactly the metadata's permissions, so a passing import is itself the round trip; the
tests then look at what a person would read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hasura_perm.core.names import TableName
from hasura_perm.importer.roundtrip import compile_files
from hasura_perm.schema.snapshot import snapshot_from_data
from tests.helpers import load_yaml
from tests.importer.helpers import Scenario
from tests.importer.helpers import block
from tests.importer.helpers import load
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

AUDIT = {
    "created_at": "timestamp with time zone",
    "created_by_user_id": "integer",
    "updated_at": "timestamp with time zone",
    "updated_by_user_id": "integer",
}
ME = "X-Hasura-User-Id"


def audited(key: str, *columns: str) -> dict[str, str]:
    return {key: "integer", **dict.fromkeys(columns, "text"), **AUDIT}


# A project-like schema: three child tables keyed differently, two lookups, one table that is
# not tracked in Hasura, one tracked table without permissions.
TABLES = {
    "public.projects": audited("id", "name", "owner_id"),
    "public.project_notes": audited("note_id", "project_id", "body"),
    "public.project_files": audited("file_id", "project_id", "url"),
    "public.project_links": audited("link_id", "project_id", "href"),
    "public.tags": {"id": "integer", "name": "text"},
    "public.statuses": {"id": "integer", "label": "text"},
    "public.colors": {"id": "integer", "hex": "text"},
    "public.untracked": {"id": "integer"},
    "public.internal": {"id": "integer", "secret": "text"},
}
KEYS = {name: {"primary_key": [next(iter(columns))]} for name, columns in TABLES.items()}


def every(name: str) -> list[str]:
    return sorted(TABLES[name])


def without(name: str, *left_out: str) -> list[str]:
    return [c for c in every(name) if c not in left_out]


def run(
    tmp_path: Path, entries: list[dict[str, Any]], tables: dict[str, dict[str, str]] | None = None
) -> Scenario:
    tables = TABLES if tables is None else tables
    case = scenario(
        tmp_path, entries, snapshot_of(tables, **{k: v for k, v in KEYS.items() if k in tables})
    )
    result = case.run()
    assert result.code == 0, result.err + result.out
    return case


def compiled_columns(case: Scenario, table: str, action: str, role: str) -> list[str] | None:
    snapshot = snapshot_from_data(load(case.schema))
    entries = {TableName.parse(_entry_name(e)): e for e in _entries(case)}
    compiled = compile_files(case.files(), snapshot, entries)
    found = compiled.get(TableName.parse(table), action, role)
    return None if found is None else found.body.get("columns")


def _entries(case: Scenario) -> list[dict[str, Any]]:
    tables_dir = case.metadata / "databases" / "default" / "tables"
    return [load(p) for p in sorted(tables_dir.glob("public_*.yaml"))]


def _entry_name(entry: dict[str, Any]) -> str:
    return f"{entry['table']['schema']}.{entry['table']['name']}"


def viewer_select(name: str, role: str = "viewer", **extra: Any) -> dict[str, Any]:
    return block(role, columns=every(name), filter={}, **extra)


# ---------------------------------------------------------------------------- inheritance


def lookups(*roles: str) -> list[dict[str, Any]]:
    return [
        table_entry(t, select_permissions=[viewer_select(t, r) for r in roles])
        for t in ("public.tags", "public.statuses", "public.colors")
    ]


def test_a_role_whose_rules_contain_another_roles_rules_inherits_them(tmp_path: Path) -> None:
    entries = lookups("viewer", "editor", "manager")
    entries[0]["insert_permissions"] = [
        block(r, columns=["name"], check={}) for r in ("editor", "manager")
    ]
    entries[0]["delete_permissions"] = [block("manager", filter={})]
    case = run(tmp_path, entries)
    roles = load_yaml(case.root / "permissions" / "roles.yaml")["roles"]
    assert roles == {
        "editor": {"inherits": "viewer"},
        "manager": {"inherits": "editor"},
        "viewer": {},
    }
    tags = load_yaml(case.root / "permissions" / "tables" / "public.tags.yaml")
    # Each role writes only what it adds: selects once (viewer), the insert once (editor).
    assert tags == {
        "table": "public.tags",
        "insert": {"editor": {"columns": {"all_except": ["id"]}, "check": {}}},
        "delete": {"manager": {"filter": {}}},
    }
    defaults = load_yaml(case.root / "permissions" / "defaults.yaml")["defaults"]
    assert [d["select"] for d in defaults] == [{"viewer": {"columns": "all", "filter": {}}}]


def test_a_child_missing_one_of_its_parents_rules_gets_deny(tmp_path: Path) -> None:
    entries = lookups("viewer", "editor")
    entries.append(
        table_entry(
            "public.internal",
            select_permissions=[viewer_select("public.internal")],
            insert_permissions=[block("editor", columns=["secret"], check={})],
            update_permissions=[block("editor", columns=["secret"], filter={})],
        )
    )
    case = run(tmp_path, entries)
    roles = load_yaml(case.root / "permissions" / "roles.yaml")["roles"]
    assert roles["editor"] == {"inherits": "viewer"}
    internal = load_yaml(case.root / "permissions" / "tables" / "public.internal.yaml")
    assert internal["select"]["editor"] == "deny"
    assert compiled_columns(case, "public.internal", "select", "editor") is None


def test_roles_with_little_in_common_do_not_inherit(tmp_path: Path) -> None:
    entries = [
        table_entry("public.tags", select_permissions=[viewer_select("public.tags", "a")]),
        table_entry("public.statuses", select_permissions=[viewer_select("public.statuses", "b")]),
        table_entry("public.colors", select_permissions=[viewer_select("public.colors", "a")]),
    ]
    case = run(tmp_path, entries)
    roles = load_yaml(case.root / "permissions" / "roles.yaml")["roles"]
    assert roles == {"a": {}, "b": {}}


# ---------------------------------------------------------------------------- defaults


def children_select() -> list[dict[str, Any]]:
    names = [
        "public.projects",
        "public.project_notes",
        "public.project_files",
        "public.project_links",
    ]
    return [table_entry(n, select_permissions=[viewer_select(n)]) for n in names]


def test_a_rule_shared_by_many_tables_becomes_a_default_with_a_pattern(tmp_path: Path) -> None:
    entries = children_select() + [table_entry("public.internal")]
    case = run(tmp_path, entries)
    defaults = load_yaml(case.root / "permissions" / "defaults.yaml")["defaults"]
    assert defaults == [
        {
            "tables": ["public.project_*", "public.projects"],
            "select": {"viewer": {"columns": "all", "filter": {}}},
        }
    ]
    assert sorted(case.files()) == ["defaults.yaml", "roles.yaml"]
    # the untracked table and the table without permissions stay unmanaged
    for table in ("public.untracked", "public.internal", "public.tags"):
        assert compiled_columns(case, table, "select", "viewer") is None


def test_untracked_tables_are_kept_out_of_patterns(tmp_path: Path) -> None:
    names = ["public.tags", "public.statuses", "public.colors", "public.internal"]
    entries = [table_entry(n, select_permissions=[viewer_select(n)]) for n in names]
    case = run(tmp_path, entries)
    entry = load_yaml(case.root / "permissions" / "defaults.yaml")["defaults"][0]
    matched = entry["tables"] if isinstance(entry["tables"], list) else [entry["tables"]]
    assert "public.untracked" in entry.get("except", []) or "*" not in str(matched)
    assert compiled_columns(case, "public.untracked", "select", "viewer") is None


def test_a_rule_of_one_table_stays_in_its_table_file(tmp_path: Path) -> None:
    entries = children_select()
    entries[0]["update_permissions"] = [
        block("viewer", columns=["name"], filter={"owner_id": {"_eq": ME}}, check=None)
    ]
    case = run(tmp_path, entries)
    projects = load_yaml(case.root / "permissions" / "tables" / "public.projects.yaml")
    assert projects == {
        "table": "public.projects",
        "update": {"viewer": {"columns": ["name"], "filter": {"owner_id": {"_eq": ME}}}},
    }


# ---------------------------------------------------------------------------- named parts


def owned_writes() -> list[dict[str, Any]]:
    """Editors insert all but key and audit columns, stamped, into the three child tables,
    and update and delete the rows they created."""
    out = []
    for name in ("public.project_notes", "public.project_files", "public.project_links"):
        key = next(iter(TABLES[name]))
        writable = without(name, key, *AUDIT)
        stamp = {"created_by_user_id": ME, "updated_by_user_id": ME}
        own = {"created_by_user_id": {"_eq": ME}}
        out.append(
            table_entry(
                name,
                insert_permissions=[block("editor", columns=writable, check={}, set=stamp)],
                select_permissions=[viewer_select(name, "editor")],
                update_permissions=[
                    block(
                        "editor",
                        columns=writable,
                        filter=own,
                        check=None,
                        set={"updated_by_user_id": ME},
                    )
                ],
                delete_permissions=[block("editor", filter=own)],
            )
        )
    return out


def test_recurring_expressions_become_named_conditions(tmp_path: Path) -> None:
    case = run(tmp_path, owned_writes())
    parts = load_yaml(case.root / "permissions" / "conditions.yaml")
    assert parts["conditions"] == {"created_by_current_user": {"created_by_user_id": {"_eq": ME}}}
    defaults = (case.root / "permissions" / "defaults.yaml").read_text()
    assert defaults.count("filter: created_by_current_user") == 2


def test_recurring_column_lists_become_column_sets(tmp_path: Path) -> None:
    case = run(tmp_path, owned_writes())
    parts = load_yaml(case.root / "permissions" / "conditions.yaml")
    assert parts["column_sets"]["audit"] == sorted(AUDIT)
    assert parts["column_sets"]["primary_keys"] == ["file_id", "link_id", "note_id"]
    defaults = load_yaml(case.root / "permissions" / "defaults.yaml")["defaults"]
    insert = next(d["insert"]["editor"] for d in defaults if "insert" in d)
    assert insert["columns"] == {"all_except": ["primary_keys", "audit"]}


def test_recurring_presets_become_named_presets(tmp_path: Path) -> None:
    entries = owned_writes()
    for entry in entries:  # two more uses of the update stamp
        entry["update_permissions"].append(
            block(
                "viewer",
                columns=["project_id"],
                filter={},
                check=None,
                set={"updated_by_user_id": ME},
            )
        )
    case = run(tmp_path, entries)
    presets = load_yaml(case.root / "permissions" / "conditions.yaml")["presets"]
    assert presets == {"stamp_updated_by": {"updated_by_user_id": ME}}
    assert "set: stamp_updated_by" in (case.root / "permissions" / "defaults.yaml").read_text()


def test_lists_become_all_or_all_except_where_the_schema_says_so(tmp_path: Path) -> None:
    entries = [
        table_entry(
            "public.projects",
            select_permissions=[
                block("viewer", columns=every("public.projects"), filter={}),
                block("guest", columns=without("public.projects", "owner_id"), filter={}),
                block("robot", columns=["id", "name"], filter={}),
            ],
        )
    ]
    case = run(tmp_path, entries)
    select = load_yaml(case.root / "permissions" / "tables" / "public.projects.yaml")["select"]
    assert select["viewer"]["columns"] == "all"
    assert select["guest"]["columns"] == {"all_except": ["owner_id"]}
    assert select["robot"]["columns"] == ["id", "name"]


def test_comments_are_kept_and_keep_rules_apart(tmp_path: Path) -> None:
    entries = [
        table_entry(n, select_permissions=[viewer_select(n, comment=comment)])
        for n, comment in (
            ("public.tags", "Lookups are public"),
            ("public.statuses", "Lookups are public"),
            ("public.colors", "Colors are public"),
        )
    ]
    case = run(tmp_path, entries)
    text = "\n".join(case.files().values())
    assert text.count("comment: Lookups are public") == 1
    assert "comment: Colors are public" in case.files()["tables/public.colors.yaml"]


# ---------------------------------------------------------------------------- must not factor


def test_tables_that_differ_in_one_column_do_not_share_a_default_granting_it(
    tmp_path: Path,
) -> None:
    tables = {
        "public.a": {"id": "integer", "name": "text", "salary": "numeric"},
        "public.b": {"id": "integer", "name": "text"},
        "public.c": {"id": "integer", "name": "text"},
        "public.d": {"id": "integer", "name": "text", "salary": "numeric"},
    }
    same_list = ["id", "name"]  # the same list everywhere, but on a and d it is not "all"
    entries = [
        table_entry(t, select_permissions=[block("viewer", columns=same_list, filter={})])
        for t in tables
    ]
    case = run(tmp_path, entries, tables)
    for table in tables:
        assert compiled_columns(case, table, "select", "viewer") == same_list
    text = "\n".join(case.files().values())
    assert "{all_except: [salary]}" in text  # what a and d say, and only they


def test_all_except_is_shared_only_when_it_leaves_out_exactly_each_tables_columns(
    tmp_path: Path,
) -> None:
    tables = {
        "public.a": {"id": "integer", "name": "text", "note": "text", "secret": "text"},
        "public.b": {"id": "integer", "name": "text", "note": "text", "secret": "text"},
        "public.c": {"id": "integer", "name": "text", "note": "text", "secret": "text"},
    }
    grants = {
        "public.a": ["id", "name", "note"],
        "public.b": ["id", "name", "note"],
        "public.c": ["id", "name", "secret"],
    }
    entries = [
        table_entry(t, select_permissions=[block("viewer", columns=g, filter={})])
        for t, g in grants.items()
    ]
    case = run(tmp_path, entries, tables)
    for table, granted in grants.items():
        assert compiled_columns(case, table, "select", "viewer") == granted


def test_update_check_spellings_are_kept_apart(tmp_path: Path) -> None:
    checks = {"public.tags": {}, "public.statuses": None, "public.colors": {}}
    entries = [
        table_entry(t, update_permissions=[block("editor", columns=["id"], filter={}, check=c)])
        for t, c in checks.items()
    ]
    case = run(tmp_path, entries)
    statuses = load_yaml(case.root / "permissions" / "tables" / "public.statuses.yaml")
    assert statuses["update"]["editor"] == {"columns": {"all_except": ["label"]}, "filter": {}}
    defaults = load_yaml(case.root / "permissions" / "defaults.yaml")["defaults"]
    assert defaults[0]["update"]["editor"]["check"] == {}
    report = case.run("--dry-run", out="again")
    assert 'update permissions say "no post-update check" in 2 ways' in report.out


@pytest.mark.parametrize("spelling", ["$eq", "_eq"])
def test_dollar_operators_star_columns_and_relationships_round_trip(
    tmp_path: Path, spelling: str
) -> None:
    notes = table_entry(
        "public.project_notes",
        object_relationships=[
            {"name": "project", "using": {"foreign_key_constraint_on": "project_id"}}
        ],
        select_permissions=[
            block("viewer", columns="*", filter={"project": {"owner_id": {spelling: ME}}}),
        ],
        insert_permissions=[
            block(
                "viewer",
                check={"_exists": {"_table": "projects", "_where": {"owner_id": {spelling: ME}}}},
            )
        ],
    )
    tables = {**TABLES}
    keys = dict(KEYS)
    keys["public.project_notes"] = {
        "primary_key": ["note_id"],
        "foreign_keys": [
            {
                "name": "fk",
                "columns": ["project_id"],
                "references": "public.projects",
                "ref_columns": ["id"],
            }
        ],
    }
    case = scenario(tmp_path, [notes, table_entry("public.projects")], snapshot_of(tables, **keys))
    result = case.run()
    assert result.code == 0, result.err
    rules = load_yaml(case.root / "permissions" / "tables" / "public.project_notes.yaml")
    assert rules["select"]["viewer"] == {
        "columns": "all",
        "filter": {"project": {"owner_id": {"_eq": ME}}},
    }
    assert rules["insert"]["viewer"]["columns"] == "all"
