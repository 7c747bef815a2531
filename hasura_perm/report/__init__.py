"""Renderers of every report (plan, drift, lint, ...), and the one registry that maps each
command's `--format` to them: hasura_perm/report/output.py."""
