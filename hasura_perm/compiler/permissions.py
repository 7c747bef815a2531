"""Spec + catalog -> one Hasura permission per (table, action, role). Pure: no I/O.

Resolution per (table, action, role): the table file's rule for the role, else the most
specific matching default, else the parents' resolved rules (identical across parents, or
an error), else nothing. `deny` at any of the first two steps stops the search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol

from hasura_perm.boolexp.validate import ExprContext
from hasura_perm.boolexp.validate import compile_boolexp
from hasura_perm.boolexp.validate import condition_references
from hasura_perm.boolexp.validate import literal_fits
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import SpecError
from hasura_perm.core.graphs import find_cycles
from hasura_perm.core.names import TableName
from hasura_perm.core.names import is_session_variable
from hasura_perm.core.names import session_variable
from hasura_perm.core.validate import did_you_mean
from hasura_perm.metadata.export_format import canonical_permission
from hasura_perm.metadata.permission import Ownership
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.snapshot import Table
from hasura_perm.spec import ACTIONS
from hasura_perm.spec import Node
from hasura_perm.spec import Spec
from hasura_perm.spec.combines import combined_roles
from hasura_perm.spec.resolve import Default
from hasura_perm.spec.resolve import default_rules
from hasura_perm.spec.resolve import index_defaults
from hasura_perm.spec.resolve import managed_tables
from hasura_perm.spec.resolve import role_parents


@dataclass
class Compiled:
    tables: list[TableName]  # every managed table, sorted
    roles: list[str]  # every declared role, sorted
    permissions: PermissionSet = field(default_factory=PermissionSet)
    session_used: set[str] = field(default_factory=set)
    surface: Any = None  # spec.surface.Surface: actions and introspection (set by build.py)

    def get(self, table: TableName, action: str, role: str) -> Permission | None:
        return self.permissions.get(table, action, role)

    def ownership(self, *, prune: bool = False) -> Ownership:
        """What an apply of this compile owns on the server (metadata/permission.py)."""
        return Ownership(frozenset(self.tables), frozenset(self.roles), prune)


# One table's permissions, and the session variables and conditions its compile used.
TableResult = tuple[list[Permission], set[str], set[str]]


class TableMemo(Protocol):
    """Remembers tables' compiles (compiler/compile_cache.py); compile_spec does no I/O."""

    def key(self, table: TableName) -> str | None: ...
    def get(self, key: str, table: TableName) -> TableResult | None: ...
    def put(self, key: str, compiled: TableResult) -> None: ...


def compile_spec(spec: Spec, catalog: Catalog, memo: TableMemo | None = None) -> Compiled:
    """Compile everything; raise SpecError with every problem found. `memo`: where the
    tables' compiles are remembered (compiler/compile_cache.py), if anywhere."""
    problems: list[Diagnostic] = []
    ctx = ExprContext(catalog, spec.conditions, spec.session, problems)
    parents = role_parents(spec, problems)
    combined_roles(spec, problems)  # reported with the other role mistakes; surface keeps them
    defaults = index_defaults(spec)
    tables = managed_tables(spec, catalog.snapshot, defaults, problems)
    ctx.tracked = set(catalog.relationships) | set(tables)
    _check_rule_roles(spec, problems)
    result = Compiled(tables=tables, roles=sorted(spec.roles))
    for table in tables:
        if memo is None:
            table_compiler = _TableCompiler(spec, ctx, parents, defaults, table)
            for permission in table_compiler.run():
                result.permissions.add(permission)
            continue
        permissions, session_used, conditions_used = _remembered(
            memo, table, lambda t: _TableCompiler(spec, ctx, parents, defaults, t), ctx
        )
        for permission in permissions:
            result.permissions.add(permission)
        ctx.session_used |= session_used
        ctx.conditions_used |= conditions_used
    _unused_condition_cycles(spec, ctx)
    if problems:
        raise SpecError(problems)
    result.session_used = ctx.session_used
    return result


