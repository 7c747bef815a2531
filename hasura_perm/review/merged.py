"""The compiled project as one permission set, for the review commands (matrix, explain,
diff). With several sources, every source is compiled on its own and the results are
merged under source-qualified table names: `timetables:route.direction` is
TableName("timetables:route", "direction"), so it prints as the user writes it."""

from __future__ import annotations

import dataclasses

from hasura_perm.cognito.loader import checked_build
from hasura_perm.cognito.loader import checked_build_all
from hasura_perm.compiler.build import Build
from hasura_perm.compiler.build import all_files
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.names import TableName
from hasura_perm.review.rules import SpecIndex
from hasura_perm.schema.catalog import Catalog
from hasura_perm.schema.catalog import Relationship
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec import Spec
from hasura_perm.spec.project import Project
from hasura_perm.spec.surface import qualified_functions


def compile_project(project: Project) -> tuple[Build, SpecIndex]:
    """The merged build and the index of the rules behind it."""
    if not project.several_sources:
        result = checked_build(project)
        return result, SpecIndex.of(result)
    builds = checked_build_all(project)
    catalog = Catalog(Snapshot({}))
    spec = Spec()
    for result in builds:
        index = SpecIndex.of(result)
        _merge_catalog(catalog, index.catalog, result.metadata.source)
        _merge_spec(spec, index.spec, result.metadata.source)
    return _merged(builds), SpecIndex(spec, catalog)


def as_source(result: Build, index: SpecIndex, source: str) -> tuple[Build, SpecIndex]:
    """A one-source compile with its tables named `source:schema.table`, to set beside a
    compile of several sources (diff between a revision with one source and one with more)."""
    catalog = Catalog(Snapshot({}))
    spec = Spec()
    _merge_catalog(catalog, index.catalog, source)
    _merge_spec(spec, index.spec, source)
    return _merged([result], [source]), SpecIndex(spec, catalog)


def merged_build(project: Project) -> Build:
    """The compile of every source as one Build (tables qualified when there are several)."""
    return (
        _merged(checked_build_all(project)) if project.several_sources else checked_build(project)
    )


def _merged(builds: list[Build], sources: list[str] | None = None) -> Build:
    compiled = Compiled(tables=[], roles=builds[0].compiled.roles)
    names = sources or [one.metadata.source for one in builds]
    for one, source in zip(builds, names, strict=True):
        _merge_compiled(compiled, one.compiled, source)
    compiled.tables.sort()
    # actions and introspection belong to no source: every build compiles the same surface;
    # functions belong to theirs
    compiled.surface = qualified_functions(
        [(source, one.compiled.surface) for one, source in zip(builds, names, strict=True)]
    )
    warnings = [w for b in builds for w in b.warnings]
    return Build(
        compiled,
        builds[0].metadata,
        all_files(builds),
        warnings,
        surface_files=builds[0].surface_files,
    )


def qualify(source: str, table: TableName) -> TableName:
    return table.in_source(source)


def _merge_compiled(into: Compiled, one: Compiled, source: str) -> None:
    into.tables += [qualify(source, t) for t in one.tables]
    into.session_used |= one.session_used
    for permission in one.permissions.in_source(source):
        into.permissions.add(permission)


def _merge_catalog(into: Catalog, one: Catalog, source: str) -> None:
    for name, table in one.snapshot.tables.items():
        keys = tuple(
            dataclasses.replace(fk, references=qualify(source, fk.references))
            for fk in table.foreign_keys
        )
        into.snapshot.tables[qualify(source, name)] = dataclasses.replace(
            table, name=qualify(source, name), foreign_keys=keys
        )
    for name, relationships in one.relationships.items():
        into.relationships[qualify(source, name)] = {
            key: Relationship(r.name, r.kind, qualify(source, r.target) if r.target else None)
            for key, r in relationships.items()
        }
    for name, fields in one.computed_fields.items():
        into.computed_fields[qualify(source, name)] = set(fields)


def _merge_spec(into: Spec, one: Spec, source: str) -> None:
    for section in ("session", "roles", "conditions", "column_sets", "presets", "actions"):
        getattr(into, section).update(getattr(one, section))
    into.cognito = into.cognito or one.cognito
    into.files = into.files or one.files
    for name, node in one.tables.items():
        into.tables[qualify(source, name)] = node
    # A default applying in several sources is one rule (one location) for the index.
    known = {d.location for d in into.defaults}
    into.defaults += [d for d in one.defaults if d.location not in known]
