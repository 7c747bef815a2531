"""Which rule applies to a (table, action, role): roles, inheritance, deny, defaults.

Every test writes a real project to disk and compiles it with build().
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.names import TableName
from tests.helpers import assert_problem
from tests.helpers import build_project
from tests.helpers import compiled_roles
from tests.helpers import line_of
from tests.helpers import make_project
from tests.helpers import permission
from tests.helpers import problems_of

SESSION = """\
session:
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
"""
ROLES = (
    SESSION
    + """\
roles:
  viewer: {description: Reads}
  editor: {inherits: viewer}
  chief: {inherits: editor}
"""
)
SELECT_ID = "{columns: [id], filter: {}}"
SELECT_TITLE = "{columns: [id, title], filter: {}}"

ROLES_FILE = "permissions/roles.yaml"
NOTES_FILE = "permissions/tables/notes.yaml"
DEFAULTS_FILE = "permissions/defaults.yaml"
NOTES_TABLE = TableName("public", "notes")


def project(tmp_path: Path, roles: str = ROLES, **files: str) -> Path:
    """A project with roles.yaml and `files` (keys: file stems under permissions/)."""
    named = {f"{k.replace('__', '/')}.yaml": v for k, v in files.items()}
    return make_project(tmp_path / "project", {"roles.yaml": roles, **named})


def notes_file(body: str) -> str:
    return "table: public.notes\n" + body


# --------------------------------------------------------------- inheritance


def test_single_parent_is_inherited_transitively(tmp_path: Path) -> None:
    root = project(tmp_path, tables__notes=notes_file(f"select:\n  viewer: {SELECT_ID}\n"))
    result = build_project(root)
    expected = {"columns": ["id"], "filter": {}}
    for role in ("viewer", "editor", "chief"):
        assert permission(result, "public.notes", "select", role) == expected
    editor = result.compiled.get(NOTES_TABLE, "select", "editor")
    chief = result.compiled.get(NOTES_TABLE, "select", "chief")
    assert editor.origin == "inherited from viewer (table file)"
    assert chief.origin.startswith("inherited from editor")
    # The permission points at the rule that produced it.
    assert editor.location.line == line_of(root / NOTES_FILE, "viewer:")


def test_child_overrides_per_table_and_action(tmp_path: Path) -> None:
    body = f"select:\n  viewer: {SELECT_ID}\n  editor: {SELECT_TITLE}\ndelete:\n  viewer: {{filter: {{}}}}\n"
    result = build_project(project(tmp_path, tables__notes=notes_file(body)))
    assert permission(result, "public.notes", "select", "editor")["columns"] == ["id", "title"]
    # chief inherits from its direct parent, which overrode the rule
    assert permission(result, "public.notes", "select", "chief")["columns"] == ["id", "title"]
    # the other action is still inherited from viewer
    assert compiled_roles(result, "public.notes", "delete") == ["chief", "editor", "viewer"]


def test_multiple_parents_with_identical_rules(tmp_path: Path) -> None:
    roles = (
        SESSION
        + """\
roles:
  viewer: {}
  auditor: {}
  boss: {inherits: [viewer, auditor]}
