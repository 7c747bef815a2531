"""The one model every lint rule sees, whichever source it came from.

`hasura-perm lint` fills it from the project (compiled permissions, located in
permissions/; roles, Cognito groups and session sources from the spec; columns and keys
from the snapshot); `hasura-perm lint --metadata DIR` fills it from any Hasura metadata
(located in the metadata files; columns and keys only when `--schema` is given). Facts a
source cannot provide are None, and rules that need them are skipped with the reason.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hasura_perm.core.errors import Location
from hasura_perm.core.names import TableName
from hasura_perm.core.names import session_variable
from hasura_perm.metadata.permission import Permission
from hasura_perm.schema.snapshot import ForeignKey

ACTIONS = ("insert", "select", "update", "delete")
MARKS = ("sensitive", "append_only", "lookup", "large")

# Session variables that carry the caller's identity: x-hasura-user-id, x-hasura-user-db-id.
_USER_VARIABLE = re.compile(r"^x-hasura-(.*[-_])?user([-_].*)?[-_]?id$")
_PRIVILEGE_WORDS = {
    "role", "roles", "permission", "permissions", "privilege", "privileges", "grant",
    "grants", "acl", "acls",
}  # fmt: skip
_HOLDER_WORDS = {"user", "users", "account", "accounts", "member", "members", "profile"}
_PRIVILEGE_COLUMNS = {
    "role", "roles", "role_id", "role_name", "allowed_roles", "default_role", "admin",
    "is_admin", "is_staff", "is_superuser", "permissions", "user_type", "access_level",
}  # fmt: skip
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _words(name: str) -> list[str]:
    """`UserRole` -> [user, role]; `user_roles` -> [user, roles]."""
    return [w.lower() for w in _WORD.findall(name)]


DEFAULT_USERS_TABLES = ("*.users", "*.user", "*.*_users", "*.accounts")
# Columns that record who made or changed a row and when: the server should fill them.
DEFAULT_AUDIT_COLUMNS = (
    "created_at", "created_on", "created_by", "created_by_*", "creator_id",
    "updated_at", "updated_on", "updated_by", "updated_by_*",
    "modified_at", "modified_on", "modified_by", "modified_by_*", "last_modified_*",
    "inserted_at", "inserted_by", "inserted_by_*",
    "date_added", "date_created", "date_modified", "date_updated",
    "added_at", "added_by", "added_by_*", "*_by_user_id",
)  # fmt: skip


@dataclass(frozen=True)
class Relation:
    """A Hasura relationship of a table."""

    name: str
    kind: str  # "object" | "array"
    target: TableName | None  # None when the metadata and schema do not tell
    local_columns: tuple[str, ...]  # columns of this table that pick the related rows
    remote: tuple[str, ...] = ()  # array relationship by foreign key: the other table's columns


@dataclass(frozen=True)
class TableInfo:
    name: TableName
    columns: dict[str, str] | None  # column -> Postgres type; None: no schema for it
    primary_key: tuple[str, ...] | None = None
    unique_keys: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    relationships: dict[str, Relation] = field(default_factory=dict)
    kind: str = "table"  # "table" | "view" | ...
    location: Location | None = None  # its metadata entry, when there is one
    view_sources: tuple[TableName, ...] = ()  # tables a view reads, when known
    computed_fields: frozenset[str] = frozenset()
    # computed fields whose function receives the session (`session_argument`): a filter
    # on one of them depends on who is asking
    session_computed_fields: frozenset[str] = frozenset()
    is_enum: bool = False  # a Hasura enum table: its rows are the allowed values
    # "insert"/"update" -> columns a BEFORE trigger overwrites whatever the caller sends
    server_filled: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Grant(Permission):
    """One permission as lint sees it (metadata/permission.Permission: what a role may do
    on a table, where it is written, how it was resolved), plus the `permission:` mapping
    as written, which the metadata source knows and one rule (inconsistent_check) compares
    with the stored form."""

    # Every finding points at a place: lint's sources give each grant one (where it is
    # written, else the source as a whole, as for roles and session variables).
    location: Location = Location("")
    raw: dict[str, Any] | None = None  # as written (metadata only)


@dataclass(frozen=True)
class RoleInfo:
    name: str
    location: Location | None = None
    parents: tuple[str, ...] = ()
    groups: tuple[str, ...] | None = None  # Cognito groups granting it; None: unknown
    grantable: bool | None = None  # can a user's token carry it? None: unknown
    declared: bool = False  # named in the spec or the config, not only seen in a permission


@dataclass(frozen=True)
class SessionVariable:
    name: str  # lower case
    emitted: bool  # the claims mapping fills it
    location: Location | None = None
    source: str | None = None  # the claim it comes from (`sub`, `custom:user_db_id`)


@dataclass(frozen=True)
class Settings:
    """Project facts from the `lint:` config that several rules share."""

    admin_roles: tuple[str, ...] | None = None  # None: guess from the name
    users_tables: tuple[str, ...] = DEFAULT_USERS_TABLES
    user_variables: tuple[str, ...] | None = None  # None: guess from the name
    audit_columns: tuple[str, ...] = DEFAULT_AUDIT_COLUMNS
    marks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # mark -> table patterns


@dataclass
class LintContext:
    source: str  # "project" or "metadata"
    grants: list[Grant]
    tables: dict[TableName, TableInfo]
    roles: dict[str, RoleInfo]
    session: dict[str, SessionVariable] | None  # None: the claims mapping is unknown
    has_schema: bool  # columns, types and keys are known
    settings: Settings = field(default_factory=Settings)
    notes: list[str] = field(default_factory=list)  # what the source could not provide
    spec: Any = None  # project mode: the parsed permissions/ (hasura_perm.spec.Spec)
    session_used: frozenset[str] = frozenset()  # project mode: variables compiled rules use
    exposures: list[Any] = field(default_factory=list)  # project mode: lint/exposure.py
    surface: Any = None  # project mode: actions and introspection (hasura_perm.spec.surface)
    action_reach: list[Any] = field(default_factory=list)  # project mode: surface/reach.py

    def __post_init__(self) -> None:
        self._index: dict[tuple[TableName, str, str], Grant] = {
            (g.table, g.action, g.role): g for g in self.grants
        }
        self._by_table: dict[TableName, list[Grant]] = {}
        for grant in self.grants:
            self._by_table.setdefault(grant.table, []).append(grant)
        self.judgements: dict[str, Any] | None = None  # lint/roles.py's, once per context

    # -- lookups

    def grant(self, table: TableName, action: str, role: str) -> Grant | None:
        return self._index.get((table, action, role))

    def grants_on(self, table: TableName, action: str | None = None) -> list[Grant]:
        return [g for g in self._by_table.get(table, ()) if action in (None, g.action)]

    def each(self, *actions: str) -> Iterator[Grant]:
        wanted = actions or ACTIONS
        return (g for g in self.grants if g.action in wanted)

    def table(self, name: TableName) -> TableInfo:
        return self.tables.get(name) or TableInfo(name, None)

    def columns_of(self, grant: Grant) -> frozenset[str] | None:
        """The columns a grant names; None means every column (`*` or an insert without a
        list) of a table whose columns we do not know."""
        columns = grant.body.get("columns")
        if columns is None and grant.action in ("insert",):
            columns = "*"
        if columns == "*":
            known = self.table(grant.table).columns
            return frozenset(known) if known is not None else None
        return frozenset(columns or ())

    def writable(self, grant: Grant) -> frozenset[str] | None:
        """Columns the caller sets: the granted ones minus those a preset fills (Hasura
        removes preset columns from the mutation's input) and those a BEFORE trigger
        overwrites on this action."""
        columns = self.columns_of(grant)
        if columns is None:
            return None
        filled = self.table(grant.table).server_filled.get(grant.action, frozenset())
        return columns - set(grant.presets) - filled

    def changes_nothing(self, grant: Grant) -> bool:
        """An update that may set no column at all (`columns: []` and no preset): Hasura
        keeps it, but it changes no row."""
        return grant.action == "update" and not grant.body.get("columns") and not grant.presets

    def is_user_variable(self, name: str) -> bool:
        """A session variable that identifies the caller (a user id)."""
        name = session_variable(name) or name.lower()
        if self.settings.user_variables is not None:
            return name in {v.lower() for v in self.settings.user_variables}
        if self.session is not None and name in self.session:
            source = self.session[name].source
            if source in ("sub", "username", "cognito:username"):
                return True
        return bool(_USER_VARIABLE.match(name))

    def is_users_table(self, name: TableName) -> bool:
        return any(fnmatch.fnmatchcase(str(name), p) for p in self.settings.users_tables)

    def is_audit_column(self, column: str) -> bool:
        return any(fnmatch.fnmatchcase(column.lower(), p) for p in self.settings.audit_columns)

    def session_computed_fields(self) -> frozenset[str]:
        """Names of every session-aware computed field, for filters that reach a table
        whose name we do not know (a relationship, without a schema)."""
        return frozenset().union(*(t.session_computed_fields for t in self.tables.values()))

    def is_privilege_table(self, name: TableName) -> bool:
        """A table that says which user holds which role or permission (`user_roles`,
        `UserRole`, `member_permissions`): writing it hands out access. Both halves of the
        name count, so `project_personnel_roles` (job titles) is not one."""
        words = set(_words(name.name))
        return bool(words & _PRIVILEGE_WORDS) and bool(words & _HOLDER_WORDS)

    def privilege_columns(self, grant: Grant) -> frozenset[str]:
        """Columns of an accounts table that say what a user may do (`role`, `is_admin`),
        among those the grant writes."""
        if not self.is_users_table(grant.table):
            return frozenset()
        writable = self.writable(grant) or frozenset()
        return frozenset(c for c in writable if c.lower() in _PRIVILEGE_COLUMNS)

    def is_identity_column(self, table: TableName, column: str) -> bool:
        """The row's own key: its primary key or a single-column unique key (`slug`), or,
        without a schema, a column named `id` or `slug`."""
        info = self.table(table)
        if info.primary_key is None:
            return column in ("id", "slug")
        keys = (info.primary_key, *info.unique_keys)
        return any(tuple(key) == (column,) for key in keys)

    def marked(self, table: TableName, mark: str) -> bool:
        patterns = self.settings.marks.get(mark, ())
        return any(fnmatch.fnmatchcase(str(table), p) for p in patterns)

    def any_marked(self, mark: str) -> bool:
        return bool(self.settings.marks.get(mark))
