"""Rule documentation from the rule modules' docstrings (the docs cannot drift from code).

A docstring is: a one-line summary; the rationale (paragraphs); then `Fails:`, `Passes:`
and `Fix:` paragraphs. `rules_markdown()` is the rule reference in docs/lint.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from hasura_perm.lint.rules import RULES

_SECTION = re.compile(r"^(Fails|Passes|Fix):\s*", re.M)
BEGIN = "<!-- BEGIN RULES: generated from the rule docstrings (hasura_perm.lint.docs.rules_markdown) -->"
END = "<!-- END RULES -->"


@dataclass(frozen=True)
class RuleDoc:
    id: str
    level: str
    summary: str
    rationale: str
    fails: str
    passes: str
    fix: str
    options: dict[str, object]
    needs: tuple[str, ...]


def rule_doc(module: ModuleType) -> RuleDoc:
    text = (module.__doc__ or "").strip()
    summary, _, rest = text.partition("\n")
    parts = _SECTION.split(rest)
    sections = dict(zip(parts[1::2], (_unwrap(p) for p in parts[2::2]), strict=True))
    return RuleDoc(
        id=module.ID,
        level=module.LEVEL,
        summary=summary.strip(),
        rationale=_unwrap(parts[0]),
        fails=sections.get("Fails", ""),
        passes=sections.get("Passes", ""),
        fix=sections.get("Fix", ""),
        options=dict(module.OPTIONS),
        needs=tuple(module.NEEDS),
    )


def _unwrap(text: str) -> str:
    """Join wrapped lines; keep paragraph breaks."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(p for p in paragraphs if p)


def all_docs() -> list[RuleDoc]:
    return [rule_doc(m) for m in RULES.values()]


def rules_text() -> str:
    """`hasura-perm lint --list-rules`: one line per rule."""
    docs = all_docs()
    width = max(len(d.id) for d in docs)
    return "".join(f"{d.id:<{width}}  {d.level:<7}  {d.summary}\n" for d in docs)


def rules_markdown() -> str:
    lines = [BEGIN, "", "| rule | default | summary |", "|---|---|---|"]
    lines += [f"| [`{d.id}`](#{d.id}) | {d.level} | {d.summary} |" for d in all_docs()]
    for d in all_docs():
        lines += ["", f"### `{d.id}`", "", f"*{d.summary}* Default severity: **{d.level}**."]
        lines += ["", d.rationale, "", f"- Fails: {d.fails}", f"- Passes: {d.passes}"]
        lines.append(f"- Fix: {d.fix}")
        if d.options:
            shown = ", ".join(f"`{k}` (default `{_show(v)}`)" for k, v in d.options.items())
            lines.append(f"- Options: {shown}")
        if d.needs:
            lines.append(f"- Needs: {', '.join(d.needs)} (skipped, with the reason, without it)")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "[]" if value == [] else str(value)