"""
    )
    body = f"select:\n  viewer: {SELECT_TITLE}\n  auditor: {{columns: [title, id], filter: {{}}}}\n"
    result = build_project(project(tmp_path, roles, tables__notes=notes_file(body)))
    assert permission(result, "public.notes", "select", "boss") == {
        "columns": ["id", "title"],
        "filter": {},
    }


def test_multiple_parents_one_without_a_rule(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  viewer: {}\n  auditor: {}\n  boss: {inherits: [viewer, auditor]}\n"
    body = f"select:\n  auditor: {SELECT_ID}\n"
    result = build_project(project(tmp_path, roles, tables__notes=notes_file(body)))
    assert permission(result, "public.notes", "select", "boss") == {
        "columns": ["id"],
        "filter": {},
    }
    assert permission(result, "public.notes", "select", "viewer") is None


def test_multiple_parents_with_different_rules_is_an_error_naming_both(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  viewer: {}\n  auditor: {}\n  boss: {inherits: [viewer, auditor]}\n"
    body = f"select:\n  viewer: {SELECT_ID}\n  auditor: {SELECT_TITLE}\n"
    root = project(tmp_path, roles, tables__notes=notes_file(body))
    problems = problems_of(root)
    viewer_line = line_of(root / NOTES_FILE, "viewer:")
    auditor_line = line_of(root / NOTES_FILE, "auditor:")
    assert_problem(
        problems,
        ROLES_FILE,
        line_of(root / ROLES_FILE, "boss:"),
        "role `boss` inherits different select rules on public.notes",
        f"`viewer` ({NOTES_FILE}:{viewer_line}:3)",
        f"`auditor` ({NOTES_FILE}:{auditor_line}:3)",
        "give `boss` its own select rule for this table",
    )
    assert len(problems) == 1


def test_own_rule_resolves_a_conflict_between_parents(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  viewer: {}\n  auditor: {}\n  boss: {inherits: [viewer, auditor]}\n"
    body = f"select:\n  viewer: {SELECT_ID}\n  auditor: {SELECT_TITLE}\n  boss: {SELECT_ID}\n"
    result = build_project(project(tmp_path, roles, tables__notes=notes_file(body)))
    assert permission(result, "public.notes", "select", "boss")["columns"] == ["id"]


def test_parents_differing_only_in_comment_conflict(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  viewer: {}\n  auditor: {}\n  boss: {inherits: [viewer, auditor]}\n"
    body = (
        "select:\n  viewer: {columns: [id], filter: {}, comment: a}\n"
        "  auditor: {columns: [id], filter: {}, comment: b}\n"
    )
    root = project(tmp_path, roles, tables__notes=notes_file(body))
    assert_problem(problems_of(root), ROLES_FILE, line_of(root / ROLES_FILE, "boss:"), "different")


def test_unknown_parent_with_suggestion(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  viewer: {}\n  editor: {inherits: veiwer}\n"
    root = project(tmp_path, roles)
    problems = problems_of(root)
    assert_problem(
        problems,
        ROLES_FILE,
        line_of(root / ROLES_FILE, "editor:"),
        "role `editor` inherits unknown role `veiwer`; did you mean `viewer`?",
        column=12,
    )


def test_unknown_parent_in_a_list(tmp_path: Path) -> None:
    roles = (
        SESSION + "roles:\n  viewer: {}\n  editor:\n    inherits:\n      - viewer\n      - ghost\n"
    )
    root = project(tmp_path, roles)
    assert_problem(
        problems_of(root),
        ROLES_FILE,
        line_of(root / ROLES_FILE, "inherits:"),
        "role `editor` inherits unknown role `ghost`",
    )


def test_inheritance_cycle(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  a: {inherits: b}\n  b: {inherits: c}\n  c: {inherits: a}\n"
    root = project(tmp_path, roles, tables__notes=notes_file(f"select:\n  a: {SELECT_ID}\n"))
    problems = problems_of(root)
    assert_problem(
        problems,
        ROLES_FILE,
        line_of(root / ROLES_FILE, "a: {"),
        "roles inherit in a cycle: a -> b -> c -> a",
    )
    assert len(problems) == 1


def test_role_inheriting_itself(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  viewer: {}\n  loop: {inherits: [viewer, loop]}\n"
    root = project(tmp_path, roles)
    assert_problem(
        problems_of(root),
        ROLES_FILE,
        line_of(root / ROLES_FILE, "loop:"),
        "roles inherit in a cycle: loop -> loop",
    )


def test_role_admin_is_refused(tmp_path: Path) -> None:
    roles = SESSION + "roles:\n  viewer: {}\n  admin: {inherits: viewer}\n"
    root = project(tmp_path, roles)
    problem = assert_problem(
        problems_of(root),
        ROLES_FILE,
        line_of(root / ROLES_FILE, "admin:"),
        "role `admin` is Hasura's built-in superuser",
    )
    assert "choose another name" in problem.message


def test_undeclared_role_in_a_table_file(tmp_path: Path) -> None:
    body = f"select:\n  viewer: {SELECT_ID}\n  editr: {SELECT_ID}\n"
    root = project(tmp_path, tables__notes=notes_file(body))
    assert_problem(
        problems_of(root),
        NOTES_FILE,
        line_of(root / NOTES_FILE, "editr:"),
        "unknown role `editr`; did you mean `editor`?",
    )


def test_undeclared_role_in_a_default(tmp_path: Path) -> None:
    defaults = "defaults:\n  - tables: public.*\n    delete:\n      stranger: {filter: {}}\n"
    root = project(tmp_path, defaults=defaults)
    assert_problem(
        problems_of(root),
        DEFAULTS_FILE,
        line_of(root / DEFAULTS_FILE, "stranger:"),
        "unknown role `stranger`; declare it under `roles:`",
    )


def test_roles_are_case_sensitive(tmp_path: Path) -> None:
    body = f"select:\n  Viewer: {SELECT_ID}\n"
    root = project(tmp_path, tables__notes=notes_file(body))
    assert_problem(
        problems_of(root),
        NOTES_FILE,
        line_of(root / NOTES_FILE, "Viewer:"),
        "unknown role `Viewer`; did you mean `viewer`?",
    )


# ---------------------------------------------------------------------- deny


def test_deny_in_a_table_file_stops_inheritance(tmp_path: Path) -> None:
    body = f"select:\n  viewer: {SELECT_ID}\n  editor: deny\n"
    result = build_project(project(tmp_path, tables__notes=notes_file(body)))
    assert compiled_roles(result, "public.notes", "select") == ["viewer"]


def test_deny_in_a_default_stops_inheritance(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n"
        "  - tables: public.*\n"
        f"    select:\n      viewer: {SELECT_ID}\n      editor: deny\n"
    )
    result = build_project(project(tmp_path, defaults=defaults))
    for table in ("public.notes", "public.users", "public.moped_project"):
        assert compiled_roles(result, table, "select") == ["viewer"]


def test_table_file_rule_beats_a_denying_default(tmp_path: Path) -> None:
    defaults = f"defaults:\n  - tables: public.*\n    select:\n      viewer: {SELECT_ID}\n      editor: deny\n"
    body = f"select:\n  editor: {SELECT_TITLE}\n"
    result = build_project(project(tmp_path, defaults=defaults, tables__notes=notes_file(body)))
    assert permission(result, "public.notes", "select", "editor")["columns"] == ["id", "title"]
    assert permission(result, "public.notes", "select", "chief")["columns"] == ["id", "title"]
    assert permission(result, "public.users", "select", "editor") is None


def test_deny_in_a_table_file_beats_a_default(tmp_path: Path) -> None:
    defaults = f"defaults:\n  - tables: public.*\n    select:\n      viewer: {SELECT_ID}\n"
    body = "select:\n  viewer: deny\n"
    result = build_project(project(tmp_path, defaults=defaults, tables__notes=notes_file(body)))
    assert compiled_roles(result, "public.notes", "select") == []
    assert compiled_roles(result, "public.users", "select") == ["chief", "editor", "viewer"]


# ------------------------------------------------------------------ defaults


def test_public_star_matches_every_public_table_and_no_other_schema(tmp_path: Path) -> None:
    defaults = f"defaults:\n  - tables: public.*\n    select:\n      viewer: {SELECT_ID}\n"
    result = build_project(project(tmp_path, defaults=defaults))
    assert [str(t) for t in result.compiled.tables] == [
        "public.moped_proj_notes",
        "public.moped_project",
        "public.notes",
        "public.users",
    ]
    users = result.compiled.get(TableName("public", "users"), "select", "viewer")
    assert users.origin == "default `public.*`"


def test_prefix_pattern_exact_name_and_unqualified_name(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n"
        f"  - tables: public.moped_*\n    select:\n      viewer: {SELECT_ID}\n"
        f"  - tables: users\n    delete:\n      viewer: {{filter: {{}}}}\n"
        f"  - tables: [audit.log, public.notes]\n    insert:\n      viewer: {{columns: [id], check: {{}}}}\n"
    )
    result = build_project(project(tmp_path, defaults=defaults))
    assert [str(t) for t in result.compiled.tables] == [
        "audit.log",
        "public.moped_proj_notes",
        "public.moped_project",
        "public.notes",
        "public.users",
    ]
    assert compiled_roles(result, "public.moped_project", "select") == ["chief", "editor", "viewer"]
    assert compiled_roles(result, "public.notes", "select") == []
    assert compiled_roles(result, "public.users", "delete") == ["chief", "editor", "viewer"]
    assert compiled_roles(result, "audit.log", "insert") == ["chief", "editor", "viewer"]


def test_star_alone_matches_every_schema(tmp_path: Path) -> None:
    defaults = "defaults:\n  - tables: '*'\n    delete:\n      viewer: {filter: {}}\n"
    result = build_project(project(tmp_path, defaults=defaults))
    assert len(result.compiled.tables) == 5


def test_except_excludes_tables(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n  - tables: public.*\n    except: [public.moped_*, users]\n"
        f"    select:\n      viewer: {SELECT_ID}\n"
    )
    result = build_project(project(tmp_path, defaults=defaults))
    assert [str(t) for t in result.compiled.tables] == ["public.notes"]


def test_most_specific_default_wins(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n"
        "  - tables: public.notes\n"
        "    select:\n      viewer: {columns: [title], filter: {}}\n"
        "  - tables: public.*\n"
        "    select:\n      viewer: {columns: [id], filter: {}}\n"
        "  - tables: public.moped_*\n"
        "    select:\n      viewer: {columns: all, filter: {}}\n"
    )
    result = build_project(project(tmp_path, defaults=defaults))
    assert permission(result, "public.notes", "select", "viewer")["columns"] == ["title"]
    assert permission(result, "public.users", "select", "viewer")["columns"] == ["id"]
    assert permission(result, "public.moped_project", "select", "viewer")["columns"] == [
        "id",
        "name",
        "project_id",
    ]
    origin = result.compiled.get(TableName("public", "moped_project"), "select", "viewer").origin
    assert origin == "default `public.moped_*`"


def test_defaults_merge_per_action_and_role(tmp_path: Path) -> None:
    # A more specific default replaces only the (action, role) pairs it defines.
    defaults = (
        "defaults:\n"
        "  - tables: public.*\n"
        "    select:\n      viewer: {columns: [id], filter: {}}\n"
        "    delete:\n      editor: {filter: {}}\n"
        "  - tables: public.notes\n"
        "    select:\n      viewer: {columns: [title], filter: {}}\n"
    )
    result = build_project(project(tmp_path, defaults=defaults))
    assert permission(result, "public.notes", "select", "viewer")["columns"] == ["title"]
    assert compiled_roles(result, "public.notes", "delete") == ["chief", "editor"]


def test_equally_specific_defaults_conflict(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n"
        "  - tables: public.*\n"
        "    select:\n      viewer: {columns: [id], filter: {}}\n"
        "  - tables: public.*\n"
        "    except: [public.users]\n"
        "    select:\n      viewer: {columns: [id], filter: {}}\n"
    )
    root = project(tmp_path, defaults=defaults)
    problems = problems_of(root)
    first = line_of(root / DEFAULTS_FILE, "viewer:", 1)
    second = line_of(root / DEFAULTS_FILE, "viewer:", 2)
    problem = assert_problem(
        problems,
        DEFAULTS_FILE,
        second,
        "two equally specific defaults give viewer a select rule on public.notes",
        f"(the other is at {DEFAULTS_FILE}:{first}:7)",
        "make one pattern more specific",
    )
    assert problem.column == 7
    conflicted = sorted(p.message.split(" on ")[1].split(" ")[0] for p in problems)
    assert conflicted == ["public.moped_proj_notes", "public.moped_project", "public.notes"]


@pytest.mark.parametrize("exact_first", [True, False], ids=["exact-first", "exact-last"])
def test_equal_specificity_below_a_more_specific_default_is_no_conflict(
    tmp_path: Path, exact_first: bool
) -> None:
    # `public.m*` and `public.*t` are equally specific and both match only
    # public.moped_project, but an exact-name default is more specific than both:
    # it decides, whatever order the defaults are written in.
    loose = [
        "  - tables: public.m*\n"
        "    except: [public.moped_proj_notes]\n"
        "    select:\n      viewer: {columns: [name], filter: {}}\n",
        "  - tables: public.*t\n    select:\n      viewer: {columns: [project_id], filter: {}}\n",
    ]
    exact = (
        "  - tables: public.moped_project\n    select:\n      viewer: {columns: all, filter: {}}\n"
    )
    entries = [exact, *loose] if exact_first else [*loose, exact]
    result = build_project(project(tmp_path, defaults="defaults:\n" + "".join(entries)))
    assert permission(result, "public.moped_project", "select", "viewer")["columns"] == [
        "id",
        "name",
        "project_id",
    ]


def test_pattern_matching_nothing_is_an_error(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n"
        f"  - tables: public.*\n    select:\n      viewer: {SELECT_ID}\n"
        f"  - tables: public.mopd_*\n    select:\n      editor: {SELECT_ID}\n"
    )
    root = project(tmp_path, defaults=defaults)
    problems = problems_of(root)
    assert_problem(
        problems,
        DEFAULTS_FILE,
        line_of(root / DEFAULTS_FILE, "public.mopd_*"),
        "this pattern matches no table in the schema snapshot",
    )
    assert len(problems) == 1


def test_pattern_whose_tables_are_all_excluded_matches_nothing(tmp_path: Path) -> None:
    defaults = "defaults:\n  - tables: public.moped_*\n    except: [public.moped_*]\n    delete:\n      viewer: {filter: {}}\n"
    root = project(tmp_path, defaults=defaults)
    assert_problem(
        problems_of(root),
        DEFAULTS_FILE,
        line_of(root / DEFAULTS_FILE, "tables:"),
        "matches no table",
    )


def test_unmatched_unmentioned_tables_are_not_managed(tmp_path: Path) -> None:
    root = project(tmp_path, tables__notes=notes_file(f"select:\n  viewer: {SELECT_ID}\n"))
    result = build_project(root)
    assert [str(t) for t in result.compiled.tables] == ["public.notes"]
    assert all("users" not in str(path) for path in result.files)


# ---------------------------------------------------------------- precedence


def test_table_file_beats_default_beats_inheritance(tmp_path: Path) -> None:
    defaults = (
        "defaults:\n  - tables: [public.notes, public.users]\n"
        "    select:\n"
        "      viewer: {columns: [id], filter: {}}\n"
        "      editor: {columns: [id, org_id], filter: {}}\n"
    )
    body = "select:\n  viewer: {columns: [id, title, body], filter: {}}\n"
    result = build_project(project(tmp_path, defaults=defaults, tables__notes=notes_file(body)))
    notes = "public.notes"
    # viewer: the table file beats the default
    assert permission(result, notes, "select", "viewer")["columns"] == ["body", "id", "title"]
    # editor: its default beats inheriting viewer's table-file rule
    assert permission(result, notes, "select", "editor")["columns"] == ["id", "org_id"]
    # chief: nothing of its own, inherits editor's resolved rule
    assert permission(result, notes, "select", "chief")["columns"] == ["id", "org_id"]
    origins = {
        role: result.compiled.get(NOTES_TABLE, "select", role).origin
        for role in ("viewer", "editor", "chief")
    }
    assert origins == {
        "viewer": "table file",
        "editor": "default `public.notes, public.users`",
        "chief": "inherited from editor (default `public.notes, public.users`)",
    }


def test_table_file_for_a_table_missing_from_the_snapshot(tmp_path: Path) -> None:
    root = project(
        tmp_path, tables__x="table: public.note\nselect:\n  viewer: {columns: [id], filter: {}}\n"
    )
    assert_problem(
        problems_of(root),
        "permissions/tables/x.yaml",
        1,
        "table public.note is not in the schema snapshot; did you mean `public.notes`?",
    )


def test_two_files_for_one_table(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        tables__a=notes_file(f"select:\n  viewer: {SELECT_ID}\n"),
        tables__b="table: notes\ndelete:\n  viewer: {filter: {}}\n",
    )
    assert_problem(
        problems_of(root),
        "permissions/tables/b.yaml",
        1,
        "public.notes already has a file: permissions/tables/a.yaml:1:1",
    )
