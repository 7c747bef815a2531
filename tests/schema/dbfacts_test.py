"""What lint reads from a replayed SQL schema: view sources and trigger-filled columns,
from PostgreSQL's own catalog."""

from __future__ import annotations

from hasura_perm.core.names import TableName
from hasura_perm.schema.files import load_schema_file
from tests.helpers import write

DDL = """
CREATE TABLE public.users (
    id integer NOT NULL,
    email character varying(255) DEFAULT 'a;b'::text,
    tags text[],
    "Weird Name" numeric(10,2),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE TABLE projects (id int PRIMARY KEY);
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
 SELECT n.id, n.body AS text, (u.email)::text AS author_email, count(*) OVER () AS total
   FROM (public.notes n LEFT JOIN public.users u ON ((u.id = n.owner_id)))
  WHERE n.body IS NOT NULL AND EXISTS (SELECT 1 FROM projects p WHERE p.id = n.project_id);
CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.body := trim(NEW.body);
  IF NEW.owner_id IS NULL THEN
    NEW.project_id := 0;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    NEW.owner_id := OLD.owner_id;
  END IF;
  RETURN NEW;
END; $$;
CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON public.notes
  FOR EACH ROW EXECUTE FUNCTION public.stamp();
CREATE TRIGGER sometimes BEFORE INSERT ON public.users
  FOR EACH ROW WHEN (false) EXECUTE FUNCTION public.stamp();
"""


def test_tables_views_triggers_from_the_real_catalog(tmp_path):
    snapshot, facts = load_schema_file(write(tmp_path, "schema.sql", DDL))
    users = snapshot.tables[TableName("public", "users")]
    assert users.columns == {
        "id": "integer", "email": "character varying", "tags": "text[]", "Weird Name": "numeric",
    }  # fmt: skip
    notes = snapshot.tables[TableName("public", "notes")]
    assert notes.unique == (("owner_id", "body"),)
    assert [(fk.columns, str(fk.references)) for fk in notes.foreign_keys] == [
        (("owner_id",), "public.users"),  # notes_owner_id_fkey: sorted by name
        (("project_id",), "public.projects"),
    ]
    archived = snapshot.tables[TableName("public", "archived_notes")]
    assert list(archived.columns) == ["id", "owner_id", "project_id", "body", "archived_at"]
    view = snapshot.tables[TableName("public", "note_list")]
    assert view.kind == "view"
    # PostgreSQL knows every output type, the window count's too.
    assert view.columns == {
        "id": "bigint",
        "text": "text",
        "author_email": "text",
        "total": "bigint",
    }
    assert facts is not None
    # Every table the view reads, the subquery's included.
    assert facts.view_sources[TableName("public", "note_list")] == (
        TableName("public", "notes"),
        TableName("public", "projects"),
        TableName("public", "users"),
    )
    # project_id is assigned only under an IF; owner_id only on UPDATE; WHEN triggers never count.
    assert facts.filled == {
        TableName("public", "notes"): {"insert": {"body"}, "update": {"body", "owner_id"}}
    }


def test_a_trigger_assigning_with_a_plain_equals_sign_fills_the_column(tmp_path):
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
    _snapshot, facts = load_schema_file(write(tmp_path, "schema.sql", sql))
    assert facts is not None
    assert facts.filled[TableName("public", "widgets")] == {"update": {"updated_at"}}


def test_hasuras_console_trigger_assigns_through_a_copy_of_new(tmp_path):
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
    _snapshot, facts = load_schema_file(write(tmp_path, "schema.sql", sql))
    assert facts is not None
    assert facts.filled[TableName("public", "player")] == {"update": {"updated_at"}}


def test_migrations_in_order_add_and_drop_columns(tmp_path):
    # real-project shape: no dump, only `up.sql` migrations read one after the other
    sql = """\
    CREATE TABLE public.plips (id integer PRIMARY KEY, title text, draft boolean);
    ALTER TABLE public.plips ADD COLUMN expected_signatures integer;
    ALTER TABLE ONLY public.plips ADD COLUMN IF NOT EXISTS state text, DROP COLUMN draft;
    ALTER TABLE public.plips ADD CONSTRAINT plips_title_key UNIQUE (title);
    """
    snapshot, _facts = load_schema_file(write(tmp_path, "schema.sql", sql))
    table = snapshot.tables[TableName("public", "plips")]
    assert table.columns == {
        "id": "integer",
        "title": "text",
        "expected_signatures": "integer",
        "state": "text",
    }
    assert table.unique == (("title",),)