def _remembered(
    memo: TableMemo,
    table: TableName,
    compiler: Callable[[TableName], _TableCompiler],
    ctx: ExprContext,
) -> TableResult:
    """The table's compile from `memo`, else compiled (and remembered when it found no
    problem). Its session variables and conditions are collected apart from the other
    tables', so what is remembered is exactly what this table uses."""
    key = memo.key(table)
    found = memo.get(key, table) if key is not None else None
    if found is not None:
        return found
    saved = ctx.session_used, ctx.conditions_used
    ctx.session_used, ctx.conditions_used = set(), set()
    problems_before = len(ctx.problems)
    try:
        result = (compiler(table).run(), ctx.session_used, ctx.conditions_used)
    finally:
        ctx.session_used, ctx.conditions_used = saved
    if key is not None and len(ctx.problems) == problems_before:
        memo.put(key, result)
    return result


def _unused_condition_cycles(spec: Spec, ctx: ExprContext) -> None:
    """Cycles among conditions no rule uses: compile never walks them, but they are broken
    and would fail the day a rule uses one."""
    unused = {n: node for n, node in spec.conditions.items() if n not in ctx.conditions_used}
    if not unused:
        return
    columns = {c for table in ctx.catalog.snapshot.tables.values() for c in table.columns}
    edges = {n: condition_references(node.value, unused, columns) for n, node in unused.items()}
    for cycle in find_cycles(edges):
        ctx.report(
            unused[cycle[0]],
            f"conditions use each other in a cycle: {' -> '.join(cycle)}",
        )


def _check_rule_roles(spec: Spec, problems: list[Diagnostic]) -> None:
    holders = [*spec.tables.values(), *spec.defaults]
    for holder in holders:
        for action in ACTIONS:
            for role in holder.value.get(action, {}):
                if role not in spec.roles:
                    hint = did_you_mean(role, list(spec.roles))
                    location = holder.child(action, role).location
                    problems.append(
                        Diagnostic(
                            location,
                            f"unknown role `{role}`{hint or '; declare it under `roles:`'}",
                        )
                    )


