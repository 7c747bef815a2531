"""Every rule keeps the module contract, and docs/lint.md carries its generated docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hasura_perm.core.diagnostics import SEVERITIES
from hasura_perm.lint.docs import rule_doc
from hasura_perm.lint.docs import rules_markdown
from hasura_perm.lint.rules import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint.md"


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_module_contract(rule_id):
    module = RULES[rule_id]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", module.ID)
    assert module.__name__.rsplit(".", 1)[1] == module.ID.replace("-", "_")
    assert module.LEVEL in SEVERITIES
    assert isinstance(module.OPTIONS, dict) and isinstance(module.NEEDS, tuple)
    assert callable(module.check)
    doc = rule_doc(module)
    assert doc.summary.endswith(".") and doc.rationale and doc.fails and doc.passes and doc.fix


def test_docs_hold_the_generated_rule_reference():
    text = DOCS.read_text(encoding="utf-8")
    assert rules_markdown() in text, (
        "regenerate the rule section of docs/lint.md from the docstrings"
    )
