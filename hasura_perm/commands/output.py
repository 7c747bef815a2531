"""One output contract for every command that reports, and the one registry of renderers.

- `--format F`: the report's format; text by default everywhere (`cognito jwt-secret` prints
  a secret, not a report: its formats are json, env and terraform, json by default).
- `--out FILE`: the report goes to FILE, and one line on stderr says so; when FILE holds
  another format than text, stdout still shows the text report (a CI log stays readable).
  Without `--format`, FILE's extension picks the format when the command has it (`.json`,
  `.md`, `.html`, `.sarif`, `.xml` for junit); else text.

Each report kind maps formats to renderers; a renderer takes the report and keyword context
(e.g. the matrix page's title) and returns the whole text.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hasura_perm.core.terminal import warn
from hasura_perm.metadata.directory import write_files

Renderer = Callable[..., str]
DEFAULT = "text"
EXTENSIONS = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".sarif": "sarif",
    ".xml": "junit",
    ".txt": "text",
    ".env": "env",
    ".tf": "terraform",
}


@functools.cache
def registry() -> dict[str, dict[str, Renderer]]:
    """Report kind -> format -> renderer (imported lazily: renderers import half the package)."""
    import json

    from hasura_perm.cognito import jwt_secret
    from hasura_perm.lint import report_github as lint_github
    from hasura_perm.lint import report_json as lint_json
    from hasura_perm.lint import report_sarif as lint_sarif
    from hasura_perm.lint import report_text as lint_text
    from hasura_perm.permission_tests import render as tests_render
    from hasura_perm.report import json_report
    from hasura_perm.report import markdown
    from hasura_perm.report import text
    from hasura_perm.review import access_matrix as matrix
    from hasura_perm.review import diff_report
    from hasura_perm.review import explain_action
    from hasura_perm.review import explain_remote
    from hasura_perm.review import explanation as explain
    from hasura_perm.review import matrix_html
    from hasura_perm.review import matrix_text

    def dump(data: Any) -> str:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    return {
        "plan": {
            "text": lambda p, **_: text.render_plan(p),
            "markdown": lambda p, **_: markdown.render_plan(p),
            "json": lambda p, **_: json_report.render_plan(p),
        },
        "drift": {
            "text": lambda d, **_: text.render_drift(d),
            "markdown": lambda d, **_: markdown.render_drift(d),
            "json": lambda d, **_: json_report.render_drift(d),
        },
        "diff": {name: _ignore_context(r) for name, r in diff_report.RENDERERS.items()},
        "matrix": {
            "text": lambda m, **_: matrix_text.render_text(m),
            "markdown": lambda m, **_: matrix.render_markdown(m),
            "html": lambda m, **kw: matrix_html.render_html(m, kw.get("title", "Access matrix")),
            "json": lambda m, **_: matrix.render_json(m),
        },
        "explain": {
            "text": lambda e, **_: explain.render_text(e),
            "json": lambda e, **_: dump(e.to_json()),
        },
        "explain-action": {  # explain --hasura-action (review/explain_action.py)
            "text": lambda e, **_: explain_action.render_action_text(e),
            "json": lambda e, **_: dump(e),
        },
        "explain-remote": {  # explain --remote-schema (review/explain_remote.py)
            "text": lambda e, **_: explain_remote.render_remote_text(e),
            "json": lambda e, **_: dump(e),
        },
        "explain-function": {  # explain --hasura-function (review/explain_action.py)
            "text": lambda e, **_: explain_action.render_function_text(e),
            "json": lambda e, **_: dump(e),
        },
        "test": {
            name: functools.partial(_tests, tests_render.render, name)
            for name in tests_render.FORMATS
        },
        "lint": {
            "text": lambda r, **kw: lint_text.render(r, verbose=kw.get("verbose", False)),
            "json": lambda r, **_: lint_json.render(r),
            "sarif": lambda r, **_: lint_sarif.render(r),
            "github": lambda r, **_: lint_github.render(r),
        },
        "import": {
            "text": lambda r, **kw: r.render(kw.get("shown", "")),
            "json": lambda r, **_: dump(r.as_dict()),
        },
        "whoami": {
            "text": lambda w, **_: w["text"] + "\n",
            "json": lambda w, **_: dump(w["json"]),
        },
        "jwt-secret": {
            name: functools.partial(_jwt, jwt_secret.render, name) for name in jwt_secret.FORMATS
        },
    }


def _ignore_context(renderer: Callable[[Any], str]) -> Renderer:
    return lambda value, **_: renderer(value)


def _tests(render: Callable[[Any, str], str], name: str, report: Any, **_: Any) -> str:
    return render(report, name)


def _jwt(render: Callable[..., str], name: str, secret: Any, **kw: Any) -> str:
    return render(secret, name, kw["env"])


def formats(kind: str) -> list[str]:
    return sorted(registry()[kind])


def add_output_arguments(
    parser: argparse.ArgumentParser, kind: str, *, default: str = DEFAULT, what: str = "report"
) -> None:
    """--format and --out, the same words with the same meaning in every command."""
    choices = formats(kind)
    parser.add_argument(
        "--format",
        choices=choices,
        default=None,
        help=f"the {what}'s format: {', '.join(choices)} (default {default}, or from --out's "
        "file extension)",
    )
    parser.add_argument("--out", metavar="FILE", help=f"write the {what} to FILE instead of stdout")
    parser.set_defaults(output_kind=kind, output_default=default)


def chosen_format(args: argparse.Namespace) -> str:
    if getattr(args, "format", None):
        return str(args.format)
    out = getattr(args, "out", None)
    if out:
        guessed = EXTENSIONS.get(Path(out).suffix.lower())
        if guessed in registry()[args.output_kind]:
            return guessed
    return str(args.output_default)


def render(args: argparse.Namespace, value: Any, fmt: str | None = None, **context: Any) -> str:
    return registry()[args.output_kind][fmt or chosen_format(args)](value, **context)


def emit(
    args: argparse.Namespace,
    value: Any,
    *,
    what: str = "report",
    preface: Callable[[str], str] | None = None,
    **context: Any,
) -> None:
    """The report on stdout, or in --out FILE (one line on stderr says so; stdout then still
    shows the text report when the file holds another format and the command has text).
    `preface(format)` is put before the report (e.g. a partial plan's warning)."""
    fmt = chosen_format(args)

    def text_of(name: str) -> str:
        return (preface(name) if preface else "") + render(args, value, name, **context)

    out = getattr(args, "out", None)
    if not out:
        sys.stdout.write(text_of(fmt))
        return
    write_files({Path(out): text_of(fmt)})
    print(f"Wrote the {what} ({fmt}) to {out}.", file=sys.stderr)
    if fmt != DEFAULT and DEFAULT in registry()[args.output_kind]:
        sys.stdout.write(text_of(DEFAULT))


def deprecated(old: str, new: str) -> None:
    warn(f"{old} is deprecated; use {new} (it still works for now)")


class DeprecatedAlias(argparse.Action):
    """A hidden old spelling that still works: stores into `dest` and warns."""

    def __init__(self, *args: Any, new: str, value: Any = None, **kwargs: Any) -> None:
        self.new, self.fixed = new, value
        super().__init__(*args, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        deprecated(str(option_string), self.new)
        setattr(namespace, self.dest, self.fixed if self.fixed is not None else values)
