"""The permissions of one source, in a project with several Hasura sources (databases).

Roles, session variables, conditions, column sets and presets are shared: Hasura's roles
are global. Table files and defaults belong to sources:

- `table: timetables:route.direction` names the source; a name without `source:` means
  the one source whose snapshot has the table, and is an error when several have it.
- A default pattern `main:route.*` applies in that source only; a pattern without
  `source:` applies in every source, and is an error only when it matches no table in any.

A project with one source reads exactly as before: `source:` prefixes, if used, must name
that source.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.core.validate import did_you_mean
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.spec import Node
from hasura_perm.spec import Spec
from hasura_perm.spec import load_spec
from hasura_perm.spec.project import Project
from hasura_perm.spec.resolve import pattern_regex

SEPARATOR = ":"


def split_source(text: str) -> tuple[str | None, str]:
    """`source:schema.table` -> (source, `schema.table`); no prefix -> (None, text)."""
    source, found, rest = text.partition(SEPARATOR)
    return (source, rest) if found else (None, text)


def qualified(source: str, table: TableName, several: bool) -> str:
    """How a table is shown to the user: with its source when the project has several."""
    return f"{source}{SEPARATOR}{table}" if several else str(table)


def snapshot_files(project: Project) -> set[Path]:
    """Every snapshot file: none of them is a permissions file."""
    return {project.schema_file, *project.sources.values()}


def load_project_spec(project: Project) -> Spec:
    """The spec of `project.source`: load_spec, then only that source's tables and defaults."""
    spec = load_spec(project.permissions_dir, project.root, skip=snapshot_files(project))
    if not project.several_sources and not _prefixed(spec):
        return spec  # one source, as it always was
    snapshots = _snapshots(project) if project.several_sources else {}
    problems: list[Diagnostic] = []
    view = Spec(
        session=spec.session,
        roles=spec.roles,
        conditions=spec.conditions,
        column_sets=spec.column_sets,
        presets=spec.presets,
        files=spec.files,
        cognito=spec.cognito,
        actions=spec.actions,  # actions belong to no source
        remote_schemas=spec.remote_schemas,  # nor do remote schemas
    )
    view.functions, view.functions_any_source = _functions(spec, project, problems)
    view.tables = _tables(spec, project, snapshots, problems)
    view.defaults = _defaults(spec, project, snapshots, problems)
    if problems:
        raise SpecError(problems)
    return view


def _functions(
    spec: Spec, project: Project, problems: list[Diagnostic]
) -> tuple[dict[str, Node], set[str]]:
    """This source's `functions:` entries: `source:` prefixes taken off, entries without one
    kept in every source (then a name that matches no function here is no error)."""
    mine: dict[str, Node] = {}
    anywhere: set[str] = set()
    for key, node in spec.functions.items():
        source, rest = split_source(key)
        if source is not None and source not in project.sources:
            if project.source == next(iter(project.sources)):  # reported once
                problems.append(Diagnostic(node.location, _unknown_source(source, project)))
            continue
        if source is None and project.several_sources:
            anywhere.add(rest)
        if source in (None, project.source):
            mine[rest] = node
    return mine, anywhere


def _prefixed(spec: Spec) -> bool:
    names = [str(n.value["table"]) for n in spec.tables.values()] + list(spec.functions)
    for node in spec.defaults:
        names += _patterns(node.value.get("tables")) + _patterns(node.value.get("except"))
    return any(SEPARATOR in name for name in names)


def _snapshots(project: Project) -> dict[str, Snapshot]:
    return {
        name: load_snapshot(path, project.relative(path), root=project.root)
        for name, path in project.sources.items()
    }


def _tables(
    spec: Spec,
    project: Project,
    snapshots: dict[str, Snapshot],
    problems: list[Diagnostic],
) -> dict[TableName, Node]:
    tables: dict[TableName, Node] = {}
    for node in spec.tables.values():
        where = node.child("table").location
        source, rest = split_source(str(node.value["table"]))
        name = TableName.parse(rest)
        if source is not None and source not in project.sources:
            problems.append(Diagnostic(where, _unknown_source(source, project)))
            continue
        owner = source if source is not None else _owner(name, project, snapshots, where, problems)
        if owner != project.source:
            continue
        if snapshots and name not in snapshots[owner].tables:
            # Reported here, with every source's tables to suggest, by the one view that
            # owns the name (the primary one when no source has it).
            problems.append(Diagnostic(where, _missing(source, name, snapshots)))
            continue
        if name in tables:
            problems.append(
                Diagnostic(where, f"{name} already has a file: {tables[name].location}")
            )
        tables[name] = node
    return tables


