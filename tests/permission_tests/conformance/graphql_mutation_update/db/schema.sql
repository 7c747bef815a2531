-- Tables of Hasura's graphql_mutation/update/permissions/schema_setup.yaml (rows are fixtures).
CREATE TABLE author (id serial PRIMARY KEY, name text UNIQUE, user_id int);
CREATE TABLE article (
  id serial,
  title text,
  version text,
  content text,
  author_id integer REFERENCES author (id),
  is_published boolean,
  published_on timestamp,
  PRIMARY KEY (id, version)
);
CREATE TABLE resident (id serial PRIMARY KEY, name text NOT NULL, age integer NOT NULL, city text NOT NULL);
CREATE TABLE "user" (id serial PRIMARY KEY, name text NOT NULL UNIQUE, is_admin boolean DEFAULT false);
CREATE TABLE account (id serial PRIMARY KEY, account_no integer NOT NULL);
