"""Which roles manage every row: judged from what they may do, names as a weaker hint
(lint/roles.py). Each case is the shape of a real project where names alone misjudged."""

from __future__ import annotations

from hasura_perm.lint import lint
from hasura_perm.lint import report_text as lint_text
from hasura_perm.lint.context import Settings
from hasura_perm.lint.roles import judgement
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import only
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table

MINE = {"owner_id": {"_eq": "X-Hasura-User-Id"}}
OPEN = {"columns": ["title"], "filter": {}}
OWN_NOTES = {"columns": ["title"], "filter": MINE}
SCHEMALESS = None


def _tables(role: str, names: list[str], **extra_roles):
    """Tables where `role` updates and deletes every row, and `student` its own rows."""
    return [
        table(
            f"public.{name}",
            update={role: OPEN, **extra_roles},
            delete={role: {"filter": {}}},
            select={"student": {"columns": ["id"], "filter": MINE}},
        )
        for name in names
    ]


def test_a_teacher_who_edits_every_course_is_staff(tmp_path):
    # real-project shape (a course platform): `teacher` updates and deletes every row of
    # the course tables, students see their own rows: the teacher is staff, not a user
    ctx = context(
        tmp_path, *_tables("teacher", ["course", "practice", "student"]), schema=SCHEMALESS
    )
    judged = judgement(ctx, "teacher")
    assert judged.kind == "staff" and "3 of the 3 tables" in judged.reason
    assert found(ctx, "unfiltered-write") == []


def test_committee_roles_without_telling_names_are_staff_by_what_they_do(tmp_path):
    # real-project shape (a band's website): `equipment` (the kit officer) manages every
    # row of the tables it writes; no word in its name says so
    ctx = context(
        tmp_path, *_tables("equipment", ["gigs", "instruments", "venues"]), schema=SCHEMALESS
    )
    assert judgement(ctx, "equipment").kind == "staff"
    assert judgement(ctx, "student").kind == "user"


def test_a_plural_admin_name_is_an_administrator(tmp_path):
    # real-project shape (a skills app): `skillz-admins`
    ctx = context(
        tmp_path, table("public.notes", update={"skillz-admins": OPEN}), schema=SCHEMALESS
    )
    assert judgement(ctx, "skillz-admins").kind == "admin"
    assert judgement(ctx, "admins-helper").kind != "admin"


def test_a_user_named_role_writing_everything_is_still_a_user(tmp_path):
    # the true problem must stay: `consumer` updates every customer's cart (price too)
    carts = _tables("consumer", ["cart", "cart_items", "wishlist"])
    problems = found(context(tmp_path, *carts, schema=SCHEMALESS), "owned-rows-writable")
    assert "public.cart update consumer" in subjects(problems)


def test_no_staff_without_users_tied_to_themselves(tmp_path):
    # one role, open everywhere: nothing to tell staff from users; it stays a user
    tables = [table(f"public.t{i}", update={"editor": OPEN}) for i in range(3)]
    ctx = context(tmp_path, *tables, schema=SCHEMALESS)
    assert judgement(ctx, "editor").manages_all is False


def test_a_read_only_role_that_never_names_the_caller_is_anonymous(tmp_path):
    ctx = context(
        tmp_path,
        table("public.notes", select={"public": {"columns": ["id"], "filter": {}}}),
        schema=SCHEMALESS,
    )
    assert judgement(ctx, "public").kind == "anonymous"


def test_first_run_explains_the_roles_it_trusted_and_the_line_to_change_it(tmp_path):
    ctx = context(
        tmp_path, *_tables("teacher", ["course", "practice", "student"]), schema=SCHEMALESS
    )
    result = lint(ctx, only("unfiltered-write"))
    text = lint_text.render(result)
    assert "roles taken for administrators, staff or services" in text
    assert (
        "teacher: staff, because its name (`teacher`) says staff and it may update or delete every "
        in text
    )
    assert "admin_roles: [teacher]" in text
    # said once in configuration, lint follows it and stops explaining
    configured = lint(ctx, only("owned-rows-writable", Settings(admin_roles=())))
    assert "roles taken" not in lint_text.render(configured)
    assert len(configured.problems) == 6  # teacher is a user now: every open write


def test_a_user_named_editor_of_shared_content_is_staff(tmp_path):
    # real-project shape (a legal-content back-office): `user` edits every document,
    # glossary entry and alert, and no rule of it ever names the caller
    tables = [
        table(f"public.{name}", update={"user": OPEN}, delete={"user": {"filter": {}}})
        for name in ("documents", "glossary", "alerts")
    ]
    ctx = context(tmp_path, *tables, schema=SCHEMALESS)
    judged = judgement(ctx, "user")
    assert judged.kind == "staff" and "named like a user" in judged.reason
    assert found(ctx, "unfiltered-write") == []
