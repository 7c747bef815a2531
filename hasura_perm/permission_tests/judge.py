"""Compare what a case expects with what happened; each difference is one sentence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hasura_perm.boolexp.sql import text_value
from hasura_perm.permission_tests.cases import Case
from hasura_perm.permission_tests.cases import Key
from hasura_perm.permission_tests.cases import show_key
from hasura_perm.permission_tests.outcome import Outcome


def judge(case: Case, outcome: Outcome) -> list[str]:
    expected_error = case.expect.error
    if expected_error is not None:
        if outcome.error and expected_error.lower() in outcome.error.lower():
            return []
        got = (
            f"error: {outcome.error}" if outcome.error else f"no error ({describe(case, outcome)})"
        )
        return [f"expected an error containing {expected_error!r}; got {got}"]
    if outcome.error:
        return [f"error: {outcome.error}"]
    return _JUDGES[case.action](case, outcome)


def describe(case: Case, outcome: Outcome) -> str:
    """What happened, in one line."""
    if outcome.error:
        return f"error: {outcome.error}"
    rows = _keys(outcome.accepted, case)
    if case.action == "select":
        return f"visible rows: {rows}"
    if case.action == "insert":
        if outcome.refused:
            return f"refused ({outcome.refused})" + (f": {outcome.note}" if outcome.note else "")
        return "accepted"
    if outcome.refused:
        return f"refused ({outcome.refused})" + (f": {outcome.note}" if outcome.note else "")
    verb = "changed" if case.action == "update" else "deleted"
    text = f"{verb}: {rows}"
    if outcome.rejected_by_check:
        text += f"; rejected by the check: {_keys(outcome.rejected_by_check, case)}"
    return text


def _select(case: Case, outcome: Outcome) -> list[str]:
    e, problems = case.expect, []
    if e.rows is not None:
        problems += _row_problems("visible rows", e.rows, outcome.accepted, case)
    if e.columns is not None:
        problems += _set_problems("columns", e.columns, outcome.columns or [])
    if e.aggregate is not None and e.aggregate != outcome.aggregate:
        problems.append(
            f"aggregate: expected {_allowed(e.aggregate)}, got {_allowed(outcome.aggregate)}"
        )
    if e.count is not None:
        if not outcome.aggregate:
            problems.append(f"count: expected {e.count}, but aggregate queries are not allowed")
        elif outcome.count != e.count:
            problems.append(f"count: expected {e.count}, got {outcome.count}")
    if e.check_limit and e.limit != outcome.limit:
        problems.append(f"limit: expected {_limit(e.limit)}, got {_limit(outcome.limit)}")
    if outcome.note and e.rows and problems:
        problems.append(outcome.note)
    return problems


def _insert(case: Case, outcome: Outcome) -> list[str]:
    e, problems = case.expect, []
    accepted = outcome.refused is None
    wanted = e.allowed if e.allowed is not None else (True if e.stored is not None else None)
    if wanted is not None and wanted != accepted:
        problems.append(
            f"expected the insert to be {_verdict(wanted)}; it was {describe(case, outcome)}"
        )
    elif e.reason is not None and e.reason != outcome.refused:
        problems.append(f"expected refusal by {e.reason}; it was {describe(case, outcome)}")
    if e.columns is not None:
        problems += _set_problems("insertable columns", e.columns, outcome.columns or [])
    if e.stored is not None and accepted and outcome.after:
        problems += _stored_problems(
            e.stored, next(iter(outcome.after.values())), "the inserted row"
        )
    return problems


def _update(case: Case, outcome: Outcome) -> list[str]:
    e, problems = case.expect, []
    refused = outcome.refused is not None
    if e.allowed is False and not refused:
        problems.append(f"expected the `_set` to be refused; {describe(case, outcome)}")
    elif e.allowed is False and e.reason is not None and e.reason != outcome.refused:
        problems.append(f"expected refusal by {e.reason}; it was {describe(case, outcome)}")
    elif e.allowed is True and refused:
        problems.append(f"expected the `_set` to be accepted; it was {describe(case, outcome)}")
    if e.rows is not None:
        if refused and e.rows:
            problems.append(
                f"changed rows: expected {_keys(e.rows, case)}; {describe(case, outcome)}"
            )
        elif not refused:
            problems += _row_problems("changed rows", e.rows, outcome.accepted, case)
    if e.rejected_by_check is not None and outcome.refused in (None, "check"):
        problems += _row_problems(
            "rows rejected by the check", e.rejected_by_check, outcome.rejected_by_check, case
        )
    if e.columns is not None:
        problems += _set_problems("updatable columns", e.columns, outcome.columns or [])
    if e.stored is not None and refused:
        problems.append(f"expected the update to store {e.stored}; {describe(case, outcome)}")
    elif e.stored is not None:
        for key in outcome.accepted:
            where = f"row {show_key(key, case.key)} after the update"
            problems += _stored_problems(e.stored, outcome.after.get(key) or {}, where)
    return problems


def _delete(case: Case, outcome: Outcome) -> list[str]:
    if case.expect.rows is None:
        return []
    problems = _row_problems("deleted rows", case.expect.rows, outcome.accepted, case)
    if problems and outcome.note:
        problems.append(outcome.note)
    return problems


_JUDGES = {"select": _select, "insert": _insert, "update": _update, "delete": _delete}


def _row_problems(what: str, expected: list[Key], actual: list[Key], case: Case) -> list[str]:
    if set(expected) == set(actual):
        return []
    extra = [k for k in actual if k not in set(expected)]
    missing = [k for k in expected if k not in set(actual)]
    detail = []
    if extra:
        detail.append(f"unexpected: {_keys(extra, case)}")
    if missing:
        detail.append(f"missing: {_keys(missing, case)}")
    return [
        f"{what}: expected {_keys(expected, case)}; got {_keys(actual, case)} ({'; '.join(detail)})"
    ]


def _set_problems(what: str, expected: list[str], actual: list[str]) -> list[str]:
    if set(expected) == set(actual):
        return []
    extra, missing = sorted(set(actual) - set(expected)), sorted(set(expected) - set(actual))
    detail = []
    if extra:
        detail.append(f"unexpected: {', '.join(extra)}")
    if missing:
        detail.append(f"missing: {', '.join(missing)}")
    return [
        f"{what}: expected {', '.join(sorted(expected)) or 'none'}; got {', '.join(sorted(actual)) or 'none'} ({'; '.join(detail)})"
    ]


def _stored_problems(expected: dict[str, Any], row: dict[str, Any], where: str) -> list[str]:
    problems = []
    for column, value in expected.items():
        actual = row.get(column)
        if not same_value(value, actual):
            problems.append(f"{where}: `{column}` is {actual!r}, expected {value!r}")
    return problems


def same_value(expected: Any, actual: Any) -> bool:
    """YAML value vs a value read back through to_jsonb: equal as data, or as text."""
    if expected == actual and type(expected) is type(actual):
        return True
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, (int, float, Decimal)) and isinstance(actual, (int, float, Decimal)):
        return Decimal(str(expected)) == Decimal(str(actual))
    if isinstance(expected, (dict, list)) or isinstance(actual, (dict, list)):
        return expected == actual
    if expected is None or actual is None:
        return expected is None and actual is None
    return text_value(expected) == text_value(actual)


def _keys(keys: list[Key], case: Case) -> str:
    return ", ".join(show_key(k, case.key) for k in keys) or "none"


def _allowed(flag: bool) -> str:
    return "allowed" if flag else "not allowed"


def _verdict(flag: bool) -> str:
    return "accepted" if flag else "refused"


def _limit(value: int | None) -> str:
    return "none" if value is None else str(value)
