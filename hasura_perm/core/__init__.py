"""Shared basics every stage uses: errors with file and line, Hasura names and session
variables, safe paths, reading and atomic writing, located YAML, JSON Schema validation,
the parse caches, the Hasura CLI's YAML output format, and terminal/Markdown escaping.

core imports nothing else from hasura_perm (tests/architecture_test.py checks it)."""
