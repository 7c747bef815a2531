"""Hasura metadata as files and exports: the metadata/ directory in both CLI layouts
(directory, v2_layout, shape), reading a project's permissions with locations (read), the
stored form of a permission (export_format), export JSON (export_json, export_shape), and
the action and introspection files (surface_files, surface_reach)."""
