"""Compile: roles and table rules + the schema -> Hasura permissions (permissions), the
columns each role can see (exposure), and the whole run that writes metadata/ (build)."""
