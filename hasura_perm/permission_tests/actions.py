"""One case's action, run as real statements; the Outcome says what happened.

- select: `SELECT key, (filter) FROM t` over the rows in scope (the client's `where`);
- insert: `INSERT ... RETURNING (check)`: the check sees the stored row, defaults and
  presets included. Like Hasura (coalesce(bool_and(check), true)), NULL passes;
- update: the filter on the old rows, then `UPDATE ... WHERE filter RETURNING (check)` on
  the new ones;
- delete: `DELETE ... WHERE filter RETURNING key`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any
from typing import Protocol

import psycopg

from hasura_perm.boolexp import sql as q
from hasura_perm.boolexp import tree as t
from hasura_perm.core.names import TableName
from hasura_perm.core.names import session_variable
from hasura_perm.metadata.permission import Permission
from hasura_perm.permission_tests.cases import BACKEND_ONLY_HEADER
from hasura_perm.permission_tests.cases import Case
from hasura_perm.permission_tests.cases import Key
from hasura_perm.permission_tests.cases import show_key
from hasura_perm.permission_tests.outcome import Lookup
from hasura_perm.permission_tests.outcome import Outcome

CHECK_FAILED = "check constraint of an insert/update permission has failed"
TRUE_TEXT = ("true", "t", "yes", "y")
FALSE_TEXT = ("false", "f", "no", "n")


class Session(Protocol):
    """What an action needs of the runner (permission_tests/runner.py's Runner): the
    schema, statements run and recorded, and savepoints."""

    schema: t.Schema
    boolean_null_collapse: bool

    def query(self, outcome: Outcome, statement: str) -> list[tuple[Any, ...]]: ...

    def nested(self) -> AbstractContextManager[None]: ...

    def undone(self) -> AbstractContextManager[None]: ...


class CaseError(Exception):
    """The action failed the way Hasura would fail it (an error, not a wrong answer)."""


class Action:
    """Run one case's action and fill in its Outcome."""

    def __init__(self, runner: Session, case: Case, lookup: Lookup) -> None:
        self.runner, self.case, self.lookup = runner, case, lookup
        self.schema = runner.schema
        self.table = case.table
        self.info = self.schema.table(case.table)
        self.outcome = Outcome()

    def run(self) -> None:
        getattr(self, f"_{self.case.action}")()

    # -- select

    def _select(self) -> None:
        permission = self.lookup(self.table, "select", self.case.role)
        self.outcome.permission = permission
        if permission is None:
            self.outcome.note = f"role {self.case.role} has no select permission on {self.table}"
            self.outcome.columns = []
            self._scope_only()
            return
        body = permission.body
        self.outcome.columns = list(body.get("columns", []))
        self.outcome.aggregate = bool(body.get("allow_aggregations"))
        self.outcome.limit = body.get("limit")
        filter_node = self._parse(body["filter"])
        where = self._where_sql()
        self._require_session(t.session_variables(filter_node))
        self._evaluate(filter_node, "filter", where, accept_into=self.outcome)
        if self.outcome.aggregate:
            visible = len(self.outcome.accepted)
            limit = self.outcome.limit
            self.outcome.count = min(visible, limit) if limit else visible

    def _scope_only(self) -> None:
        """Rows in scope when the role has no permission at all: all of them are denied."""
        where = self._where_sql(permission_needed=False)
        rows = self._rows_in_scope("true", where, [])
        self.outcome.others = [key for key, _row, _ok, _b in rows]
        self.outcome.rows = {key: row for key, row, _ok, _b in rows}

    # -- insert

    def _insert(self) -> None:
        permission = self._mutation_permission("insert")
        if permission is None:
            return
        body = permission.body
        presets = body.get("set") or {}
        allowed = set(body.get("columns", self.info.columns)) - set(presets)
        self.outcome.columns = sorted(allowed)
        row = self.case.expect.row
        if self._refuse_columns(row, allowed, "insert_input"):
            return
        check = self._parse(body["check"])
        self._require_session(t.session_variables(check) | _preset_session(presets))
        translator = q.Translator(self.schema)
        condition = translator.condition(check, self.table)
        branches = self._branches(check, "check", translator)
        values = {c: q.literal(v, self.info.columns[c]) for c, v in row.items()}
        values.update({c: self._preset(c, v, translator) for c, v in presets.items()})
        statement = self._insert_sql(values, condition, branches)
        try:
            result = self.runner.query(self.outcome, statement)
        except psycopg.Error as exc:
            raise CaseError(f"the database refused the insert: {message(exc)}") from None
        key, data, ok, reached = _unpack(result[0], len(self.case.key), len(branches))
        self.outcome.after[key] = data
        if ok is False:
            self.outcome.refused = "check"
            self.outcome.rejected_by_check = [key]
            self.outcome.note = CHECK_FAILED
        else:
            self.outcome.accepted = [key]
            self.outcome.branches |= {
                label for label, hit in zip(branches, reached, strict=True) if hit
            }

    def _insert_sql(self, values: dict[str, str], condition: str, branches: dict[str, str]) -> str:
        target = f"{q.quote_table(self.table)} AS {q.quote_ident(q.ROOT_ALIAS)}"
        if values:
            columns = ", ".join(q.quote_ident(c) for c in values)
            head = f"INSERT INTO {target} ({columns}) VALUES ({', '.join(values.values())})"
        else:
            head = f"INSERT INTO {target} DEFAULT VALUES"
        return f"{head} RETURNING {self._returning(condition, branches)}"

    # -- update

    def _update(self) -> None:
        permission = self._mutation_permission("update")
        if permission is None:
            return
        body = permission.body
        presets = body.get("set") or {}
        allowed = set(body.get("columns", [])) - set(presets)
        self.outcome.columns = sorted(allowed)
        changes = self.case.expect.row
        if self._refuse_columns(changes, allowed, "set_input"):
            return
        filter_node = self._parse(body["filter"])
        check_node = self._parse(body.get("check") or {})
        self._require_session(
            t.session_variables(filter_node)
            | t.session_variables(check_node)
            | _preset_session(presets)
        )
        where = self._where_sql()
        before = self._evaluate(filter_node, "filter", where, accept_into=None)
        candidates = [key for key, _row, ok, _b in before if ok]
        self.outcome.others = [key for key, _row, ok, _b in before if not ok]
        if not candidates:
            return
        translator = q.Translator(self.schema)
        assignments = {c: q.literal(v, self.info.columns[c]) for c, v in changes.items()}
        assignments.update({c: self._preset(c, v, translator) for c, v in presets.items()})
        if not assignments:  # no `_set` and no presets: the check still sees the row
            first = self.case.key[0]
            assignments = {first: f"{q.quote_ident(q.ROOT_ALIAS)}.{q.quote_ident(first)}"}
        check = translator.condition(check_node, self.table)
        branches = self._branches(check_node, "check", translator)
        filter_sql = q.Translator(self.schema).condition(filter_node, self.table)
        sets = ", ".join(f"{q.quote_ident(c)} = {v}" for c, v in assignments.items())
        head = f"UPDATE {q.quote_table(self.table)} AS {q.quote_ident(q.ROOT_ALIAS)} SET {sets}"
        returning = self._returning(check, branches)
        rewrites_key = bool(set(assignments) & set(self.case.key))
        changed = self._mutate_rows(
            head, filter_sql, where, returning, candidates, len(branches), rewrites_key
        )
        for key, data, _ok, _reached in changed:
            self.outcome.after[key] = data
        failed = [key for key, _data, ok, _reached in changed if ok is False]
        if failed:
            # Hasura checks every changed row in one statement (mkCheckErrorExp:
            # coalesce(bool_and(check), true)); one failure fails the whole mutation, so no row
            # is changed.
            self.outcome.refused = "check"
            self.outcome.rejected_by_check = failed
            self.outcome.note = (
                f"{CHECK_FAILED} (row {', '.join(show_key(k, self.case.key) for k in failed)}); "
                "the whole update is refused and no row changes"
            )
            return
        for key, _data, _ok, reached in changed:
            self.outcome.accepted.append(key)
            self.outcome.branches |= {
                label for label, hit in zip(branches, reached, strict=True) if hit
            }

    # -- delete

    def _delete(self) -> None:
        permission = self._mutation_permission("delete")
        if permission is None:
            return
        filter_node = self._parse(permission.body["filter"])
        self._require_session(t.session_variables(filter_node))
        where = self._where_sql()
        before = self._evaluate(filter_node, "filter", where, accept_into=None)
        candidates = [key for key, _row, ok, _b in before if ok]
        self.outcome.others = [key for key, _row, ok, _b in before if not ok]
        if not candidates:
            return
        filter_sql = q.Translator(self.schema).condition(filter_node, self.table)
        head = f"DELETE FROM {q.quote_table(self.table)} AS {q.quote_ident(q.ROOT_ALIAS)}"
        for key, _data, _ok, _b in self._mutate_rows(head, filter_sql, where, "", candidates, 0):
            self.outcome.accepted.append(key)

    # -- shared steps

    def _mutation_permission(self, action: str) -> Permission | None:
        permission = self.lookup(self.table, action, self.case.role)
        self.outcome.permission = permission
        if permission is None:
            self.outcome.refused = "no permission"
            self.outcome.note = f"role {self.case.role} has no {action} permission on {self.table}"
            self._scope_only()
            return None
        if permission.body.get("backend_only") and not self._backend_header():
            self.outcome.refused = "no permission"
            self.outcome.note = (
                f"the {action} permission of {self.case.role} on {self.table} is backend_only: "
                f"it needs the admin secret and `{BACKEND_ONLY_HEADER}: true`"
                + (" (a JWT caller never gets it)" if self.case.auth == "jwt" else "")
            )
            self._scope_only()
            return None
        return permission

    def _backend_header(self) -> bool:
        # Only an admin-secret request reads the header (Authentication/User.hs
        # getBackendOnlyFieldAccess: UAdminSecretNotSent, as JWT.hs passes, means disallowed).
        if self.case.auth != "admin_secret":
            return False
        value = self.case.session.get(BACKEND_ONLY_HEADER)
        if value is None or value.lower() in FALSE_TEXT:
            return False
        if value.lower() in TRUE_TEXT:
            return True
        # User.hs mkUserInfo: `header <<> ": " <> errMsg`, errMsg starting with a space.
        raise CaseError(
            f'"{BACKEND_ONLY_HEADER}":  Not a valid boolean text. True values are '
            '["true","t","yes","y"] and  False values are ["false","f","no","n"]. All values '
            "are case insensitive"
        )

    def _refuse_columns(self, values: dict[str, Any], allowed: set[str], input_type: str) -> bool:
        bad = sorted(set(values) - allowed)
        if not bad:
            return False
        self.outcome.refused = "columns"
        type_name = (
            self.table.name
            if self.table.schema == "public"
            else f"{self.table.schema}_{self.table.name}"
        )
        self.outcome.note = "; ".join(
            f"field '{c}' not found in type: '{type_name}_{input_type}'" for c in bad
        )
        return True

    def _parse(self, expression: Any) -> t.Node:
        return t.parse(expression, self.table, self.schema)

    def _require_session(self, names: set[str]) -> None:
        missing = sorted(names - set(self.case.session))
        if missing:
            # Backends/Postgres/Execute/Prepare.hs prepareWithPlan: Hasura stops at the first
            # one it meets (which one, when several are missing, depends on its traversal).
            raise CaseError(f'missing session variable: "{missing[0]}"')

    def _preset(self, column: str, value: Any, translator: q.Translator) -> str:
        pg_type = self.info.columns[column]
        name = session_variable(value)
        if name is not None:
            translator.session_used.add(name)
            return f"(({q.SESSION_SQL} ->> {q.quote_literal(name)})::{pg_type})"
        return q.literal(value, pg_type)

    def _where_sql(self, permission_needed: bool = True) -> str:
        where = self.case.expect.where
        if not where:
            return "true"
        role = self.case.role

        def select_filter(table: TableName) -> t.Node | None:
            permission = self.lookup(table, "select", role)
            return t.parse(permission.body["filter"], table, self.schema) if permission else None

        def selectable(table: TableName) -> set[str] | None:
            permission = self.lookup(table, "select", role)
            if permission is None:
                return None if not permission_needed else set()
            return set(permission.body.get("columns", [])) | set(
                permission.body.get("computed_fields", [])
            )

        translator = q.ClientTranslator(
            self.schema, select_filter, selectable, self.runner.boolean_null_collapse
        )
        condition = translator.condition(self._parse(where), self.table)
        self._require_session(translator.session_used)
        return condition

    def _branches(self, node: t.Node, part: str, translator: q.Translator) -> dict[str, str]:
        return {
            f"{part}:{branch.label}": translator.condition(branch.reduced, self.table)
            for branch in t.or_branches(node)
        }

    def _returning(self, condition: str, branches: dict[str, str]) -> str:
        root = q.quote_ident(q.ROOT_ALIAS)
        keys = [f"{root}.{q.quote_ident(c)}::text" for c in self.case.key]
        extra = [
            f"({sql}) AS {q.quote_ident('b' + str(i))}" for i, sql in enumerate(branches.values())
        ]
        return ", ".join(
            [*keys, f"to_jsonb({root})", f"({condition}) AS check__constraint", *extra]
        )

    def _rows_in_scope(
        self, condition: str, where: str, branches: list[str]
    ) -> list[tuple[Key, Any, Any, list[Any]]]:
        root = q.quote_ident(q.ROOT_ALIAS)
        keys = [f"{root}.{q.quote_ident(c)}::text" for c in self.case.key]
        columns = [*keys, f"to_jsonb({root})", f"({condition})", *(f"({b})" for b in branches)]
        statement = (
            f"SELECT {', '.join(columns)} FROM {q.quote_table(self.table)} AS {root} "
            f"WHERE {where} ORDER BY {', '.join(str(i + 1) for i in range(len(keys)))}"
        )
        try:
            rows = self.runner.query(self.outcome, statement)
        except psycopg.Error as exc:
            raise CaseError(f"the database refused the query: {message(exc)}") from None
        out = [_unpack(row, len(keys), len(branches)) for row in rows]
        return sorted(out, key=lambda item: _sort_key(item[0]))

    def _evaluate(
        self, node: t.Node, part: str, where: str, accept_into: Outcome | None
    ) -> list[tuple[Key, Any, Any, list[Any]]]:
        """The node over the rows in scope; records data, branches reached and, for a select,
        which rows it admits."""
        translator = q.Translator(self.schema)
        condition = translator.condition(node, self.table)
        branches = self._branches(node, part, translator)
        rows = self._rows_in_scope(condition, where, list(branches.values()))
        for key, data, ok, reached in rows:
            self.outcome.rows[key] = data
            if ok:
                self.outcome.branches |= {
                    label for label, hit in zip(branches, reached, strict=True) if hit
                }
            if accept_into is not None:
                (accept_into.accepted if ok else accept_into.others).append(key)
        return rows

    def _mutate_rows(
        self,
        head: str,
        filter_sql: str,
        where: str,
        returning: str,
        candidates: list[Key],
        n_branches: int,
        one_by_one: bool = False,
    ) -> list[tuple[Key, Any, Any, list[Any]]]:
        """Run the update/delete on every candidate at once, or row by row when the change
        rewrites the key (RETURNING shows only the new key) or the database refuses the
        batch (so an error names the rows it is about)."""
        keys_returned = ", ".join(
            f"{q.quote_ident(q.ROOT_ALIAS)}.{q.quote_ident(c)}::text" for c in self.case.key
        )
        tail = f" RETURNING {returning}" if returning else f" RETURNING {keys_returned}, null, true"
        if not one_by_one:
            statement = f"{head} WHERE {filter_sql} AND {where}{tail}"
            try:
                with self.runner.nested():
                    rows = self.runner.query(self.outcome, statement)
                unpacked = (_unpack(r, len(self.case.key), n_branches) for r in rows)
                return sorted(unpacked, key=lambda i: _sort_key(i[0]))
            except psycopg.Error:
                pass
        results, failures = [], []
        for key in candidates:
            one = f"{head} WHERE {filter_sql} AND {where} AND {self._key_condition(key)}{tail}"
            try:
                with self.runner.undone():
                    rows = self.runner.query(self.outcome, one)
            except psycopg.Error as exc:
                failures.append(f"{show_key(key, self.case.key)}: {message(exc)}")
                continue
            for row in rows:
                _new_key, data, ok, reached = _unpack(row, len(self.case.key), n_branches)
                results.append((key, data, ok, reached))
        if failures:
            raise CaseError("the database refused the change of row " + "; ".join(failures))
        return results

    def _key_condition(self, key: Key) -> str:
        root = q.quote_ident(q.ROOT_ALIAS)
        return " AND ".join(
            f"{root}.{q.quote_ident(c)}::text = {q.quote_literal(v)}"
            for c, v in zip(self.case.key, key, strict=True)
        )


def _unpack(row: tuple[Any, ...], n_keys: int, n_branches: int) -> tuple[Key, Any, Any, list[Any]]:
    key = tuple(row[:n_keys])
    data, ok = row[n_keys], row[n_keys + 1]
    return key, data, ok, list(row[n_keys + 2 : n_keys + 2 + n_branches])


def _preset_session(presets: dict[str, Any]) -> set[str]:
    return {name for value in presets.values() if (name := session_variable(value))}


def _sort_key(key: Key) -> tuple[Any, ...]:
    return tuple((0, int(v), "") if v.lstrip("-").isdigit() else (1, 0, v) for v in key)


def message(exc: BaseException) -> str:
    if isinstance(exc, psycopg.Error) and exc.diag.message_primary:
        detail = exc.diag.message_detail
        return exc.diag.message_primary + (f" ({detail})" if detail else "")
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).strip()
