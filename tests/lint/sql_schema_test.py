"""The SQL schema reader behind `lint --metadata DIR --schema FILE.sql`."""

from __future__ import annotations

import pytest

from hasura_perm.lint.sql_schema import read_sql_schema
from hasura_perm.names import TableName
from hasura_perm.snapshot import snapshot_from_data
from tests.lint.corpus import corpus_dir

MOPED = corpus_dir("moped")

DDL = """
-- a comment; with a semicolon
CREATE TABLE public.users (
    id integer NOT NULL,
    email character varying(255) DEFAULT 'a;b'::text,
    tags text[],
    "Weird Name" numeric(10,2),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE TABLE notes (
    id bigserial PRIMARY KEY,
    owner_id int REFERENCES users,
    project_id integer,
    body text,
    UNIQUE (owner_id, body)
);
CREATE TABLE public.archived_notes (archived_at timestamptz) INHERITS (public.notes);
ALTER TABLE ONLY public.notes
    ADD CONSTRAINT notes_project_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);
CREATE VIEW public.note_list AS
 SELECT n.id,
    n.body AS text,
    (u.email)::text AS author_email,
    count(*) OVER () AS total
   FROM (public.notes n
     LEFT JOIN public.users u ON ((u.id = n.owner_id)))
  WHERE (n.body IS NOT NULL);
CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.body := trim(NEW.body);
  IF NEW.owner_id IS NULL THEN
    NEW.project_id := 0;
  END IF;
  RETURN NEW;
END; $$;
CREATE TRIGGER stamp BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.stamp();
"""


def test_tables_columns_types_and_keys():
    schema = read_sql_schema(DDL)
    users, notes = schema.tables["public.users"], schema.tables["public.notes"]
    assert users["columns"] == {
        "id": "integer",
        "email": "character varying",
        "tags": "text[]",
        "Weird Name": "numeric",
    }
    assert users["primary_key"] == ["id"]
    assert notes["columns"]["id"] == "bigint"
    assert notes["primary_key"] == ["id"]
    assert notes["unique"] == [["owner_id", "body"]]
    assert [
        (fk["columns"], fk["references"], fk["ref_columns"]) for fk in notes["foreign_keys"]
    ] == [
        (["owner_id"], "public.users", ["id"]),
        (["project_id"], "public.projects", ["id"]),
    ]
    assert list(schema.tables["public.archived_notes"]["columns"]) == [
        "id", "owner_id", "project_id", "body", "archived_at",
    ]  # fmt: skip
    snapshot_from_data(schema.document())  # the snapshot loader accepts it


def test_views_columns_and_the_tables_they_read():
    schema = read_sql_schema(DDL)
    view = schema.tables["public.note_list"]
    assert view["kind"] == "view"
    assert view["columns"] == {
        "id": "bigint",
        "text": "text",
        "author_email": "text",
        "total": "unknown",
    }
    assert schema.view_sources[TableName("public", "note_list")] == (
        TableName("public", "notes"),
        TableName("public", "users"),
    )


def test_before_triggers_fill_only_what_they_always_assign():
    schema = read_sql_schema(DDL)
    # project_id is assigned only under an IF: a client value may survive
    assert schema.filled == {TableName("public", "notes"): {"insert": {"body"}}}


@pytest.mark.skipif(not MOPED.is_dir(), reason="the Moped corpus is not in shared/")
def test_moped_dump_every_permission_table_and_column_is_found():
    from hasura_perm.importer.read import read_metadata_dir

    schema = read_sql_schema((MOPED / "schema.sql").read_text(encoding="utf-8"))
    meta = read_metadata_dir(MOPED / "metadata")
    for table, action, role, block in meta.each():
        columns = schema.tables[str(table)]["columns"]
        assert set(block.body.get("columns") or ()) <= set(columns), (table, action, role)
    assert len(schema.view_sources) >= 10
    assert "updated_at" in schema.filled[TableName("public", "moped_project")]["update"]


def test_a_trigger_assigning_with_a_plain_equals_sign_fills_the_column():
    # real-project shape (a campaigning platform's dump): `NEW.updated_at = now();`
    sql = """\
    CREATE TABLE public.widgets (id integer PRIMARY KEY, updated_at timestamp);
    CREATE FUNCTION public.updated_at_column() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.updated_at = now();
        RETURN NEW;
    END;
    $$;
    CREATE TRIGGER widgets_update_at BEFORE UPDATE ON public.widgets
        FOR EACH ROW EXECUTE PROCEDURE public.updated_at_column();
    """
    schema = read_sql_schema(sql)
    assert schema.filled[TableName("public", "widgets")] == {"update": {"updated_at"}}


def test_migrations_in_order_add_and_drop_columns():
    # real-project shape: no dump, only `up.sql` migrations read one after the other
    sql = """\
    CREATE TABLE public.plips (id integer PRIMARY KEY, title text, draft boolean);
    ALTER TABLE public.plips ADD COLUMN expected_signatures integer;
    ALTER TABLE ONLY public.plips ADD COLUMN IF NOT EXISTS state text, DROP COLUMN draft;
    ALTER TABLE public.plips ADD CONSTRAINT plips_title_key UNIQUE (title);
    """
    table = read_sql_schema(sql).tables["public.plips"]
    assert table["columns"] == {
        "id": "integer",
        "title": "text",
        "expected_signatures": "integer",
        "state": "text",
    }


def test_hasuras_console_trigger_assigns_through_a_copy_of_new():
    # real-project shape (Hasura console's `set_current_timestamp_updated_at`)
    sql = """\
    CREATE TABLE "public"."player" (id integer PRIMARY KEY, updated_at timestamptz);
    CREATE OR REPLACE FUNCTION "public"."set_current_timestamp_updated_at"()
    RETURNS TRIGGER AS $$
    DECLARE
      _new record;
    BEGIN
      _new := NEW;
      _new."updated_at" = NOW();
      RETURN _new;
    END;
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER "set_public_player_updated_at"
    BEFORE UPDATE ON "public"."player"
    FOR EACH ROW
    EXECUTE PROCEDURE "public"."set_current_timestamp_updated_at"();
    """
    schema = read_sql_schema(sql)
    assert schema.filled[TableName("public", "player")] == {"update": {"updated_at"}}
