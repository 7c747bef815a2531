"""Renderers: text, JSON, SARIF 2.1.0 (checked structurally) and GitHub annotations."""

from __future__ import annotations

import json

import jsonschema

from hasura_perm.lint import lint
from hasura_perm.lint import report_github as lint_github
from hasura_perm.lint import report_json as lint_json
from hasura_perm.lint import report_sarif as lint_sarif
from hasura_perm.lint import report_text as lint_text
from hasura_perm.lint.rules import RULES
from tests.lint.lintkit import context
from tests.lint.lintkit import table

# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that a results file must
# satisfy: required properties, their types and the closed sets of values we emit.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": {"$ref": "#/$defs/message"},
                                                "fullDescription": {"$ref": "#/$defs/message"},
                                                "help": {"$ref": "#/$defs/message"},
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {"$ref": "#/$defs/level"}
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"$ref": "#/$defs/level"},
                                "message": {"$ref": "#/$defs/message"},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            },
                                                            "startColumn": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            },
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "$defs": {
        "message": {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string"}},
        },
        "level": {"enum": ["none", "note", "warning", "error"]},
    },
}


def _result(tmp_path):
    projects = table(
        "public.projects",
        select={
            "viewer": {"columns": ["id"], "filter": {}, "limit": 5, "allow_aggregations": True}
        },
        update={
            "editor": {"columns": ["name"], "filter": {}, "check": {}},
            "other": {"columns": ["name"], "filter": {}, "check": None},
            "third": {"columns": ["name"], "filter": {}, "check": None},
        },
    )
    return lint(context(tmp_path, projects))


def test_text_lists_each_finding_with_its_fix_and_a_summary(tmp_path):
    text = lint_text.render(_result(tmp_path))
    assert "public_projects.yaml:" in text
    assert "warning [aggregation-leak] viewer may aggregate public.projects" in text
    assert "\n    fix: drop `allow_aggregations`" in text
    assert "8 problems (7 warnings, 1 info) from" in text
    assert "skipped: " in text and "missing-limit (no table is marked" in text


def test_json_carries_every_field(tmp_path):
    data = json.loads(lint_json.render(_result(tmp_path)))
    first = data["problems"][0]
    assert set(first) == {
        "rule",
        "level",
        "message",
        "fix",
        "file",
        "line",
        "column",
        "table",
        "role",
        "action",
        "origin",
    }
    assert data["summary"] == {"error": 0, "warning": 7, "info": 1, "suppressed": 0}
    assert data["exit_code"] == 0


def test_sarif_is_structurally_valid_and_indexes_its_rules(tmp_path):
    log = json.loads(lint_sarif.render(_result(tmp_path)))
    jsonschema.validate(log, SARIF_SUBSET)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules[: len(RULES)]] == list(RULES)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
    assert {r["level"] for r in run["results"]} == {"warning", "note"}


def test_github_annotations_escape_data_and_properties(tmp_path):
    lines = lint_github.render(_result(tmp_path)).splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 8
    assert annotations[0].startswith("::warning file=")
    assert (
        ",line=" in annotations[0]
        and ",col=1,title=hasura-perm aggregation-leak::" in annotations[0]
    )
    assert "%0AFix: " in annotations[0] and "\n" not in annotations[0]
    assert any(a.startswith("::notice ") for a in annotations)
    assert lint_github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"
