"""English singular and plural of table names, for relationship names.

The Hasura console names a suggested relationship after the other table, singular for an
object relationship and plural for an array relationship (its `inflection` library).
These rules cover the regular English forms and the common irregular ones, acting on the
last word of a snake_case name (`project_notes` -> `project_note`); both functions leave a
word already in the wanted form as it is, as the console's do.
"""

from __future__ import annotations

import re

UNCOUNTABLE = frozenset(
    {
        "equipment", "information", "rice", "money", "species", "series", "fish", "sheep",
        "moose", "deer", "news", "metadata", "software", "hardware", "feedback", "staff",
        "police", "traffic", "luggage", "baggage", "furniture", "knowledge", "research",
    }
)  # fmt: skip
IRREGULAR = {  # singular -> plural
    "person": "people",
    "man": "men",
    "woman": "women",
    "child": "children",
    "ox": "oxen",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "move": "moves",
}
# (pattern, replacement), first match wins; patterns see the lower-cased last word.
PLURAL = (
    (r"(quiz)$", r"\1zes"),
    (r"(matr|vert|ind)(ix|ex)$", r"\1ices"),
    (r"(x|ch|ss|sh|zz)$", r"\1es"),
    (r"([^aeiouy]|qu)y$", r"\1ies"),
    (r"(hive)$", r"\1s"),
    (r"(?:([^f])fe|([lr])f)$", r"\1\2ves"),
    (r"sis$", "ses"),
    (r"([ti])um$", r"\1a"),
    (r"([ti])a$", r"\1a"),
    (r"(buffal|tomat|potat|her|ech)o$", r"\1oes"),
    (r"(bu|alia|statu|campu|viru|octop|radi|stimul)s$", r"\1ses"),
    (r"(ax|test)is$", r"\1es"),
    (r"s$", "s"),
    (r"$", "s"),
)
SINGULAR = (
    (r"(quiz)zes$", r"\1"),
    (r"(matr)ices$", r"\1ix"),
    (r"(vert|ind)ices$", r"\1ex"),
    (r"(alias|status|campus|virus|bus|octopus|radius|stimulus)(es)?$", r"\1"),
    (r"(x|ch|ss|sh|zz)es$", r"\1"),
    (r"(m)ovies$", r"\1ovie"),
    (r"(s)eries$", r"\1eries"),
    (r"([^aeiouy]|qu)ies$", r"\1y"),
    (r"([lr])ves$", r"\1f"),
    (r"(tive)s$", r"\1"),
    (r"(hive)s$", r"\1"),
    (r"([^f])ves$", r"\1fe"),
    (r"(analy|ba|diagno|parenthe|progno|synop|the|cri|ba)ses$", r"\1sis"),
    (r"([ti])a$", r"\1um"),
    (r"(buffal|tomat|potat|her|ech)oes$", r"\1o"),
    (r"(ss|us|is)$", r"\1"),
    (r"s$", ""),
)


def pluralize(name: str) -> str:
    return _inflect(name, PLURAL, IRREGULAR)


def singularize(name: str) -> str:
    return _inflect(name, SINGULAR, {v: k for k, v in IRREGULAR.items()})


def _inflect(name: str, rules: tuple[tuple[str, str], ...], irregular: dict[str, str]) -> str:
    head, _, word = name.rpartition("_")
    prefix = f"{head}_" if head else ""
    lower = word.lower()
    if not lower or lower in UNCOUNTABLE:
        return name
    if lower in irregular:
        new = irregular[lower]
        return prefix + (new[:1].upper() + new[1:] if word[:1].isupper() else new)
    if lower in irregular.values():  # already in the wanted form
        return name
    for pattern, replacement in rules:
        if re.search(pattern, word, re.IGNORECASE):
            return prefix + re.sub(pattern, replacement, word, count=1, flags=re.IGNORECASE)
    return name
