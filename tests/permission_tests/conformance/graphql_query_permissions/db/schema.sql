-- Tables and functions of Hasura's graphql_query/permissions/setup.yaml (rows are fixtures).
CREATE TABLE author (
  id serial PRIMARY KEY,
  name text UNIQUE,
  is_registered boolean NOT NULL DEFAULT false,
  remarks_internal text
);
CREATE TABLE article (
  id serial PRIMARY KEY,
  title text,
  content text,
  author_id integer NOT NULL REFERENCES author (id),
  is_published boolean NOT NULL DEFAULT false,
  published_on timestamp
);
CREATE FUNCTION get_articles(author_row author) RETURNS SETOF article
  LANGUAGE sql STABLE AS $$ SELECT * FROM article WHERE author_id = author_row.id $$;
CREATE TABLE "Artist" (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE "Track" (id serial PRIMARY KEY, name text NOT NULL, artist_id integer REFERENCES "Artist" (id));
CREATE TABLE jsonb_table (id integer PRIMARY KEY, jsonb_col jsonb NOT NULL);
CREATE TABLE auction (id serial PRIMARY KEY, price integer NOT NULL DEFAULT 250, bid_price integer);
CREATE TABLE student_marks (
  id serial PRIMARY KEY,
  name text UNIQUE NOT NULL,
  physics integer,
  chemistry integer,
  mathematics integer
);
CREATE FUNCTION student_total_marks(student_row student_marks) RETURNS integer
  LANGUAGE sql STABLE AS $$ SELECT student_row.physics + student_row.chemistry + student_row.mathematics $$;
CREATE FUNCTION student_total_marks_offset(hasura_session json, student_row student_marks) RETURNS integer
  LANGUAGE sql STABLE AS $$
    SELECT student_row.physics + student_row.chemistry + student_row.mathematics
           - (hasura_session ->> 'x-hasura-offset-marks')::integer
  $$;

-- RootExistElementAliasing9457Spec.hs
CREATE TABLE organization (id integer PRIMARY KEY, "group" integer);
CREATE TABLE "user" (id integer PRIMARY KEY, name text);
CREATE TABLE organization_member (
  organization_id integer REFERENCES organization (id),
  user_id integer REFERENCES "user" (id)
);
CREATE TABLE org_stuff (
  organization_id integer REFERENCES organization (id),
  "group" integer,
  data text,
  public boolean
);
