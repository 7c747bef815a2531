-- Tables of Hasura's graphql_mutation/insert/permissions/schema_setup.yaml (rows are fixtures).
CREATE TABLE author (id serial PRIMARY KEY, name text UNIQUE, bio text, is_registered boolean NOT NULL DEFAULT false);
CREATE TABLE article (
  id serial PRIMARY KEY,
  title text,
  content text,
  author_id integer REFERENCES author (id),
  is_published boolean,
  published_on timestamp
);
CREATE TABLE resident (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  age integer NOT NULL,
  is_user boolean DEFAULT false NOT NULL
);
CREATE TABLE "Company" (id serial PRIMARY KEY, name text);
CREATE TABLE computer (id serial PRIMARY KEY, name text NOT NULL, spec jsonb NOT NULL);
CREATE TABLE "user" (id serial PRIMARY KEY, name text NOT NULL UNIQUE, is_admin boolean DEFAULT false);
CREATE TABLE account (id serial PRIMARY KEY, account_no integer NOT NULL);
