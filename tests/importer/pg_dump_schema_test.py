"""The test helper that reads a schema snapshot from pg_dump text (Moped needs PostGIS)."""

from __future__ import annotations

from tests.importer.helpers import moped_snapshot_data
from tests.importer.pg_dump_schema import snapshot_from_pg_dump
from tests.importer.pg_dump_schema import split_statements

DUMP = """\
--
-- Name: notes; Type: TABLE; Schema: public; Owner: -
--

CREATE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := now(); -- a ; inside a body
  RETURN NEW;
END;
$$;

CREATE TABLE public.base (
    id integer NOT NULL,
    is_deleted boolean DEFAULT false NOT NULL
);

CREATE TABLE public.notes (
    body text,
    "Weird Name" character varying(20) DEFAULT 'a;b'::character varying NOT NULL,
    shape public.geography(MultiPoint,4326),
    length integer GENERATED ALWAYS AS ((public.st_length(shape) * (3.2)::double precision)) STORED,
    CONSTRAINT body_check CHECK ((length(body) > 0))
)
INHERITS (public.base);

CREATE VIEW public.note_view AS
 SELECT n.id,
    n.body AS text,
    (n.id + 1) AS next_id,
    NULL::text AS nothing,
    (n.body = 'x'::text) AS is_x
   FROM (public.notes n
     LEFT JOIN public.base b ON ((b.id = n.id)))
UNION ALL
 SELECT 1, 'x', 2, NULL, false;

ALTER TABLE ONLY public.notes
    ADD CONSTRAINT notes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.notes
    ADD CONSTRAINT notes_body_key UNIQUE (body, "Weird Name");

ALTER TABLE ONLY public.notes
    ADD CONSTRAINT notes_base_fkey FOREIGN KEY (id) REFERENCES public.base(id) ON DELETE CASCADE;
"""


def test_statements_ignore_comments_and_semicolons_in_quotes_and_bodies() -> None:
    statements = split_statements(DUMP)
    assert [s.split("\n", 1)[0] for s in statements] == [
        "CREATE FUNCTION public.touch() RETURNS trigger",
        "CREATE TABLE public.base (",
        "CREATE TABLE public.notes (",
        "CREATE VIEW public.note_view AS",
        "ALTER TABLE ONLY public.notes",
        "ALTER TABLE ONLY public.notes",
        "ALTER TABLE ONLY public.notes",
    ]


def test_tables_views_and_keys() -> None:
    tables = snapshot_from_pg_dump(DUMP)["tables"]
    assert tables["public.notes"] == {
        "kind": "table",
        "columns": {
            "id": "integer",
            "is_deleted": "boolean",
            "body": "text",
            "Weird Name": "character varying",
            "shape": "geography",
            "length": "integer",
        },
        "nullable": ["body", "length", "shape"],
        "primary_key": ["id"],
        "unique": [["body", "Weird Name"]],
        "foreign_keys": [
            {
                "name": "notes_base_fkey",
                "columns": ["id"],
                "references": "public.base",
                "ref_columns": ["id"],
            }
        ],
    }
    assert tables["public.note_view"] == {
        "kind": "view",
        "columns": {
            "id": "integer",
            "text": "text",
            "next_id": "unknown",
            "nothing": "text",
            "is_x": "unknown",
        },
    }


def test_the_moped_schema_has_every_relation_its_metadata_tracks() -> None:
    tables = moped_snapshot_data()["tables"]
    assert len(tables) == 71  # 61 tables, 10 views
    assert sum(1 for t in tables.values() if t["kind"] == "view") == 10
    lines = tables["public.feature_drawn_lines"]["columns"]
    assert list(lines)[:4] == ["id", "component_id", "is_deleted", "project_extent_id"]
    assert lines["geography"] == "geography"
    assert tables["public.moped_proj_notes"]["primary_key"] == ["project_note_id"]
