"""What an import saw and did, as data and as text for the terminal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.terminal import lines_text
from hasura_perm.importer.check import Oddity
from hasura_perm.importer.inherit import Inheritance
from hasura_perm.importer.planned import DefaultEntry

MAX_LOCATIONS_SHOWN = 3


@dataclass
class Report:
    origin: str
    layout: str
    source: str
    tables: int  # table entries read
    blocks: int  # permission blocks read
    per_action: dict[str, int]
    lines_in: int  # YAML lines of the permission blocks
    roles: list[str]
    inheritance: list[Inheritance]
    defaults: list[DefaultEntry]
    conditions: dict[str, Any]
    column_sets: dict[str, list[str]]
    presets: dict[str, dict[str, Any]]
    table_files: int
    files: dict[str, int]  # file written (relative to permissions/) -> lines
    rewritten: dict[str, int]  # why blocks will read differently once compiled -> how many
    oddities: list[Oddity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def lines_out(self) -> int:
        return sum(self.files.values())

    @property
    def ratio(self) -> float:
        return self.lines_out / self.lines_in if self.lines_in else 0.0

    def render(self, out_dir: str) -> str:
        lines = [
            f"Read {self.origin} ({self.layout}, source {self.source}): {self.tables} tables, "
            f"{self.blocks} permission blocks "
            f"({', '.join(f'{a} {n}' for a, n in self.per_action.items() if n)}) "
            f"in {self.lines_in} YAML lines.",
            f"Roles: {', '.join(self.roles) or 'none'}.",
        ]
        lines += self._inheritance_lines()
        lines += self._defaults_lines()
        for title, named in (
            ("Conditions", self.conditions),
            ("Column sets", self.column_sets),
            ("Presets", self.presets),
        ):
            if named:
                lines.append(f"{title}:")
                lines += [f"  {name}: {_flow(value)}" for name, value in named.items()]
        lines.append(
            f"Wrote {out_dir}: {len(self.files)} files ({self.table_files} table files), "
            f"{self.lines_out} YAML lines: {self.ratio:.1%} of the {self.lines_in} lines of "
            "permission blocks they replace."
        )
        lines.append(
            f"Round trip: the imported permissions compile to the same {self.blocks} permissions."
        )
        if self.rewritten:
            reasons = ", ".join(f"{why} {n}" for why, n in sorted(self.rewritten.items()))
            lines.append(
                "`hasura-perm compile` will rewrite some blocks of the metadata without changing "
                f"what they grant ({reasons})."
            )
        lines += [f"Note: {note}" for note in self.notes]
        if self.oddities:
            lines.append(f"Oddities ({len(self.oddities)}):")
            lines += [f"  {line}" for oddity in self.oddities for line in _oddity_lines(oddity)]
        lines.append(f"Done in {self.seconds:.2f} s.")
        return lines_text(lines)  # names and values come from the metadata imported

    def _inheritance_lines(self) -> list[str]:
        if not self.inheritance:
            return ["Inheritance: none found (no role's rules are mostly another's)."]
        out = ["Inheritance (inferred):"]
        for item in self.inheritance:
            exceptions = []
            if item.overrides:
                exceptions.append(f"{item.overrides} overridden")
            if item.denies:
                exceptions.append(f"{item.denies} denied")
            tail = f" ({', '.join(exceptions)})" if exceptions else ""
            out.append(f"  {item.child} inherits {item.parent}: {item.shared} rules shared{tail}")
        return out

    def _defaults_lines(self) -> list[str]:
        if not self.defaults:
            return ["Defaults: none."]
        out = [f"Defaults ({len(self.defaults)}):"]
        for entry in self.defaults:
            pairs = ", ".join(f"{a} for {r}" for a, by_role in entry.rules.items() for r in by_role)
            patterns = ", ".join(entry.spec.patterns)
            if len(entry.spec.patterns) > 3 and all("*" not in p for p in entry.spec.patterns):
                patterns = f"{len(entry.spec.patterns)} named tables"
            excepts = f" except {len(entry.spec.excepts)}" if entry.spec.excepts else ""
            out.append(f"  {pairs} on {len(entry.tables)} tables ({patterns}{excepts})")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "layout": self.layout,
            "source": self.source,
            "tables": self.tables,
            "blocks": self.blocks,
            "per_action": self.per_action,
            "lines_in": self.lines_in,
            "lines_out": self.lines_out,
            "ratio": round(self.ratio, 4),
            "roles": self.roles,
            "inheritance": [vars(i) for i in self.inheritance],
            "defaults": [
                {
                    "tables": e.spec.patterns,
                    "except": e.spec.excepts,
                    "rules": {a: sorted(by_role) for a, by_role in e.rules.items()},
                    "covers": [str(t) for t in e.tables],
                }
                for e in self.defaults
            ],
            "conditions": self.conditions,
            "column_sets": self.column_sets,
            "presets": self.presets,
            "table_files": self.table_files,
            "files": self.files,
            "rewritten": self.rewritten,
            "oddities": [
                {
                    "kind": o.kind,
                    "message": o.message,
                    "locations": [str(loc) for loc in o.locations],
                }
                for o in self.oddities
            ],
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def _flow(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _oddity_lines(oddity: Oddity) -> list[str]:
    shown = [str(loc) for loc in oddity.locations[:MAX_LOCATIONS_SHOWN]]
    more = len(oddity.locations) - len(shown)
    where = ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    return [f"- {oddity.message}", f"    at {where}"]
