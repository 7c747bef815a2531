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

from hasura_perm.boolexp.effect import EFFECTS
from hasura_perm.boolexp.effect import NARROWING
from hasura_perm.boolexp.effect import NEUTRAL
from hasura_perm.boolexp.effect import WIDENING
from hasura_perm.boolexp.effect import combine
from hasura_perm.core.errors import ExitCode
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import PERMISSION_KEYS
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.permission import Key
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
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
    before: Permission | None
    after: Permission | None
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
        key = TableName.parse(data["table"]), data["action"], data["role"]
        if key[1] not in PERMISSION_KEYS or data["change"] not in CHANGE_KINDS:
            raise ValueError(f"unknown action or change in {data!r}")
        return cls(
            table=key[0],
            role=key[2],
            action=key[1],
            change=data["change"],
            effect=data["effect"],
            before=_permission_from_json(key, detail["before"]),
            after=_permission_from_json(key, detail["after"]),
            fields=dict(detail.get("fields") or {}),
        )


def _entry_json(permission: Permission | None) -> dict[str, Any] | None:
    if permission is None:
        return None
    return {"permission": permission.body, "comment": permission.comment}


def _permission_from_json(key: Key, data: dict[str, Any] | None) -> Permission | None:
    if data is None:
        return None
    return Permission(*key, dict(data["permission"]), data.get("comment"))


def same_entry(a: Permission | None, b: Permission | None) -> bool:
    """The same permission as Hasura would hold it (body and comment, order aside)."""
    if a is None or b is None:
        return a is b
    return comparable(a.body) == comparable(b.body) and a.comment == b.comment


def diff(before: PermissionSet, after: PermissionSet) -> list[Change]:
    """Every (table, action, role) whose permission differs, in table, action, role order."""
    changes = []
    for table in sorted(set(before.tables()) | set(after.tables())):
        for action in PERMISSION_KEYS:
            roles = set(before.roles_of(table, action)) | set(after.roles_of(table, action))
            for role in sorted(roles):
                change = compare(before.get(table, action, role), after.get(table, action, role))
                if change is not None:
                    changes.append(change)
    return changes


def compare(before: Permission | None, after: Permission | None) -> Change | None:
    """The change from `before` to `after` (two permissions with the same key), or None."""
    if before is None and after is None:
        return None
    if before is not None and before.same_as(after):  # the common case, and cheap
        return None
    before, after = _canonical(before), _canonical(after)
    if before is None:
        assert after is not None
        return Change(after.table, after.role, after.action, ADD, WIDENING, None, after)
    table, action, role = before.key
    if after is None:
        return Change(table, role, action, REMOVE, NARROWING, before, None)
    fields = field_changes(before.body, after.body)
    if before.comment != after.comment:
        fields["comment"] = {"before": before.comment, "after": after.comment, "effect": NEUTRAL}
    if not fields:
        return None
    effect = combine(f["effect"] for f in fields.values())
    return Change(table, role, action, UPDATE, effect, before, after, fields)


def _canonical(permission: Permission | None) -> Permission | None:
    """The body in Hasura's export form and nothing but what Hasura stores, as every change
    record carries it."""
    if permission is None:
        return None
    table, action, role = permission.key
    body = canonical_permission(action, permission.body)
    return Permission(table, action, role, body, permission.comment)


def apply_changes(permissions: PermissionSet, changes: list[Change]) -> PermissionSet:
    """`permissions` with every change made: what the server should hold after an apply."""
    result = permissions.copy()
    for change in changes:
        if change.after is None:
            result.remove(change.table, change.action, change.role)
        else:
            result.add(change.after)
    return result


def same_permissions(a: PermissionSet, b: PermissionSet) -> bool:
    return not diff(a, b)


def summarize(changes: list[Change], surface: Sequence[SurfaceChange] = ()) -> dict[str, int]:
    every: list[Change | SurfaceChange] = [*changes, *surface]
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
