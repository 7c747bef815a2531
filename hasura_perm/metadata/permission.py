"""One permission, and a set of them: the shape every stage uses.

Compile produces a PermissionSet (compiler/permissions.py), the metadata readers produce one
(metadata/read.py for files, metadata/export_json.py for a live export), plan compares two
(remote/plan.py), and lint, review and import read them. A permission's body is Hasura's
stored form (metadata/export_format.canonical_permission) so any two compare alike.

A set holds at most one permission per (table, action, role) and iterates in Hasura's order:
table, then action (insert, select, update, delete), then role.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName
from hasura_perm.metadata.export_format import PERMISSION_KEYS

ACTIONS = tuple(PERMISSION_KEYS)  # Hasura's order: insert, select, update, delete
Key = tuple[TableName, str, str]  # (table, action, role)


@dataclass(frozen=True)
class Permission:
    """What one role may do with one table for one action."""

    table: TableName
    action: str
    role: str
    body: dict[str, Any]  # Hasura's stored form (the `permission:` mapping)
    comment: str | None = None
    location: Location | None = None  # where it is written (file:line), when known
    # how it was resolved: "table file", "default `public.*`", "inherited from editor (...)";
    # "" when it is written as it is (metadata)
    origin: str = ""
    # compile: the columns came from `all` or `all_except`, so a column added to the
    # schema joins them (compiler/exposure.py)
    expands_all: bool = False

    @property
    def key(self) -> Key:
        return self.table, self.action, self.role

    @property
    def stored(self) -> tuple[dict[str, Any], str | None]:
        """(body, comment): what Hasura stores, without where it came from."""
        return self.body, self.comment

    def same_as(self, other: Permission | None) -> bool:
        """The same body and comment (exactly as held; see remote/plan for the semantic test)."""
        return other is not None and self.stored == other.stored

    def on_table(self, table: TableName) -> Permission:
        return replace(self, table=table)

    def with_body(self, body: dict[str, Any]) -> Permission:
        return replace(self, body=body)

    @property
    def filter(self) -> Any:
        """The row filter (an insert's is its `check`)."""
        return self.body.get("filter" if self.action != "insert" else "check")

    @property
    def check(self) -> Any:
        """The post-condition: insert and update `check` (None when there is none)."""
        return self.body.get("check") if self.action in ("insert", "update") else None

    @property
    def presets(self) -> dict[str, Any]:
        return dict(self.body.get("set") or {})

    @property
    def backend_only(self) -> bool:
        return bool(self.body.get("backend_only"))

    def where(self) -> str:
        """`the update rule of editor on public.projects` (+ where it was inherited from)."""
        text = f"the {self.action} rule of {self.role} on {self.table}"
        return f"{text} ({self.origin})" if self.origin else text


@dataclass(frozen=True)
class Ownership:
    """Which permissions hasura-perm owns on a server: a declared role's permission on a
    managed table; with prune, any role's permission on a managed table."""

    tables: frozenset[TableName]
    roles: frozenset[str]
    prune: bool = False

    def owns(self, table: TableName, role: str) -> bool:
        return table in self.tables and (self.prune or role in self.roles)


class PermissionSet:
    """Permissions keyed by (table, action, role), iterated in Hasura's order."""

    def __init__(self, permissions: Iterable[Permission] = ()) -> None:
        self._tables: dict[TableName, dict[str, dict[str, Permission]]] = {}
        self._count = 0
        for permission in permissions:
            self.add(permission)

    # -- building

    def add(self, permission: Permission) -> None:
        """Add `permission`, replacing the one with the same key."""
        by_role = self._tables.setdefault(permission.table, {}).setdefault(permission.action, {})
        self._count += permission.role not in by_role
        by_role[permission.role] = permission

    def remove(self, table: TableName, action: str, role: str) -> None:
        by_role = self._tables.get(table, {}).get(action, {})
        if by_role.pop(role, None) is not None:
            self._count -= 1

    def copy(self) -> PermissionSet:
        return PermissionSet(self)

    # -- lookups

    def get(self, table: TableName, action: str, role: str) -> Permission | None:
        return self._tables.get(table, {}).get(action, {}).get(role)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 3:
            return False
        return self.get(*key) is not None

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Permission]:
        for table in self.tables():
            yield from self.on(table)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PermissionSet):
            return NotImplemented
        return len(self) == len(other) and all(p == other.get(*p.key) for p in self)

    def __repr__(self) -> str:
        return f"PermissionSet({list(self)!r})"

    def tables(self) -> list[TableName]:
        """Every table with at least one permission, sorted."""
        return sorted(t for t, actions in self._tables.items() if any(actions.values()))

    def on(self, table: TableName, action: str | None = None) -> list[Permission]:
        """The permissions on `table` (of one action, if given), in action then role order."""
        actions = self._tables.get(table, {})
        return [
            actions[a][role]
            for a in (ACTIONS if action is None else (action,))
            for role in sorted(actions.get(a, {}))
        ]

    def roles_of(self, table: TableName, action: str) -> list[str]:
        """The roles holding an `action` permission on `table`, sorted."""
        return sorted(self._tables.get(table, {}).get(action, {}))

    def roles(self) -> list[str]:
        """Every role holding a permission, sorted."""
        return sorted({p.role for p in self})

    # -- subsets

    def select(self, keep: Callable[[Permission], bool]) -> PermissionSet:
        return PermissionSet(p for p in self if keep(p))

    def owned(self, ownership: Ownership) -> PermissionSet:
        return self.select(lambda p: ownership.owns(p.table, p.role))

    def unowned(self, ownership: Ownership) -> PermissionSet:
        return self.select(lambda p: not ownership.owns(p.table, p.role))

    def in_source(self, source: str) -> PermissionSet:
        """Every table named `source:schema.table` (core/names.TableName.in_source), for
        commands that see several sources at once."""
        return self.map(lambda p: p.on_table(p.table.in_source(source)))

    def map(self, change: Callable[[Permission], Permission]) -> PermissionSet:
        """Each permission replaced by `change(permission)` (same key)."""
        return PermissionSet(change(p) for p in self)
