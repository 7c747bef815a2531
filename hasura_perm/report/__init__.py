"""Renderers of plan and drift reports (text, Markdown, JSON). The registry that maps each
command's `--format` to its renderer is hasura_perm/commands/output.py; lint's renderers live
in hasura_perm/lint/report_*.py."""
