"""Markdown that holds any text: role, table and column names and values come from the project
or from a server, and must show as written, never as markup (`</details><img ...>`), never
breaking a table (`|`) or a line (control characters). diff, plan, drift and matrix share it.
"""

from __future__ import annotations

import re

from hasura_perm.core.terminal import visible as _visible

_SPECIAL = re.compile(r"([\\`*_<>\[\]|&])")


def code(text: str) -> str:
    """A code span that shows `text` exactly, backticks included; control characters (which
    could end the line, and with it the span) are shown as escapes like \\x0a."""
    text = visible(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def escape(text: str) -> str:
    """Plain text with every character markdown or HTML would act on escaped."""
    return _SPECIAL.sub(r"\\\1", visible(text))


def cell(markdown: str) -> str:
    """Markdown placed in a table cell: GFM splits cells on `|` even inside code spans."""
    return markdown.replace("|", "\\|")


def visible(text: str) -> str:
    return _visible(text)
