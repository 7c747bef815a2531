-- Tables of Hasura's graphql_mutation/delete/permissions/schema_setup.yaml (rows are fixtures).
CREATE TABLE author (id serial PRIMARY KEY, name text UNIQUE, payments_done boolean NOT NULL DEFAULT false);
CREATE TABLE article (
  id serial PRIMARY KEY,
  title text,
  content text,
  author_id integer NOT NULL REFERENCES author (id),
  is_published boolean,
  published_on timestamp
);
CREATE TABLE resident (id serial PRIMARY KEY, name text NOT NULL, age integer NOT NULL);
CREATE TABLE "user" (id serial PRIMARY KEY, name text NOT NULL UNIQUE, is_admin boolean DEFAULT false);
CREATE TABLE account (id serial PRIMARY KEY, account_no integer NOT NULL);
