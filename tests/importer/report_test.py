"""The import report: a summary of what was read and written, safe to print."""

from __future__ import annotations

from hasura_perm.importer.report import Report


def report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "origin": "metadata/",
        "layout": "v3",
        "source": "default",
        "tables": 2,
        "blocks": 3,
        "per_action": {"select": 2, "insert": 1},
        "lines_in": 30,
        "roles": ["editor", "viewer"],
        "inheritance": [],
        "defaults": [],
        "conditions": {},
        "column_sets": {},
        "presets": {},
        "table_files": 2,
        "files": {"roles.yaml": 3, "tables/public.a.yaml": 5},
        "rewritten": {},
    }
    return Report(**(fields | changes))  # type: ignore[arg-type]


def test_the_report_says_what_was_read_and_written() -> None:
    text = report().render("permissions/")
    assert text.startswith("Read metadata/ (v3, source default): 2 tables, 3 permission blocks")
    assert "Roles: editor, viewer." in text
    assert "Wrote permissions/: 2 files (2 table files), 8 YAML lines" in text
    assert text.endswith("s.\n")


def test_names_and_values_from_the_metadata_cannot_drive_the_terminal() -> None:
    text = report(
        roles=["viewer\x1b[2J"],
        conditions={"mine": {"owner": {"_eq": "x\x1b]0;t\x07"}}},
        notes=["role \u202eadmin"],
    ).render("permissions/")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "Roles: viewer\\x1b[2J." in text
    assert "\\u202e" in text
