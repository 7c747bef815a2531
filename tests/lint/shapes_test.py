"""False alarms found on real projects, each as a small inline shape of the metadata that
caused it (not a copy of the project), next to the true problem the rule must keep.
The judged findings are listed in docs/lint-precision.md."""

from __future__ import annotations

from hasura_perm.lint.roles import is_admin
from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import subjects
from tests.lint.lintkit import table

ME = "X-Hasura-User-Id"
MINE = {"owner_id": {"_eq": ME}}


def _fk(relation: str, column: str) -> dict:
    return {"name": relation, "using": {"foreign_key_constraint_on": column}}


# ---------------------------------------------------------------- ownership the rules missed


def test_no_schema_a_filter_through_relationships_is_tied_to_the_caller(tmp_path):
    # real-project shape (a conference platform, no schema given): group rows are
    # writable by members of the conference's managing groups, two relationships away
    through = {
        "conference": {"groups": {"group_attendees": {"attendee": {"user_id": {"_eq": ME}}}}}
    }
    groups = table(
        "public.groups",
        object_relationships=[_fk("conference", "conference_id")],
        update={"user": {"columns": ["name"], "filter": through}},
        delete={"user": {"filter": through}},
    )
    ctx = context(tmp_path, groups, schema=None)
    assert found(ctx, "unfiltered-write") == []


def test_no_schema_owned_rows_writable_sees_the_caller_through_a_relationship(tmp_path):
    # the no-schema case: owned rows, written by the caller's team members
    rows = table(
        "public.notes",
        object_relationships=[_fk("team", "team_id")],
        select={"user": {"columns": ["id"], "filter": MINE}},
        update={
            "user": {
                "columns": ["title"],
                "filter": {"team": {"members": {"user_id": {"_eq": ME}}}},
            }
        },
        delete={"user": {"filter": {}}},  # the true problem next to it
    )
    problems = found(context(tmp_path, rows, schema=None), "owned-rows-writable")
    assert subjects(problems) == ["public.notes delete user"]


def test_a_session_aware_computed_field_ties_rows_to_the_caller(tmp_path):
    # real-project shape (a tournament manager): `is_organizer` receives the session;
    # stages are writable where the tournament says the caller organises it
    tournaments = table(
        "public.tournaments",
        computed_fields=[
            {
                "name": "is_organizer",
                "definition": {
                    "function": {"schema": "public", "name": "is_tournament_organizer"},
                    "session_argument": "hasura_session",
                },
            }
        ],
    )
    stages = table(
        "public.stages",
        object_relationships=[_fk("tournament", "tournament_id")],
        update={
            "user": {"columns": ["name"], "filter": {"tournament": {"is_organizer": {"_eq": True}}}}
        },
        delete={"user": {"filter": {"name": {"_eq": "draft"}}}},  # the true problem
    )
    problems = found(context(tmp_path, tournaments, stages, schema=None), "unfiltered-write")
    assert subjects(problems) == ["public.stages delete user"]


def test_a_post_update_check_on_columns_the_update_cannot_write_restricts_rows(tmp_path):
    # real-project shape (a game lobby): `filter: {}` but the check requires the caller to
    # captain the lobby, through players the update cannot change
    lobbies = table(
        "public.lobbies",
        update={
            "user": {
                "columns": ["title"],
                "filter": {},
                "check": {
                    "players": {"_and": [{"captain": {"_eq": True}}, {"user_id": {"_eq": ME}}]}
                },
            },
            # near miss: the check reads a column the update writes, so the caller passes it
            "guest_user": {
                "columns": ["title", "team_id"],
                "filter": {},
                "check": {"team_id": {"_eq": "X-Hasura-Team-Id"}},
            },
        },
    )
    problems = found(context(tmp_path, lobbies, schema=None), "unfiltered-write")
    assert subjects(problems) == ["public.lobbies update guest_user"]


def test_a_filter_admitting_only_unclaimed_rows_is_not_other_users_rows(tmp_path):
    # real-project shape (a conference platform): any user may annotate a demo code that
    # nobody has used yet
    codes = table(
        "public.demo_codes",
        select={"user": {"columns": ["id"], "filter": {"used_by_id": {"_eq": ME}}}},
        update={"user": {"columns": ["note"], "filter": {"used_by_id": {"_is_null": True}}}},
        delete={"user": {"filter": {"used_by_id": {"_is_null": False}}}},  # true problem
    )
    problems = found(context(tmp_path, codes, schema=None), "owned-rows-writable")
    assert subjects(problems) == ["public.demo_codes delete user"]


