"""hasura-perm.yaml: where the project's files are and which Hasura servers it talks to."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hasura_perm.core import located_cache
from hasura_perm.core import validate
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.core.paths import file_name_problem
from hasura_perm.core.paths import is_inside
from hasura_perm.core.yaml_source import Document

CONFIG_NAME = "hasura-perm.yaml"
DEFAULT_SCHEMA = "permissions/schema.yaml"


@dataclass(frozen=True)
class Environment:
    name: str
    endpoint: str
    admin_secret_env: str  # the NAME of the variable holding the secret, never the secret
    insecure: bool = False
    timeout: float = 30.0
    settings: dict[str, Any] = field(default_factory=dict)  # keys added by later features


@dataclass(frozen=True)
class Project:
    root: Path
    permissions_dir: Path
    metadata_dir: Path
    schema_file: Path
    source: str
    environments: dict[str, Environment]
    schema_sql: Path | None = None  # tests.schema_sql: creates the schema for permission tests
    # tests.boolean_null_collapse: the server runs with HASURA_GRAPHQL_V1_BOOLEAN_NULL_COLLAPSE
    boolean_null_collapse: bool = False
    # Every source the project manages -> its schema snapshot, the primary source first.
    # One entry (`source` -> `schema`) unless hasura-perm.yaml has `sources:`.
    sources: dict[str, Path] = field(default_factory=dict)
    extensions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per source
    source_schema_sql: dict[str, Path] = field(default_factory=dict)  # sources.NAME.schema_sql

    def __post_init__(self) -> None:
        if not self.sources:
            object.__setattr__(self, "sources", {self.source: self.schema_file})

    @property
    def several_sources(self) -> bool:
        return len(self.sources) > 1

    def for_source(self, name: str) -> Project:
        """This project seen from one source: its `source` and `schema_file` are that one's."""
        if name not in self.sources:
            known = ", ".join(self.sources)
            raise HasuraPermError(f"unknown source {name!r} (the project's sources: {known})")
        primary = name == next(iter(self.sources))
        schema_sql = self.source_schema_sql.get(name) or (self.schema_sql if primary else None)
        return dataclasses.replace(
            self, source=name, schema_file=self.sources[name], schema_sql=schema_sql
        )

    def each_source(self) -> list[Project]:
        return [self.for_source(name) for name in self.sources]

    def relative(self, path: Path) -> str:
        """A path as the user sees it: relative to the project root when inside it."""
        # Lexically first, so a link keeps its own name in messages; resolving (a system call
        # per part of the path) only when that fails.
        for candidate, base in _candidates(path, self.root):
            try:
                return str(candidate.relative_to(base))
            except ValueError:
                continue
        return str(path)

    def environment(self, name: str) -> Environment:
        if name not in self.environments:
            known = ", ".join(sorted(self.environments)) or "none are defined"
            raise HasuraPermError(
                f"unknown environment {name!r} (known: {known}); "
                f"add it under `environments:` in {CONFIG_NAME}"
            )
        return self.environments[name]


def find_root(start: Path) -> Path:
    """The nearest folder, from `start` upwards, that holds hasura-perm.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise HasuraPermError(
        f"no {CONFIG_NAME} found in {start} or any parent folder; run from inside a "
        "hasura-perm project or pass --project DIR, or start one here with `hasura-perm init`"
    )


def _candidates(path: Path, root: Path) -> Iterator[tuple[Path, Path]]:
    yield path, root
    yield path.absolute(), root.resolve()


def load_project(project_dir: str | Path | None = None) -> Project:
    root = Path(project_dir).resolve() if project_dir else find_root(Path.cwd())
    config_path = root / CONFIG_NAME
    if not config_path.is_file():
        raise HasuraPermError(
            f"{config_path} does not exist; start a project there with "
            f"`hasura-perm --project {project_dir} init`, or pass another --project DIR"
        )
    doc = located_cache.load_file(config_path, CONFIG_NAME)
    if doc.data is None:
        doc.data, doc.digest = {}, None  # no longer what the digest says
    data = doc.data
    problems = validate.check(doc, "project") or _path_problems(root, doc)
    if problems:
        raise SpecError(problems)
    sources = _sources(root, data, doc)
    primary = next(iter(sources)) if sources else data.get("source", "default")
    return Project(
        root=root,
        permissions_dir=root / data.get("permissions", "permissions"),
        metadata_dir=root / data.get("metadata", "metadata"),
        schema_file=sources[primary] if sources else root / data.get("schema", DEFAULT_SCHEMA),
        source=primary,
        environments={
            name: _environment(name, env) for name, env in data.get("environments", {}).items()
        },
        schema_sql=_schema_sql(root, data),
        boolean_null_collapse=bool((data.get("tests") or {}).get("boolean_null_collapse")),
        sources=sources,
        extensions={
            name: tuple((settings or {}).get("extensions") or ())
            for name, settings in (data.get("sources") or {}).items()
        },
        source_schema_sql={
            name: root / settings["schema_sql"]
            for name, settings in (data.get("sources") or {}).items()
            if (settings or {}).get("schema_sql")
        },
    )


def _path_problems(root: Path, doc: Document) -> list[Diagnostic]:
    """Folders and files the project names must lie inside it; the source name becomes a
    folder under metadata/databases/."""
    problems = []
    for key in ("permissions", "metadata", "schema"):
        value = doc.data.get(key)
        if value is not None and not is_inside(root / value, root):
            problems.append(
                Diagnostic(
                    doc.locate((key,)),
                    f"`{key}: {value}` points outside the project folder; give a path inside it",
                )
            )
    source = doc.data.get("source")
    if source is not None:
        problem = file_name_problem(source, "source", identifier=False)
        if problem:
            problems.append(Diagnostic(doc.locate(("source",)), problem))
    for name, settings in (doc.data.get("sources") or {}).items():
        problem = file_name_problem(name, "source", identifier=False)
        if problem:
            problems.append(Diagnostic(doc.locate(("sources", name)), problem))
        for key in ("schema", "schema_sql"):
            value = (settings or {}).get(key)
            if value is not None and not is_inside(root / value, root):
                problems.append(
                    Diagnostic(
                        doc.locate(("sources", name, key)),
                        f"`{key}: {value}` points outside the project folder; give a path "
                        "inside it",
                    )
                )
    return problems


def _sources(root: Path, data: dict[str, Any], doc: Any) -> dict[str, Path]:
    """`sources:` -> name -> snapshot path; empty for a one-source project."""
    if "sources" not in data:
        return {}
    clash = [key for key in ("source", "schema") if key in data]
    if clash:
        raise SpecError(
            [
                Diagnostic(
                    doc.locate((clash[0],)),
                    f"`{clash[0]}` and `sources` cannot both be set; with several sources, "
                    "each one's snapshot is `sources: {NAME: {schema: FILE}}`",
                )
            ]
        )
    return {
        name: root / ((settings or {}).get("schema") or f"permissions/schema.{name}.yaml")
        for name, settings in data["sources"].items()
    }


def _schema_sql(root: Path, data: dict[str, Any]) -> Path | None:
    relative = (data.get("tests") or {}).get("schema_sql")
    return root / relative if relative else None


def _environment(name: str, env: dict[str, Any]) -> Environment:
    known = {"endpoint", "admin_secret_env", "insecure", "timeout"}
    return Environment(
        name=name,
        endpoint=env["endpoint"].rstrip("/"),
        admin_secret_env=env["admin_secret_env"],
        insecure=env.get("insecure", False),
        timeout=float(env.get("timeout", 30.0)),
        settings={k: v for k, v in env.items() if k not in known},
    )
