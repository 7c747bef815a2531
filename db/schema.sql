-- The worked example: a small transportation project-tracking app.
-- `hasura-perm schema pull` reads this database into permissions/schema.yaml.

CREATE TABLE departments (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  short_name  text
);

CREATE TABLE project_statuses (
  status      text PRIMARY KEY,
  label       text NOT NULL,
  sort_order  integer NOT NULL DEFAULT 0
);

CREATE TABLE component_types (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  line_or_point text NOT NULL DEFAULT 'point'
);

CREATE TABLE users (
  id             serial PRIMARY KEY,
  cognito_sub    uuid NOT NULL UNIQUE,
  email          text NOT NULL UNIQUE,
  display_name   text NOT NULL,
  department_id  integer REFERENCES departments (id),
  is_active      boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
  id                  serial PRIMARY KEY,
  name                text NOT NULL,
  description         text,
  status              text NOT NULL DEFAULT 'planned' REFERENCES project_statuses (status),
  department_id       integer NOT NULL REFERENCES departments (id),
  lead_user_id        integer REFERENCES users (id),
  is_published        boolean NOT NULL DEFAULT false,
  is_deleted          boolean NOT NULL DEFAULT false,
  budget              numeric(14, 2),
  start_date          date,
  end_date            date,
  tags                text[] NOT NULL DEFAULT '{}',
  attributes          jsonb NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  created_by_user_id  integer REFERENCES users (id),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  updated_by_user_id  integer REFERENCES users (id)
);

CREATE TABLE project_notes (
  id                  serial PRIMARY KEY,
  project_id          integer NOT NULL REFERENCES projects (id),
  body                text NOT NULL,
  note_type           text NOT NULL DEFAULT 'internal',
  is_deleted          boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now(),
  created_by_user_id  integer REFERENCES users (id),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  updated_by_user_id  integer REFERENCES users (id)
);

CREATE TABLE project_components (
  id                  serial PRIMARY KEY,
  project_id          integer NOT NULL REFERENCES projects (id),
  component_type_id   integer NOT NULL REFERENCES component_types (id),
  name                text NOT NULL,
  location_description text,
  attributes          jsonb NOT NULL DEFAULT '{}',
  is_deleted          boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now(),
  created_by_user_id  integer REFERENCES users (id),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  updated_by_user_id  integer REFERENCES users (id)
);

CREATE TABLE project_files (
  id                  serial PRIMARY KEY,
  project_id          integer NOT NULL REFERENCES projects (id),
  file_name           text NOT NULL,
  storage_key         text NOT NULL,
  file_size           bigint,
  is_deleted          boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now(),
  created_by_user_id  integer REFERENCES users (id),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  updated_by_user_id  integer REFERENCES users (id)
);

CREATE TABLE followed_projects (
  user_id     integer NOT NULL REFERENCES users (id),
  project_id  integer NOT NULL REFERENCES projects (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, project_id)
);

CREATE TABLE user_preferences (
  user_id     integer PRIMARY KEY REFERENCES users (id),
  settings    jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A computed field Hasura exposes on projects (tracked in metadata/).
CREATE FUNCTION project_note_count(project projects) RETURNS bigint
  LANGUAGE sql STABLE
  AS $$ SELECT count(*) FROM project_notes n WHERE n.project_id = project.id AND NOT n.is_deleted $$;

-- A tracked function (metadata/databases/default/functions/): its permissions matter when
-- Hasura runs with HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS=false.
CREATE FUNCTION search_projects(search text) RETURNS SETOF projects
  LANGUAGE sql STABLE
  AS $$ SELECT * FROM projects WHERE name ILIKE '%' || search || '%' $$;