class _TableCompiler:
    """Resolves and compiles every (action, role) of one table."""

    def __init__(
        self,
        spec: Spec,
        ctx: ExprContext,
        parents: dict[str, tuple[str, ...]],
        defaults: list[Default],
        table: TableName,
    ) -> None:
        self.spec, self.ctx, self.parents, self.table = spec, ctx, parents, table
        self.info: Table = ctx.catalog.snapshot.tables[table]
        self.table_file = spec.tables.get(table)
        self.defaults = default_rules(table, defaults, ctx.problems)
        self.resolved: dict[tuple[str, str], Permission | None] = {}
        self.compiled_rules: dict[int, dict[str, Any]] = {}

    def run(self) -> list[Permission]:
        out = []
        for action in ACTIONS:
            for role in sorted(self.spec.roles):
                permission = self.resolve(action, role)
                if permission is not None:
                    out.append(permission)
        return out

    def resolve(self, action: str, role: str) -> Permission | None:
        key = (action, role)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(action, role)
        return self.resolved[key]

    def _resolve(self, action: str, role: str) -> Permission | None:
        if self.table_file is not None and role in self.table_file.value.get(action, {}):
            return self._from_rule(self.table_file.child(action, role), action, role, "table file")
        rule = self.defaults.get((action, role))
        if rule is not None:
            pattern = rule.doc.data["defaults"][rule.path[1]]["tables"]
            return self._from_rule(rule, action, role, f"default `{_show_pattern(pattern)}`")
        return self._inherit(action, role)

    def _inherit(self, action: str, role: str) -> Permission | None:
        resolved = {p: self.resolve(action, p) for p in self.parents.get(role, ())}
        found = {p: perm for p, perm in resolved.items() if perm is not None}
        if not found:
            return None
        first_parent, first = next(iter(found.items()))
        for parent, other in found.items():
            if (other.body, other.comment) != (first.body, first.comment):
                location = self.spec.roles[role].location
                self.ctx.problems.append(
                    Diagnostic(
                        location,
                        f"role `{role}` inherits different {action} rules on {self.table} from "
                        f"`{first_parent}` ({first.location}) and `{parent}` ({other.location}); "
                        f"give `{role}` its own {action} rule for this table",
                    )
                )
                return None
        origin = f"inherited from {first_parent} ({first.origin})"
        return Permission(
            self.table,
            action,
            role,
            first.body,
            first.comment,
            first.location,
            origin,
            first.expands_all,
        )

    def _from_rule(self, rule: Node, action: str, role: str, origin: str) -> Permission | None:
        if rule.value == "deny":
            return None
        body = self.compiled_rules.get(id(rule.value))
        if body is None:
            body = self._compile_rule(rule, action)
            self.compiled_rules[id(rule.value)] = body
        comment = rule.value.get("comment")
        columns = rule.value.get("columns")
        expands_all = columns == "all" or isinstance(columns, dict)
        return Permission(
            self.table, action, role, body, comment, rule.location, origin, expands_all
        )

    def _compile_rule(self, rule: Node, action: str) -> dict[str, Any]:
        usage = "" if rule.doc is self._table_doc else f" (applied to {self.table})"
        value = rule.value
        body: dict[str, Any] = {}
        if "columns" in value:
            body["columns"] = self._columns(rule.child("columns"), usage)
            if action in ("insert", "update"):
                body["columns"] = self._writable(
                    rule.child("columns"), body["columns"], action, usage
                )
        for key in ("filter", "check"):
            if key in value:
                body[key] = compile_boolexp(rule.child(key), self.table, self.ctx, bool(usage))
        if "set" in value:
            body["set"] = self._presets(rule.child("set"), usage)
        if "computed_fields" in value:
            self._computed_fields(rule.child("computed_fields"), usage)
        for key in (
            "computed_fields",
            "limit",
            "allow_aggregations",
            "query_root_fields",
            "subscription_root_fields",
            "backend_only",
            "validate_input",
        ):
            if key in value:
                body[key] = value[key]
        if action == "select":
            self._check_root_fields(rule, body, usage)
        return canonical_permission(action, body)

    def _writable(self, node: Node, columns: list[str], action: str, usage: str) -> list[str]:
        """Hasura refuses an insert/update permission that lists a column it cannot write (identity
        ALWAYS or generated STORED: buildInsPermInfo/buildUpdPermInfo, RQL/DDL/Permission.hs),
        and its own `*` leaves them out. So `all` and `all_except` leave them out too, and naming
        one, directly or through a column set, is an error."""
        generated = [c for c in columns if c in self.info.generated]
        if not generated:
            return columns
        if node.value == "all" or isinstance(node.value, dict):
            return [c for c in columns if c not in self.info.generated]
        items = node.value if isinstance(node.value, list) else [node.value]
        for column in generated:
            for i, item in enumerate(items):
                members = self.spec.column_sets[item].value if item in self.spec.column_sets else []
                if item == column or column in members:
                    via = "" if item == column else f" (through column set `{item}`)"
                    self.ctx.report(
                        node.child(i) if isinstance(node.value, list) else node,
                        f"`{column}` of {self.table} is generated (identity ALWAYS or a stored "
                        f"generated column){via}{usage}: Hasura refuses it in {action} "
                        "columns; leave it out",
                    )
                    break
        return columns

    def _check_root_fields(self, rule: Node, body: dict[str, Any], usage: str) -> None:
        """Hasura's `validateAllowedRootFields` (RQL/DDL/Permission.hs), which refuses the
        permission on create: `select_by_pk` in query_root_fields or subscription_root_fields needs
        a primary key whose every column the role may select; `select_aggregate` in either needs
        `allow_aggregations: true`. `select_stream` and an absent list (all root fields) are not
        checked."""
        for key in ("query_root_fields", "subscription_root_fields"):
            fields = body.get(key)
            if fields is None:
                continue
            node = rule.child(key)
            if "select_by_pk" in fields:
                self._check_primary_key(node, key, body.get("columns"), usage)
            if "select_aggregate" in fields and not body.get("allow_aggregations"):
                self.ctx.report(
                    node,
                    f"`select_aggregate` in {key} needs `allow_aggregations: true`{usage}; "
                    "Hasura refuses it otherwise",
                )

    def _check_primary_key(self, node: Node, key: str, columns: Any, usage: str) -> None:
        primary_key = self.info.primary_key
        if not primary_key:
            self.ctx.report(
                node,
                f"`select_by_pk` in {key} needs a primary key, and {self.table} has none{usage}; "
                "Hasura refuses it",
            )
            return
        if columns == "*":
            return
        missing = [c for c in primary_key if c not in (columns or [])]
        if missing:
            shown = ", ".join(f"`{c}`" for c in missing)
            self.ctx.report(
                node,
                f"`select_by_pk` in {key} needs every primary-key column of {self.table} in "
                f"`columns`, which lacks {shown}{usage}; Hasura refuses it otherwise: add the "
                "column(s) or drop `select_by_pk`",
            )

    @property
    def _table_doc(self) -> Any:
        return self.table_file.doc if self.table_file is not None else None

    def _columns(self, node: Node, usage: str) -> list[str]:
        value = node.value
        if value == "all":
            return list(self.info.columns)
        if isinstance(value, str):
            return self._column_names(node, [value], usage, strict=True)
        if isinstance(value, dict):
            excluded = set(
                self._column_names(
                    node.child("all_except"), value["all_except"], usage, strict=False
                )
            )
            return [c for c in self.info.columns if c not in excluded]
        return self._column_names(node, value, usage, strict=True)

    def _column_names(self, node: Node, names: list[str], usage: str, strict: bool) -> list[str]:
        """Expand column-set names. `strict`: every column must exist on the table; a set
        used in all_except may name columns other tables have (it is shared)."""
        out: list[str] = []
        for i, name in enumerate(names):
            where = node.child(i) if isinstance(node.value, list) else node
            in_table, in_sets = name in self.info.columns, name in self.spec.column_sets
            if in_table and in_sets:
                self.ctx.report(
                    where,
                    f"`{name}` is both a column of {self.table} and a column set; rename the set",
                )
            elif in_sets:
                members = self.spec.column_sets[name]
                for member in members.value:
                    if member in self.info.columns:
                        out.append(member)
                    elif strict:
                        self.ctx.report(
                            where,
                            f"column set `{name}` names `{member}`, which {self.table} does not have{usage}",
                        )
            elif in_table:
                out.append(name)
            else:
                self._unknown_column(where, name, usage)
        return list(dict.fromkeys(out))

    def _unknown_column(self, node: Node, name: str, usage: str) -> None:
        hint = did_you_mean(name, [*self.info.columns, *self.spec.column_sets])
        self.ctx.report(node, f"unknown column `{name}` on {self.table}{usage}{hint}")

    def _presets(self, node: Node, usage: str) -> dict[str, Any]:
        items = node.value if isinstance(node.value, list) else [node.value]
        merged: dict[str, Any] = {}
        for i, item in enumerate(items):
            where = node.child(i) if isinstance(node.value, list) else node
            if isinstance(item, str):
                preset = self.spec.presets.get(item)
                if preset is None:
                    hint = did_you_mean(item, list(self.spec.presets))
                    self.ctx.report(
                        where,
                        f"unknown preset `{item}`{usage}{hint or '; define it under `presets:`'}",
                    )
                    continue
                where, item = preset, preset.value
            for column, value in item.items():
                self._preset_value(where.child(column), column, value, usage)
                if column in merged and merged[column] != value:
                    self.ctx.report(
                        where.child(column),
                        f"column `{column}` is preset twice with different values{usage}",
                    )
                merged[column] = value
        return merged

    def _preset_value(self, node: Node, column: str, value: Any, usage: str) -> None:
        if column not in self.info.columns:
            self._unknown_column(node, column, usage)
        elif not is_session_variable(value) and not literal_fits(value, self.info.columns[column]):
            pg_type = self.info.columns[column]
            self.ctx.report(node, f"{value!r} is not a valid {pg_type} value{usage}")
        name = session_variable(value)
        if name is not None:
            self.ctx.session_used.add(name)
            if name not in self.spec.session:
                self.ctx.report(
                    node,
                    f"session variable `{value}` is not declared{usage}; declare it under `session:`",
                )

    def _computed_fields(self, node: Node, usage: str) -> None:
        known = self.ctx.catalog.computed_fields.get(self.table, set())
        for i, name in enumerate(node.value):
            if name not in known:
                hint = did_you_mean(name, sorted(known))
                self.ctx.report(
                    node.child(i),
                    f"unknown computed field `{name}` on {self.table}{usage}{hint or '; add it to the table metadata first'}",
                )


def _show_pattern(pattern: Any) -> str:
    return pattern if isinstance(pattern, str) else ", ".join(pattern)
