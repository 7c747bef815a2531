"""YAML for people: short mappings and lists on one line in flow style
(`{_eq: x-hasura-user-db-id}`, `[id, audit]`), everything else in block style.

Strings stay unquoted when that reads back as the same string (with PyYAML's YAML 1.1
rules, which is what hasura-perm's own loader uses); otherwise they are double-quoted
JSON-style, which YAML reads back exactly.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

WIDTH = 100  # a flow collection is used when its line fits in this many columns
MAX_FLOW_ITEMS = 12  # and it holds at most this many scalars

_RESOLVER = yaml.resolver.Resolver()
_PLAIN = re.compile(r"[A-Za-z_$/.][A-Za-z0-9_$/.@*+-]*(?: [A-Za-z0-9_$/.@*+()-]+)*")
_PLAIN_IN_BLOCK = re.compile(r"[A-Za-z_$/.(][^#\x00-\x1f\x7f]*")


def dump(data: dict[str, Any], *, gaps: tuple[str, ...] = ()) -> str:
    """Block mapping at the top; a blank line before each top-level key in `gaps`."""
    lines: list[str] = []
    for index, (key, value) in enumerate(data.items()):
        if index and key in gaps:
            lines.append("")
        if isinstance(value, dict) and value:  # sections are always blocks
            lines.append(_scalar(key, flow=False) + ":")
            lines.extend(_mapping(value, 2))
        else:
            lines.extend(_entry(key, value, 0))
    return "\n".join(lines) + "\n"


def dump_item(value: dict[str, Any], indent: int = 0) -> list[str]:
    """One item of a block sequence, its mapping always in block style (e.g. a default)."""
    inner = _mapping(value, indent + 2)
    return [" " * indent + "- " + inner[0][indent + 2 :], *inner[1:]]


def _entry(key: str, value: Any, indent: int) -> list[str]:
    prefix = " " * indent + _scalar(key, flow=False) + ":"
    if _is_collection(value) and not _flow_fits(value, len(prefix) + 1):
        if isinstance(value, dict):
            return [prefix, *_mapping(value, indent + 2)]
        return [prefix, *_sequence(value, indent + 2)]
    text = _flow(value) if _is_collection(value) else _scalar(value, flow=False)
    return [f"{prefix} {text}"]


def _mapping(value: dict[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    for key, inner in value.items():
        lines.extend(_entry(key, inner, indent))
    return lines


def _sequence(value: list[Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for item in value:
        if isinstance(item, dict) and item and not _flow_fits(item, indent + 2):
            inner = _mapping(item, indent + 2)
            lines.append(pad + "- " + inner[0][indent + 2 :])
            lines.extend(inner[1:])
        elif isinstance(item, list) and item and not _flow_fits(item, indent + 2):
            inner = _sequence(item, indent + 2)
            lines.append(pad + "- " + inner[0][indent + 2 :])
            lines.extend(inner[1:])
        else:
            text = _flow(item) if _is_collection(item) else _scalar(item, flow=False)
            lines.append(f"{pad}- {text}")
    return lines


def _is_collection(value: Any) -> bool:
    return isinstance(value, dict | list)


def _flow_fits(value: Any, column: int) -> bool:
    if not value:
        return True
    if _scalars(value) > MAX_FLOW_ITEMS:
        return False
    return column + len(_flow(value)) <= WIDTH


def _scalars(value: Any) -> int:
    if isinstance(value, dict):
        return sum(1 + _scalars(v) for v in value.values())
    if isinstance(value, list):
        return sum(_scalars(v) for v in value)
    return 1


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_scalar(k, flow=True)}: {_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value, flow=True)


def _scalar(value: Any, *, flow: bool) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    text = str(value)
    return text if _plain_ok(text, flow) else json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str, flow: bool) -> bool:
    pattern = _PLAIN if flow else _PLAIN_IN_BLOCK
    if not pattern.fullmatch(text) or text != text.strip():
        return False
    if not flow and (": " in text or text.endswith(":") or " #" in text):
        return False
    if text.startswith(("*", "&", "!", "%", "@", "`", "-", "?", "|", ">", "'", '"')):
        return False
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return tag == "tag:yaml.org,2002:str"
