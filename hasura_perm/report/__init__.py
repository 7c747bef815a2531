"""Renderers for plan and drift: text (a summary line first, then detail grouped by table, as
Terraform does), markdown (for a pull-request comment) and JSON (the shared change record)."""

from __future__ import annotations

from hasura_perm.report import json_report
from hasura_perm.report import markdown
from hasura_perm.report import text

FORMATS = {"text": text, "markdown": markdown, "json": json_report}

__all__ = ["FORMATS"]
