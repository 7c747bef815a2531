"""Reports of a test run: text for people, JSON for tools, JUnit XML for CI dashboards."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from hasura_perm.permission_tests.cases import Case
from hasura_perm.permission_tests.cases import Key
from hasura_perm.permission_tests.cases import show_key
from hasura_perm.permission_tests.coverage import CoverageReport
from hasura_perm.permission_tests.engine import Report
from hasura_perm.permission_tests.judge import describe
from hasura_perm.permission_tests.mutation import MutationReport
from hasura_perm.permission_tests.outcome import CaseResult

MAX_ROWS_SHOWN = 10
MAX_SQL_SHOWN = 4
FORMATS = ("text", "json", "junit")


def render(report: Report, fmt: str) -> str:
    return {"text": text, "json": as_json, "junit": junit}[fmt](report)


# --------------------------------------------------------------------------- text


def text(report: Report) -> str:
    lines = [_headline(report), ""]
    for result in report.failures:
        lines += _failure(result) + [""]
    passed, failed = len(report.results) - len(report.failures), len(report.failures)
    lines.append(
        f"{passed} passed, {failed} failed in {report.run_seconds:.2f} s "
        f"({_per_case(report)} per case)"
    )
    if report.coverage is not None:
        lines += [""] + _coverage_text(report.coverage, report.min_coverage)
    if report.mutation is not None:
        lines += [""] + _mutation_text(report.mutation, report.mutation_seconds)
    return "\n".join(lines) + "\n"


def _headline(report: Report) -> str:
    started = f", started in {report.startup_seconds:.2f} s" if report.startup_seconds else ""
    return (
        f"{_count(len(report.results), 'case')} in {_count(report.files, 'file')} "
        f"on {report.database}"
        f"{started}, schema loaded in {report.schema_seconds:.2f} s"
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _per_case(report: Report) -> str:
    if not report.results:
        return "-"
    return f"{1000 * report.run_seconds / len(report.results):.2f} ms"


def _failure(result: CaseResult) -> list[str]:
    case, outcome = result.case, result.outcome
    lines = [f"FAIL {case.location}  {case.name}"]
    lines.append(f"  case:     {case.action} on {case.table} as {case.role}{_session(case)}")
    if case.source:
        lines.append(f"  source:   {case.source}")
    lines.append(f"  expected: {expectation_text(case)}")
    lines.append(f"  got:      {describe(case, outcome)}")
    lines += [f"  problem:  {p}" for p in result.problems]
    if outcome.note and outcome.note not in result.problems:
        lines.append(f"  note:     {outcome.note}")
    rule = outcome.permission
    if rule is not None:
        lines.append(f"  rule:     {rule.location} ({rule.origin})")
    rows = involved_rows(result)
    if rows:
        lines.append("  rows:")
        lines += [f"    {label}: {_json(data)}" for label, data in rows]
    if outcome.sql:
        lines.append("  sql:")
        lines += [f"    {statement};" for statement in outcome.sql[-MAX_SQL_SHOWN:]]
    return lines


def _session(case: Case) -> str:
    if not case.session:
        return ""
    return " (" + ", ".join(f"{k}: {v}" for k, v in sorted(case.session.items())) + ")"


def expectation_text(case: Case) -> str:
    e = case.expect
    parts = []
    if e.where:
        parts.append(f"where {_json(e.where)}")
    if case.action == "insert":
        parts.append(f"row {_json(e.row)}")
    if case.action == "update":
        parts.append(f"_set {_json(e.row)}")
    if e.error is not None:
        parts.append(f"error containing {e.error!r}")
    if e.allowed is not None:
        parts.append("allowed" if e.allowed else "refused" + (f" ({e.reason})" if e.reason else ""))
    if e.rows is not None:
        parts.append(f"rows [{_keys(e.rows, case)}]")
    if e.rejected_by_check is not None:
        parts.append(f"rejected by the check [{_keys(e.rejected_by_check, case)}]")
    if e.columns is not None:
        parts.append(f"columns [{', '.join(e.columns)}]")
    if e.aggregate is not None:
        parts.append("aggregate allowed" if e.aggregate else "aggregate not allowed")
    if e.count is not None:
        parts.append(f"count {e.count}")
    if e.check_limit:
        parts.append(f"limit {e.limit}")
    if e.stored is not None:
        parts.append(f"stored {_json(e.stored)}")
    return "; ".join(parts)


def involved_rows(result: CaseResult) -> list[tuple[str, Any]]:
    """The rows a failure is about: those that differ from the expectation, else all."""
    case, outcome = result.case, result.outcome
    keys: list[Key] = []
    if case.expect.rows is not None:
        keys = sorted(set(case.expect.rows) ^ set(outcome.accepted))
    if case.expect.rejected_by_check is not None:
        keys += sorted(set(case.expect.rejected_by_check) ^ set(outcome.rejected_by_check))
    if not keys and case.action in ("insert", "update"):
        keys = list(outcome.after)
    shown = []
    for key in keys[:MAX_ROWS_SHOWN]:
        data = outcome.after.get(key, outcome.rows.get(key))
        if data is not None:
            suffix = " (after)" if key in outcome.after else ""
            shown.append((show_key(key, case.key) + suffix, data))
    return shown


def _coverage_text(coverage: CoverageReport, minimum: float | None) -> list[str]:
    verdict = ""
    if minimum is not None:
        verdict = " (ok)" if coverage.at_least(minimum) else f" (below the minimum of {minimum:g}%)"
    lines = [
        f"Rule coverage: {_floor(coverage.percent)}% ({coverage.covered}/{coverage.total} items "
        f"of {len(coverage.rules)} rules){verdict}"
    ]
    for rule in coverage.rules:
        missing = rule.missing()
        if missing:
            table, action, role = rule.key
            lines.append(
                f"  {table} {action} {role}  ({rule.permission.location}, {rule.cases} cases)"
            )
            lines += [f"    - {m}" for m in missing]
    return lines


def _mutation_text(mutation: MutationReport, seconds: float) -> list[str]:
    total, survivors = len(mutation.mutants), mutation.survivors
    lines = [
        f"Mutation testing: {total} mutants, {total - len(survivors)} killed, "
        f"{len(survivors)} survived ({seconds:.2f} s)"
    ]
    if mutation.equivalent:
        lines.append(
            f"  {len(mutation.equivalent)} weakenings skipped as equivalent (they cannot change "
            "any outcome: the check repeats a preset, or a filter conjunct on columns the "
            "update cannot change)"
        )
    for mutant in survivors:
        lines.append(f"  SURVIVED {mutant.location}  {mutant.description}")
        if mutant.kind == "deny removed":
            lines.append(f"           changes: {mutant.rules}")
        if not mutant.cases_run:
            lines.append("           no passing case uses this rule")
    return lines


def _floor(percent: float) -> str:
    # Never round up: 99.96% must not read as 100%.
    return f"{int(percent * 10) / 10:g}"


# --------------------------------------------------------------------------- JSON


def as_json(report: Report) -> str:
    data: dict[str, Any] = {
        "ok": report.ok,
        "database": report.database,
        "startup_seconds": round(report.startup_seconds, 4),
        "schema_seconds": round(report.schema_seconds, 4),
        "run_seconds": round(report.run_seconds, 4),
        "files": report.files,
        "passed": len(report.results) - len(report.failures),
        "failed": len(report.failures),
        "cases": [_case_json(r) for r in report.results],
    }
    if report.coverage is not None:
        data["coverage"] = _coverage_json(report.coverage, report.min_coverage)
    if report.mutation is not None:
        data["mutation"] = _mutation_json(report.mutation, report.mutation_seconds)
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def _case_json(result: CaseResult) -> dict[str, Any]:
    case, outcome = result.case, result.outcome
    item: dict[str, Any] = {
        "name": case.name,
        "file": case.file,
        "line": case.location.line,
        "table": str(case.table),
        "role": case.role,
        "action": case.action,
        "passed": result.passed,
        "seconds": round(result.seconds, 6),
        "expected": expectation_text(case),
        "got": describe(case, outcome),
    }
    if case.source:
        item["source"] = case.source
    if not result.passed:
        item["problems"] = result.problems
        item["rows"] = [{"key": label, "row": data} for label, data in involved_rows(result)]
        item["sql"] = outcome.sql
        if outcome.permission is not None:
            item["rule"] = str(outcome.permission.location)
    return item


def _coverage_json(coverage: CoverageReport, minimum: float | None) -> dict[str, Any]:
    return {
        "percent": float(_floor(coverage.percent)),
        "covered": coverage.covered,
        "total": coverage.total,
        "minimum": minimum,
        "ok": minimum is None or coverage.at_least(minimum),
        "rules": [
            {
                "table": str(rule.key[0]),
                "action": rule.key[1],
                "role": rule.key[2],
                "location": str(rule.permission.location),
                "cases": rule.cases,
                "allowed": rule.allowed,
                "denied": rule.denied,
                "branches": {label: label in rule.reached for label in rule.branches},
                "missing": rule.missing(),
            }
            for rule in coverage.rules
        ],
    }


def _mutation_json(mutation: MutationReport, seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 4),
        "mutants": len(mutation.mutants),
        "survived": len(mutation.survivors),
        "without_effect": mutation.without_effect,
        "equivalent": mutation.equivalent,
        "survivors": [
            {
                "kind": m.kind,
                "description": m.description,
                "location": str(m.location),
                "rules": m.rules,
                "cases_run": m.cases_run,
            }
            for m in mutation.survivors
        ],
    }


# --------------------------------------------------------------------------- JUnit


def junit(report: Report) -> str:
    root = ET.Element("testsuites", name="hasura-perm test")
    _junit_suites(root, report, None)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def junit_sources(reports: dict[str, Report]) -> str:
    """Several sources in one JUnit file: each test suite (a file, coverage, mutation) says
    its source in its name (`reports: permissions/tests/reports/x.yaml`) and a property."""
    root = ET.Element("testsuites", name="hasura-perm test")
    for source, report in reports.items():
        _junit_suites(root, report, source)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_suites(root: ET.Element, report: Report, source: str | None) -> None:
    first = len(root)
    by_file: dict[str, list[CaseResult]] = {}
    for result in report.results:
        by_file.setdefault(result.case.file, []).append(result)
    for file, results in by_file.items():
        suite = _suite(root, file, len(results), sum(not r.passed for r in results))
        suite.set("time", f"{sum(r.seconds for r in results):.4f}")
        for result in results:
            case = ET.SubElement(
                suite,
                "testcase",
                name=result.case.name,
                classname=file,
                time=f"{result.seconds:.6f}",
            )
            case.set("file", file)
            case.set("line", str(result.case.location.line))
            if not result.passed:
                tag = (
                    "error" if result.outcome.error and not result.case.expect.error else "failure"
                )
                element = ET.SubElement(case, tag, message=result.problems[0])
                element.text = "\n".join(_failure(result))
    if report.coverage is not None and report.min_coverage is not None:
        _coverage_suite(root, report)
    if report.mutation is not None:
        _mutation_suite(root, report.mutation)
    if source is not None:
        for suite in root[first:]:
            suite.set("name", f"{source}: {suite.get('name')}")
            properties = ET.Element("properties")
            ET.SubElement(properties, "property", name="source", value=source)
            suite.insert(0, properties)


def _suite(root: ET.Element, name: str, tests: int, failures: int) -> ET.Element:
    return ET.SubElement(
        root, "testsuite", name=name, tests=str(tests), failures=str(failures), errors="0"
    )


def _coverage_suite(root: ET.Element, report: Report) -> None:
    assert report.coverage is not None and report.min_coverage is not None
    ok = report.coverage.at_least(report.min_coverage)
    suite = _suite(root, "rule coverage", 1, 0 if ok else 1)
    case = ET.SubElement(
        suite, "testcase", name=f"coverage >= {report.min_coverage:g}%", classname="coverage"
    )
    if not ok:
        element = ET.SubElement(
            case, "failure", message=f"coverage {_floor(report.coverage.percent)}%"
        )
        element.text = "\n".join(_coverage_text(report.coverage, report.min_coverage))


def _mutation_suite(root: ET.Element, mutation: MutationReport) -> None:
    suite = _suite(root, "mutation testing", len(mutation.mutants), len(mutation.survivors))
    for mutant in mutation.mutants:
        case = ET.SubElement(suite, "testcase", name=mutant.description, classname="mutation")
        case.set("file", mutant.location.file)
        case.set("line", str(mutant.location.line))
        if mutant.survived:
            ET.SubElement(case, "failure", message=f"survived: no case notices ({mutant.location})")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))


def _keys(keys: list[Key], case: Case) -> str:
    return ", ".join(show_key(k, case.key) for k in keys)
