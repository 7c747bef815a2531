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

from hasura_perm.errors import Location
from hasura_perm.names import TableName
from hasura_perm.names import session_variable
from hasura_perm.snapshot import ForeignKey

ACTIONS = ("insert", "select", "update", "delete")
MARKS = ("sensitive", "append_only", "lookup", "large")

# Role names that say "administrator": whole words only (`moped-admin`, `project_admin`,
# not `badminton`). Hasura's own `admin` bypasses permissions and is handled by its own rule.
_ADMIN_WORD = re.compile(r"(^|[^a-z0-9])(admin|administrator|superuser|root|sysadmin)([^a-z0-9]|$)")
# Session variables that carry the caller's identity: x-hasura-user-id, x-hasura-user-db-id.
_USER_VARIABLE = re.compile(r"^x-hasura-(.*[-_])?user([-_].*)?[-_]?id$")
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


@dataclass(frozen=True)
class TableInfo:
    name: TableName
    columns: dict[str, str] | None  # column -> Postgres type; None: no schema for it
    primary_key: tuple[str, ...] | None = None
    foreign_keys: tuple[ForeignKey, ...] = ()
    relationships: dict[str, Relation] = field(default_factory=dict)
    kind: str = "table"  # "table" | "view" | ...
    location: Location | None = None  # its metadata entry, when there is one
    view_sources: tuple[TableName, ...] = ()  # tables a view reads, when known
    computed_fields: frozenset[str] = frozenset()
    # "insert"/"update" -> columns a BEFORE trigger overwrites whatever the caller sends
    server_filled: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Grant:
    """One permission: what a role may do on a table, and where it is written."""

    table: TableName
    action: str
    role: str
    body: dict[str, Any]  # Hasura's export form
    location: Location
    comment: str | None = None
    origin: str = ""  # "inherited from editor (table file)", ... ("" when written as is)
    raw: dict[str, Any] | None = None  # the `permission:` mapping as written (metadata only)

    @property
    def filter(self) -> Any:
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

    def __post_init__(self) -> None:
        self._index: dict[tuple[TableName, str, str], Grant] = {
            (g.table, g.action, g.role): g for g in self.grants
        }
        self._by_table: dict[TableName, list[Grant]] = {}
        for grant in self.grants:
            self._by_table.setdefault(grant.table, []).append(grant)

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

    # -- shared judgements

    def is_admin(self, role: str) -> bool:
        """An administrator role that is expected to see and change everything."""
        if self.settings.admin_roles is not None:
            return role in self.settings.admin_roles
        return bool(_ADMIN_WORD.search(role.lower()))

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

    def marked(self, table: TableName, mark: str) -> bool:
        patterns = self.settings.marks.get(mark, ())
        return any(fnmatch.fnmatchcase(str(table), p) for p in patterns)

    def any_marked(self, mark: str) -> bool:
        return bool(self.settings.marks.get(mark))
