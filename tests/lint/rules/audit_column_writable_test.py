from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table

SQL_WITH_TRIGGER = """
CREATE TABLE public.notes (id integer PRIMARY KEY, title text, updated_at timestamptz);
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'UPDATE') THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.touch();
"""


def test_flags_a_writable_audit_column(tmp_path):
    notes = table(
        "public.notes", update={"editor": {"columns": ["title", "created_at"], "filter": {}}}
    )
    [problem] = found(context(tmp_path, notes), "audit-column-writable")
    assert problem.subject() == "public.notes update editor"
    assert "`created_at`" in problem.message


def test_near_miss_audit_columns_left_out_preset_or_written_by_an_admin(tmp_path):
    notes = table(
        "public.notes",
        insert={
            "editor": {
                "check": {},
                "columns": ["title", "created_by"],
                "set": {"created_by": "X-Hasura-User-Id"},
            }
        },
        update={
            "editor": {"columns": ["title"], "filter": {}},
            "org_admin": {"columns": ["created_at"], "filter": {}},
        },
    )
    assert found(context(tmp_path, notes), "audit-column-writable") == []


def test_a_before_trigger_that_overwrites_the_column_makes_it_safe_for_that_action(tmp_path):
    notes = table(
        "public.notes",
        insert={"editor": {"check": {}, "columns": ["title", "updated_at"]}},
        update={"editor": {"columns": ["title", "updated_at"], "filter": {}}},
    )
    problems = found(context(tmp_path, notes, sql=SQL_WITH_TRIGGER), "audit-column-writable")
    # the trigger sets updated_at only when TG_OP = 'UPDATE': the insert can still forge it
    assert [p.subject() for p in problems] == ["public.notes insert editor"]
