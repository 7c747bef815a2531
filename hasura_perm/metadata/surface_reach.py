"""Which tables an action's answer reaches: its output type (actions.graphql) and that type's
relationships to tables (custom_types in actions.yaml).

What the handler itself reads or writes is code behind a webhook and cannot be known; what
Hasura joins onto the answer is in the metadata, and a role that may call the action but not
select the related table silently gets no such field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hasura_perm.core.names import TableName
from hasura_perm.core.names import table_ref

_BLOCK = re.compile(r"\b(?:extend\s+)?type\s+(?:Query|Mutation)\s*\{(.*?)\}", re.S)
_FIELD = re.compile(r"(\w+)\s*(?:\([^)]*\))?\s*:\s*[\[\s]*(\w+)", re.S)
_NOISE = re.compile(r'"""(?:.|\n)*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*')


@dataclass(frozen=True)
class Reach:
    action: str
    output_type: str
    relationship: str
    table: TableName


def output_types(graphql: str) -> dict[str, str]:
    """action name -> output type name, from the Query and Mutation fields of actions.graphql."""
    text = _NOISE.sub(" ", graphql)
    out: dict[str, str] = {}
    for block in _BLOCK.finditer(text):
        for field in _FIELD.finditer(block.group(1)):
            out[field.group(1)] = field.group(2)
    return out


def action_reach(
    actions_yaml: dict[str, Any] | None, graphql: str | None, source: str
) -> list[Reach]:
    """Every (action, relationship, table of `source`) an action's answer can join."""
    if not actions_yaml or not graphql:
        return []
    objects = (actions_yaml.get("custom_types") or {}).get("objects") or []
    relations: dict[str, list[tuple[str, TableName]]] = {}
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        for rel in obj.get("relationships") or []:
            if not isinstance(rel, dict) or "remote_table" not in rel:
                continue
            if rel.get("source", "default") != source:
                continue
            table = table_ref(rel["remote_table"])
            if table is None:
                continue
            relations.setdefault(str(obj.get("name")), []).append((str(rel.get("name")), table))
    types = output_types(graphql)
    return [
        Reach(action, types[action], name, table)
        for action in sorted(types)
        for name, table in relations.get(types[action], [])
    ]