def test_an_accounts_tables_own_id_is_not_an_owner_on_insert(tmp_path):
    # real-project shape: signing up inserts the account row, `id` included
    users = table(
        "public.users",
        insert={"user": {"columns": ["id", "name"], "check": {}}},
        update={"user": {"columns": ["name"], "filter": {"id": {"_eq": ME}}}},
    )
    assert found(context(tmp_path, users), "insert-owner-unchecked") == []


def test_a_manager_adding_members_is_a_delegation_not_a_forgery(tmp_path):
    # real-project shape (a conference platform): conference creators insert attendees
    # for other users; the check proves the caller's standing over the conference
    attendees = table(
        "public.attendees",
        object_relationships=[_fk("conference", "conference_id")],
        select={"user": {"columns": ["id"], "filter": {"user_id": {"_eq": ME}}}},
        insert={
            "user": {
                "columns": ["user_id", "conference_id"],
                "check": {"conference": {"created_by": {"_eq": ME}}},
            },
            "guest_user": {"columns": ["user_id", "conference_id"], "check": {}},  # true problem
        },
    )
    problems = found(context(tmp_path, attendees, schema=None), "insert-owner-unchecked")
    assert subjects(problems) == ["public.attendees insert guest_user"]


def test_the_rows_own_key_is_not_an_ownership_link(tmp_path):
    # real-project shape (a conference platform): managers rename a conference's slug,
    # the tenant key their filter compares with X-Hasura-Conference-Slug
    schema = {
        "public.conferences": {
            "columns": {"id": "integer", "slug": "text", "name": "text", "org_id": "integer"},
            "primary_key": ["id"],
            "unique": [["slug"]],
        }
    }
    conferences = table(
        "public.conferences",
        update={
            "user": {
                "columns": ["name", "slug"],
                "filter": {"slug": {"_eq": "X-Hasura-Conference-Slug"}},
            },
            "member": {  # true problem: moving a row into another organisation
                "columns": ["name", "org_id"],
                "filter": {"org_id": {"_eq": "X-Hasura-Org-Id"}},
            },
        },
    )
    problems = found(context(tmp_path, conferences, schema=schema), "ownership-takeover")
    assert subjects(problems) == ["public.conferences update member"]


# ---------------------------------------------------------------- data public by design


def test_tables_published_to_anonymous_visitors_are_public_by_design(tmp_path):
    # real-project shape (a community directory): player profiles are readable by the
    # `public` role (no session variable anywhere) and by players
    profiles = table(
        "public.profile",
        select={
            "public": {"columns": ["id", "name"], "filter": {}},
            "player": {"columns": ["id", "name"], "filter": {}},
        },
        update={"player": {"columns": ["name"], "filter": {"player_id": {"_eq": ME}}}},
    )
    settings = table(  # the true problem: private rows nobody publishes
        "public.player_settings",
        select={"player": {"columns": ["id"], "filter": {}}},
        update={"player": {"columns": ["theme"], "filter": {"player_id": {"_eq": ME}}}},
    )
    problems = found(context(tmp_path, profiles, settings, schema=None), "unfiltered-select")
    assert subjects(problems) == ["public.player_settings select player"]


def test_hasura_enum_tables_are_lookups(tmp_path):
    statuses = table(
        "public.statuses",
        is_enum=True,
        select={"user": {"columns": ["value"], "filter": {}}},
        update={"user": {"columns": ["comment"], "filter": {"owner_id": {"_eq": ME}}}},
    )
    assert found(context(tmp_path, statuses, schema=None), "unfiltered-select") == []


# ---------------------------------------------------------------- by-design workflows


def test_a_group_open_to_everyone_is_a_choice_made_in_data(tmp_path):
    # real-project shape (a conference platform): uploaders are managed by members of
    # groups holding the permission, or by everyone when the group includes everyone
    group = {
        "conference": {
            "groups": {
                "_or": [
                    {"include_unauthenticated": {"_eq": True}},
                    {"members": {"user_id": {"_eq": ME}}},
                ]
            }
        }
    }
    uploaders = table(
        "public.uploaders",
        object_relationships=[_fk("conference", "conference_id")],
        update={"user": {"columns": ["email"], "filter": group}},
        delete={"user": {"filter": {"conference": {"is_public": {"_eq": True}}}}},  # true
    )
    problems = found(context(tmp_path, uploaders, schema=None), "unfiltered-write")
    assert subjects(problems) == ["public.uploaders delete user"]


