-- Shared fixtures of the worked example's permission tests (loaded by every test file).
-- Each file runs on empty tables plus these rows, inside a transaction that is rolled back.

INSERT INTO departments (id, name, short_name) VALUES
  (1, 'Roads', 'RD'),
  (2, 'Parks', 'PK');

INSERT INTO project_statuses (status, label, sort_order) VALUES
  ('planned', 'Planned', 1),
  ('active', 'Active', 2);

INSERT INTO component_types (id, name, line_or_point) VALUES
  (1, 'signal', 'point'),
  (2, 'sidewalk', 'line');

-- Who is who: roles come from Cognito groups; these rows are the callers' users.
INSERT INTO users (id, cognito_sub, email, display_name, department_id, is_active) VALUES
  (1, '00000000-0000-0000-0000-000000000001', 'vera@example.org', 'Vera (viewer, Roads)', 1, true),
  (2, '00000000-0000-0000-0000-000000000002', 'eddie@example.org', 'Eddie (editor, Roads)', 1, true),
  (3, '00000000-0000-0000-0000-000000000003', 'erin@example.org', 'Erin (editor, Parks)', 2, true),
  (4, '00000000-0000-0000-0000-000000000004', 'ida@example.org', 'Ida (editor, Roads, left)', 1, false),
  (5, '00000000-0000-0000-0000-000000000005', 'ada@example.org', 'Ada (project admin, Roads)', 1, true),
  (6, '00000000-0000-0000-0000-000000000006', 'walt@example.org', 'Walt (viewer, Parks)', 2, true),
  (7, '00000000-0000-0000-0000-000000000007', 'ava@example.org', 'Ava (project admin, Parks)', 2, true);

-- Projects: published or draft, deleted or not, Roads (1) or Parks (2), created or led by Eddie.
INSERT INTO projects (id, name, department_id, is_published, is_deleted, created_by_user_id, lead_user_id) VALUES
  (1, 'Bike lanes',     1, true,  false, 2, NULL),
  (2, 'Draft signals',  1, false, false, 2, NULL),
  (3, 'Park paths',     2, false, false, 3, 2),
  (4, 'Old bridge',     2, true,  true,  3, NULL),
  (5, 'Parks budget',   2, false, false, 3, NULL),
  (6, 'Dropped idea',   1, false, true,  2, NULL),
  (7, 'Park fountain',  2, true,  false, 3, NULL);

-- Children of projects, the same pattern for notes, components and files:
-- on a published project (1, 7), a Roads draft (2), a Parks draft (5), a deleted published
-- project (4), a deleted Roads project (6), and one deleted child.
INSERT INTO project_notes (id, project_id, body, is_deleted, created_by_user_id) VALUES
  (1, 1, 'Kickoff on Monday', false, 2),
  (2, 2, 'Needs budget',      false, 2),
  (3, 5, 'Confidential',      false, 3),
  (4, 1, 'Typo, removed',     true,  2),
  (5, 4, 'Bridge closed',     false, 3),
  (6, 6, 'Why we stopped',    false, 2),
  (7, 7, 'Fountain repaired', false, 3);

INSERT INTO project_components (id, project_id, component_type_id, name, attributes, is_deleted, created_by_user_id) VALUES
  (1, 1, 2, 'Main St lane',  '{"kind": "lane"}',   false, 2),
  (2, 2, 1, 'Signal 12',     '{"kind": "signal"}', false, 2),
  (3, 5, 2, 'Park trail',    '{"kind": "trail"}',  false, 3),
  (4, 1, 2, 'Wrong lane',    '{"kind": "lane"}',   true,  2),
  (5, 4, 2, 'Bridge deck',   '{"kind": "deck"}',   false, 3),
  (6, 6, 1, 'Unused signal', '{"kind": "signal"}', false, 2),
  (7, 7, 1, 'Pump',          '{"kind": "pump"}',   false, 3);

INSERT INTO project_files (id, project_id, file_name, storage_key, is_deleted, created_by_user_id) VALUES
  (1, 1, 'lanes.pdf',   's3://files/1', false, 2),
  (2, 2, 'signals.pdf', 's3://files/2', false, 2),
  (3, 5, 'budget.xlsx', 's3://files/3', false, 3),
  (4, 1, 'old.pdf',     's3://files/4', true,  2),
  (5, 6, 'idea.pdf',    's3://files/5', false, 2);

INSERT INTO followed_projects (user_id, project_id) VALUES
  (1, 1),
  (2, 1),
  (7, 7);

INSERT INTO user_preferences (user_id, settings) VALUES
  (1, '{"theme": "dark"}'),
  (3, '{"theme": "light"}'),
  (5, '{}');
