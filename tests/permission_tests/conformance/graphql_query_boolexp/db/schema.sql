-- Tables of Hasura's graphql_query/boolexp/basic and boolexp/search setups (rows are fixtures).
CREATE TABLE author (id serial PRIMARY KEY, name text UNIQUE, is_registered boolean NOT NULL DEFAULT false);
CREATE TABLE article (
  id serial PRIMARY KEY,
  title text,
  content text,
  author_id integer REFERENCES author (id),
  is_published boolean,
  published_on timestamp
);
CREATE TABLE city (id serial PRIMARY KEY, name text NOT NULL, country text NOT NULL);
CREATE TABLE orders (id serial PRIMARY KEY, received_at timestamp NOT NULL, delivered_at timestamp);
CREATE TABLE message (id integer PRIMARY KEY, content text NOT NULL, parent_id integer REFERENCES message (id));
CREATE TABLE "user" (id serial PRIMARY KEY, name text NOT NULL UNIQUE, is_admin boolean DEFAULT false);
CREATE TABLE account (id serial PRIMARY KEY, account_no integer NOT NULL UNIQUE);