def _owner(
    name: TableName,
    project: Project,
    snapshots: dict[str, Snapshot],
    where: Location,
    problems: list[Diagnostic],
) -> str | None:
    """The source a name without `source:` means; None when it is ambiguous (an error)."""
    if not project.several_sources:
        return project.source
    holders = [source for source, snapshot in snapshots.items() if name in snapshot.tables]
    if len(holders) > 1:
        choices = " or ".join(f"`{s}{SEPARATOR}{name}`" for s in holders)
        problems.append(
            Diagnostic(
                where, f"{name} is in the sources {', '.join(holders)}; say which: {choices}"
            )
        )
        return None
    # A table no snapshot has is reported once, by the primary source's view.
    return holders[0] if holders else next(iter(project.sources))


def _missing(source: str | None, name: TableName, snapshots: dict[str, Snapshot]) -> str:
    """`table ... is not in ... snapshot`, suggesting the closest table of any source: with
    its source when the user wrote one or when several sources have that name."""
    if source is not None:
        options = [f"{s}{SEPARATOR}{t}" for s, snap in snapshots.items() for t in snap.tables]
        hint = did_you_mean(f"{source}{SEPARATOR}{name}", options)
        return f"table {source}{SEPARATOR}{name} is not in the schema snapshot of source {source}{hint}"
    holders: dict[str, list[str]] = {}
    for s, snapshot in snapshots.items():
        for table in snapshot.tables:
            holders.setdefault(str(table), []).append(s)
    close = difflib.get_close_matches(str(name), list(holders), n=1, cutoff=0.6)
    hint = ""
    if close:
        shown = close[0] if len(holders[close[0]]) == 1 else None
        choices = [f"`{s}{SEPARATOR}{close[0]}`" for s in holders[close[0]]]
        hint = f"; did you mean `{shown}`?" if shown else f"; did you mean {' or '.join(choices)}?"
    return f"table {name} is not in any source's schema snapshot{hint}"


def _defaults(
    spec: Spec,
    project: Project,
    snapshots: dict[str, Snapshot],
    problems: list[Diagnostic],
) -> list[Node]:
    kept = []
    for node in spec.defaults:
        tables = _own(node.value.get("tables"), node, "tables", project, problems)
        if not tables:
            continue
        value = dict(node.value, tables=tables)
        if "except" in node.value:
            value["except"] = _own(node.value["except"], node, "except", project, problems)
        if project.several_sources and not _matches_anywhere(node, snapshots, project, problems):
            continue
        if project.several_sources and not _matches(
            tables, value.get("except"), snapshots[project.source]
        ):
            continue  # applies in other sources only
        kept.append(Node(value, node.doc, node.path))
    return kept


def _own(
    patterns: Any,
    node: Node,
    key: str,
    project: Project,
    problems: list[Diagnostic],
) -> list[str]:
    """The patterns that apply in `project.source`, without their `source:`."""
    out = []
    for pattern in _patterns(patterns):
        source, rest = split_source(pattern)
        if source is not None and source not in project.sources:
            problems.append(Diagnostic(node.child(key).location, _unknown_source(source, project)))
        elif source is None or source == project.source:
            out.append(rest)
    return out


def _matches_anywhere(
    node: Node,
    snapshots: dict[str, Snapshot],
    project: Project,
    problems: list[Diagnostic],
) -> bool:
    """Across every source; reported once, by the primary source's view."""
    for source, snapshot in snapshots.items():
        per_source = [
            rest
            for s, rest in map(split_source, _patterns(node.value.get("tables")))
            if s in (None, source)
        ]
        excepts = [
            rest
            for s, rest in map(split_source, _patterns(node.value.get("except")))
            if s in (None, source)
        ]
        if _matches(per_source, excepts, snapshot):
            return True
    if project.source == next(iter(project.sources)):
        problems.append(
            Diagnostic(
                node.child("tables").location,
                "this pattern matches no table in any source's schema snapshot",
            )
        )
    return False


def _matches(patterns: list[str], excepts: Any, snapshot: Snapshot) -> bool:
    include = [pattern_regex(p) for p in patterns]
    exclude = [pattern_regex(p) for p in _patterns(excepts)]
    for table in snapshot.tables:
        text = str(table)
        if any(p.fullmatch(text) for p in include) and not any(p.fullmatch(text) for p in exclude):
            return True
    return False


def _patterns(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _unknown_source(source: str, project: Project) -> str:
    known = ", ".join(project.sources)
    return f"unknown source `{source}` (the project's sources: {known})"
