"""The semantic difference between two permission sets, at (table, role, action) level.

One change record is shared by plan, apply, drift and later features:

    {"table": "public.x", "role": "r", "action": "select|insert|update|delete",
     "change": "add|remove|update", "effect": "widening|narrowing|mixed|neutral",
     "detail": {"before": {"permission": {...}, "comment": ...} | null,
                "after": {...} | null,
                "fields": {field: {"before", "after", "effect", ...}}}}

inside {"changes": [...], "summary": {...}}. `before` is the side a change starts from (for plan:
the live server; for drift: the compiled project), `after` the side it goes to.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.export_json import Entry
from hasura_perm.metadata.export_json import PermissionSet
from hasura_perm.remote.compare import EFFECTS
from hasura_perm.remote.compare import NARROWING
from hasura_perm.remote.compare import NEUTRAL
from hasura_perm.remote.compare import WIDENING
from hasura_perm.remote.compare import combine
from hasura_perm.remote.compare import comparable
from hasura_perm.remote.compare import field_changes
from hasura_perm.remote.surface_changes import SurfaceChange

ADD, REMOVE, UPDATE = "add", "remove", "update"
CHANGE_KINDS = (ADD, UPDATE, REMOVE)
PLAN_FORMAT = "hasura-perm plan"
PLAN_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Change:
    table: TableName
    role: str
    action: str
    change: str
    effect: str
    before: Entry | None
    after: Entry | None
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[TableName, str, str]:
        return self.table, self.action, self.role

    @property
    def comment_only(self) -> bool:
        return self.change == UPDATE and set(self.fields) == {"comment"}

    def to_json(self) -> dict[str, Any]:
        return {
            "table": str(self.table),
            "role": self.role,
            "action": self.action,
            "change": self.change,
            "effect": self.effect,
            "detail": {
                "before": _entry_json(self.before),
                "after": _entry_json(self.after),
                "fields": self.fields,
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        detail = data["detail"]
        change = cls(
            table=TableName.parse(data["table"]),
            role=data["role"],
            action=data["action"],
            change=data["change"],
            effect=data["effect"],
            before=_entry_from_json(detail["before"]),
            after=_entry_from_json(detail["after"]),
            fields=dict(detail.get("fields") or {}),
        )
        if change.action not in PERMISSION_KEYS or change.change not in CHANGE_KINDS:
            raise ValueError(f"unknown action or change in {data!r}")
        return change


def _entry_json(entry: Entry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"permission": entry[0], "comment": entry[1]}


def _entry_from_json(data: dict[str, Any] | None) -> Entry | None:
    if data is None:
        return None
    return (dict(data["permission"]), data.get("comment"))


def same_entry(a: Entry | None, b: Entry | None) -> bool:
    if a is None or b is None:
        return a is b
    return comparable(a[0]) == comparable(b[0]) and a[1] == b[1]


def diff(before: PermissionSet, after: PermissionSet) -> list[Change]:
    """Every (table, action, role) whose permission differs, in table, action, role order."""
    changes = []
    for table in sorted(set(before) | set(after)):
        for action in PERMISSION_KEYS:
            b_roles = before.get(table, {}).get(action, {})
            a_roles = after.get(table, {}).get(action, {})
            for role in sorted(set(b_roles) | set(a_roles)):
                change = compare_entries(table, action, role, b_roles.get(role), a_roles.get(role))
                if change is not None:
                    changes.append(change)
    return changes


def compare_entries(
    table: TableName, action: str, role: str, before: Entry | None, after: Entry | None
) -> Change | None:
    if before == after:  # the common case, and much cheaper than normalising both
        return None
    before, after = _canonical(action, before), _canonical(action, after)
    if before is None:
        return Change(table, role, action, ADD, WIDENING, None, after)
    if after is None:
        return Change(table, role, action, REMOVE, NARROWING, before, None)
    fields = field_changes(before[0], after[0])
    if before[1] != after[1]:
        fields["comment"] = {"before": before[1], "after": after[1], "effect": NEUTRAL}
    if not fields:
        return None
    effect = combine(f["effect"] for f in fields.values())
    return Change(table, role, action, UPDATE, effect, before, after, fields)


def _canonical(action: str, entry: Entry | None) -> Entry | None:
    """The entry with its body in Hasura's export form, as every change record carries it."""
    if entry is None:
        return None
    return canonical_permission(action, entry[0]), entry[1]


def apply_changes(permissions: PermissionSet, changes: list[Change]) -> PermissionSet:
    """`permissions` with every change made: what the server should hold after an apply."""
    result = {t: {a: dict(r) for a, r in actions.items()} for t, actions in permissions.items()}
    for change in changes:
        by_role = result.setdefault(change.table, {}).setdefault(change.action, {})
        if change.after is None:
            by_role.pop(change.role, None)
        else:
            by_role[change.role] = change.after
    return result


def same_permissions(a: PermissionSet, b: PermissionSet) -> bool:
    return not diff(a, b)


def summarize(changes: list[Change], surface: Sequence[SurfaceChange] = ()) -> dict[str, int]:
    every = [*changes, *surface]
    kinds = Counter(c.change for c in every)
    effects = Counter(c.effect for c in every)
    summary = {"changes": len(every)}
    summary.update({kind: kinds[kind] for kind in CHANGE_KINDS})
    summary.update({effect: effects[effect] for effect in EFFECTS})
    return summary


@dataclass
class Plan:
    """What apply would change on one server, and the state it was computed against."""

    changes: list[Change]
    environment: str
    endpoint: str
    source: str
    resource_version: int
    prune: bool = False
    owned_count: int = 0  # owned permissions the server holds now (for "no changes" messages)
    target: str = ""  # "--table T --role R" when the plan is partial (targeted)
    left_out: int = 0  # changes a targeted plan leaves out
    surface: list[SurfaceChange] = field(default_factory=list)  # actions, introspection

    @property
    def summary(self) -> dict[str, int]:
        return summarize(self.changes, self.surface)

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.surface)

    @property
    def exit_code(self) -> int:
        return ExitCode.DIFFERENCES if self.changed else ExitCode.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "format_version": PLAN_FORMAT_VERSION,
            "environment": self.environment,
            "endpoint": self.endpoint,
            "source": self.source,
            "resource_version": self.resource_version,
            "prune": self.prune,
            "changes": [c.to_json() for c in self.changes],
            "surface": [c.to_json() for c in self.surface],
            "summary": self.summary,
            **({"target": self.target, "left_out": self.left_out} if self.target else {}),
        }

    @classmethod
    def from_json(cls, data: Any, origin: str) -> Plan:
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
            raise HasuraPermError(f"{origin} is not a plan saved by `hasura-perm plan --out`")
        if data.get("format_version") != PLAN_FORMAT_VERSION:
            raise HasuraPermError(
                f"{origin} has plan format version {data.get('format_version')!r}; this "
                f"hasura-perm reads version {PLAN_FORMAT_VERSION}: make the plan again"
            )
        try:
            return cls(
                changes=[Change.from_json(c) for c in data["changes"]],
                environment=str(data["environment"]),
                endpoint=str(data["endpoint"]),
                source=str(data["source"]),
                resource_version=int(data["resource_version"]),
                prune=bool(data.get("prune", False)),
                target=str(data.get("target") or ""),
                left_out=int(data.get("left_out") or 0),
                surface=[SurfaceChange.from_json(c) for c in data.get("surface") or []],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise HasuraPermError(f"{origin} is damaged ({exc!r}): make the plan again") from None