def test_an_approvers_update_of_a_literal_preset_is_a_workflow(tmp_path):
    # real-project shape: requests are inserted with `approved: false`; schedulers approve
    # them; the requester's own rule may not
    manager = {"conference": {"managers": {"user_id": {"_eq": ME}}}}
    requests = table(
        "public.join_requests",
        object_relationships=[_fk("conference", "conference_id")],
        insert={"user": {"columns": ["event_id"], "check": {}, "set": {"approved": "false"}}},
        update={
            "user": {"columns": ["approved"], "filter": manager},
            "requester": {"columns": ["approved"], "filter": {"requested_by": {"_eq": ME}}},
        },
    )
    problems = found(context(tmp_path, requests, schema=None), "preset-column-writable")
    assert subjects(problems) == ["public.join_requests update requester"]


def test_a_heartbeat_timestamp_is_data_not_an_audit_record(tmp_path):
    # real-project shape (a chat): typing indicators, whose update only sets updated_at
    schema = {
        "public.typers": {
            "columns": {"id": "integer", "chat_id": "integer", "updated_at": "timestamptz"},
            "primary_key": ["id"],
        },
        "public.notes": {
            "columns": {"id": "integer", "title": "text", "created_at": "timestamptz"},
            "primary_key": ["id"],
        },
    }
    typers = table(
        "public.typers",
        insert={"user": {"columns": ["chat_id", "updated_at"], "check": {}}},
        update={"user": {"columns": ["updated_at"], "filter": {"id": {"_eq": ME}}}},
    )
    notes = table(  # the true problem: a backdated note
        "public.notes", insert={"user": {"columns": ["title", "created_at"], "check": {}}}
    )
    ctx = context(tmp_path, typers, notes, schema=schema)
    assert subjects(found(ctx, "audit-column-writable")) == ["public.notes insert user"]
    assert found(ctx, "unfiltered-write") == []


def test_an_update_that_sets_no_column_changes_nothing(tmp_path):
    brackets = table("public.brackets", update={"user": {"columns": [], "filter": {}}})
    assert found(context(tmp_path, brackets, schema=None), "unfiltered-write") == []


# ---------------------------------------------------------------- true problems kept


def test_students_may_rewrite_every_users_course_comments(tmp_path):
    comments = table(
        "public.course_comments",
        insert={"student": {"columns": ["body"], "check": {}, "set": {"author_id": ME}}},
        update={"student": {"columns": ["body"], "filter": {}}},
        delete={"student": {"filter": {}}},
        select={"student": {"columns": ["id", "body"], "filter": {}}},
    )
    problems = found(context(tmp_path, comments, schema=None), "owned-rows-writable")
    assert sorted(subjects(problems)) == [
        "public.course_comments delete student",
        "public.course_comments update student",
    ]


def test_a_staff_role_handing_out_roles_is_still_reported(tmp_path):
    # the teacher is staff (it edits every course row) but may grant any role to any user
    tables = [
        table(
            f"public.{name}",
            update={"teacher": {"columns": ["title"], "filter": {}}},
            delete={"teacher": {"filter": {}}},
            select={"student": {"columns": ["id"], "filter": MINE}},
        )
        for name in ("course", "lesson", "exercise")
    ]
    user_roles = table("public.user_roles", update={"teacher": {"columns": ["role"], "filter": {}}})
    ctx = context(tmp_path, *tables, user_roles, schema=None)
    assert is_admin(ctx, "teacher")
    problems = found(ctx, "unfiltered-write")
    assert subjects(problems) == ["public.user_roles update teacher"]
    assert "only administrators should hand out" in problems[0].message


def test_a_committee_role_setting_any_members_admin_level_is_reported(tmp_path):
    # real-project shape (a band's website): the webmaster manages every row, members own
    # their account row; the webmaster may also set any member's `admin` level
    tables = [
        table(
            f"public.{name}",
            update={"webmaster": {"columns": ["title"], "filter": {}}},
            delete={"webmaster": {"filter": {}}},
            select={"member": {"columns": ["id"], "filter": MINE}},
        )
        for name in ("gigs", "venues", "news")
    ]
    users = table(
        "public.users",
        update={
            "webmaster": {"columns": ["first_name", "admin"], "filter": {}},
            "member": {"columns": ["first_name"], "filter": {"id": {"_eq": ME}}},
        },
    )
    problems = found(context(tmp_path, *tables, users, schema=None), "unfiltered-write")
    assert subjects(problems) == ["public.users update webmaster"]
