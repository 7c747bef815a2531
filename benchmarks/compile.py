"""Benchmark `hasura-perm compile` on a synthetic project against a YAML-only floor.

    python benchmarks/compile.py [--tables 1000] [--repeat 5] [--budget 30] [--profile 25]

It generates a project (schema snapshot, ten roles with inheritance, session variables,
conditions, column sets, presets, defaults with patterns, one table file per table with
rules on all four actions) and a tracked-but-unpermissioned metadata/ directory
(relationships only, as `hasura metadata export` leaves a freshly tracked database).
Then, in rounds that alternate the two so that machine load hits both alike:

* compile: load_project + build + stale_files + write_files, as `hasura-perm compile`
  does; into pristine metadata/ (every table file is written), then again as a no-op
  recompile (nothing is written);
* the floor: the same input files loaded with yaml.CSafeLoader, the same output data
  dumped with yaml.CDumper and written (or, for the no-op, compared with the files on
  disk): the cost of the same I/O with stock C-accelerated PyYAML.

Figures are the best round; the goals are compile/floor at most 1.0x for a first
compile and 0.5x for a no-op. A per-stage breakdown
(exclusive times, from the same runs) says where compile spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

# Measure the checkout this script is in, not whichever copy the virtualenv installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hasura_perm.compiler.build  # noqa: E402
import hasura_perm.core.located_cache  # noqa: E402
import hasura_perm.core.validate  # noqa: E402
import hasura_perm.schema.snapshot  # noqa: E402
import hasura_perm.spec  # noqa: E402
import hasura_perm.spec.project  # noqa: E402
from hasura_perm.cli import fewer_collections  # noqa: E402
from hasura_perm.compiler.build import build  # noqa: E402
from hasura_perm.core import cache_store  # noqa: E402
from hasura_perm.core import yamlfmt  # noqa: E402
from hasura_perm.core.errors import SpecError  # noqa: E402
from hasura_perm.core.parse_cache import ENV as CACHE_ENV  # noqa: E402
from hasura_perm.metadata.directory import stale_files  # noqa: E402
from hasura_perm.metadata.directory import write_files  # noqa: E402
from hasura_perm.spec.project import load_project  # noqa: E402

GOALS = {"first": 1.0, "no-op": 0.5}  # compile/floor, issue 18
CASES = (
    ("first", "compile first", "first compile (writes all)"),
    ("no-op", "compile no-op", "no-op recompile"),
    ("no-op", "compile no-op cold", "  ... nothing cached"),
)

# --------------------------------------------------------------------------- generation

SCHEMAS = ("public", "public", "sales", "ops", "hr", "billing")
NOUNS = (
    "orders", "invoices", "projects", "tasks", "tickets", "shipments", "contracts",
    "assets", "documents", "payments", "visits", "reports", "campaigns", "devices",
)  # fmt: skip
AUDIT = {
    "created_at": "timestamp with time zone",
    "created_by": "integer",
    "updated_at": "timestamp with time zone",
    "updated_by": "integer",
}
OPTIONAL_COLUMNS = {
    "team_id": "integer",
    "amount": "numeric",
    "quantity": "integer",
    "data": "jsonb",
    "tags": "text[]",
    "notes": "text",
    "due_date": "date",
    "region": "text",
    "internal_cost": "numeric",
    "secret_note": "text",
    "priority": "smallint",
    "parent_id": "integer",
}
ORGS, USERS, TEAMS = "core.organizations", "core.users", "core.teams"

DEFINITIONS: dict[str, Any] = {
    "session": {
        "x-hasura-user-id": {"from": "custom:user_db_id", "type": "integer"},
        "x-hasura-org-id": {"from": "custom:org_id", "type": "integer"},
        "x-hasura-team-ids": {"from": "custom:team_ids", "type": "integer[]"},
        "x-hasura-region": {"from": "custom:region", "type": "text"},
    },
    "roles": {
        "anonymous": {"description": "not signed in"},
        "user": {"description": "any signed-in person"},
        "customer": {"inherits": "user"},
        "staff": {"inherits": "user", "cognito_groups": ["staff"]},
        "support": {"inherits": "staff"},
        "manager": {"inherits": "staff"},
        "accountant": {"inherits": "staff"},
        "auditor": {"description": "reads everything but HR"},
        "app_admin": {"inherits": ["manager", "accountant"]},
        "service": {"description": "backend jobs"},
    },
    "conditions": {
        "same_org": {"org_id": {"_eq": "X-Hasura-Org-Id"}},
        "own": {"owner_id": {"_eq": "X-Hasura-User-Id"}},
        "not_deleted": {"is_deleted": {"_eq": False}},
        "active_org": {"org": {"is_active": {"_eq": True}}},
        "visible": {"_and": ["same_org", "not_deleted", "active_org"]},
        "own_or_published": {"_or": ["own", {"status": {"_in": ["published", "archived"]}}]},
        "in_team": {"team_id": {"_in": "X-Hasura-Team-Ids"}},
        "region_match": {"org": {"region": {"_eq": "X-Hasura-Region"}}},
        "owner_active": {"owner": {"is_active": {"_eq": True}}},
        "org_has_team": {
            "_exists": {"_table": TEAMS, "_where": {"org_id": {"_eq": "X-Hasura-Org-Id"}}}
        },
    },
    "column_sets": {
        "audit": list(AUDIT),
        "keys": ["org_id", "owner_id"],
        "sensitive": ["internal_cost", "secret_note"],
    },
    "presets": {
        "stamp_create": {
            "created_by": "X-Hasura-User-Id",
            "owner_id": "X-Hasura-User-Id",
            "org_id": "X-Hasura-Org-Id",
        },
        "stamp_update": {"updated_by": "X-Hasura-User-Id"},
    },
    "defaults": [
        {
            "tables": "*",
            "description": "back office and jobs",
            "select": {
                "auditor": {"columns": "all", "filter": {}, "allow_aggregations": True},
                "app_admin": {"columns": "all", "filter": {}, "allow_aggregations": True},
            },
            "insert": {
                "app_admin": {"columns": "all", "check": {}},
                "service": {"columns": "all", "check": {}, "backend_only": True},
            },
            "update": {
                "app_admin": {"columns": "all", "filter": {}, "check": {}},
                "service": {"columns": "all", "filter": {}, "backend_only": True},
            },
            "delete": {"app_admin": {"filter": {}}},
        },
        {"tables": "hr.*", "select": {"auditor": "deny"}},
        {
            "tables": ["ops.*", "billing.*"],
            "except": ["billing.invoices_*"],
            "select": {
                "support": {
                    "columns": {"all_except": ["audit", "sensitive"]},
                    "filter": "visible",
                    "comment": "support sees live rows of active organisations",
                }
            },
        },
    ],
}


@dataclass(frozen=True)
class GenTable:
    name: str  # schema.table
    columns: dict[str, str]
    parent: str | None  # the table parent_id points at


def core_tables() -> list[GenTable]:
    return [
        GenTable(
            ORGS,
            {"id": "integer", "name": "text", "region": "text", "is_active": "boolean", **AUDIT},
            None,
        ),
        GenTable(
            USERS,
            {
                "id": "integer",
                "org_id": "integer",
                "email": "text",
                "name": "text",
                "is_active": "boolean",
                "is_deleted": "boolean",
                **AUDIT,
            },
            None,
        ),
        GenTable(TEAMS, {"id": "integer", "org_id": "integer", "name": "text", **AUDIT}, None),
    ]


def generated_tables(count: int, rng: random.Random) -> list[GenTable]:
    tables = core_tables()
    by_schema: dict[str, list[str]] = defaultdict(list)
    for i in range(1, max(count - len(tables), 0) + 1):
        schema = SCHEMAS[i % len(SCHEMAS)]
        name = f"{schema}.{NOUNS[i % len(NOUNS)]}_{i:04d}"
        extras = rng.sample(sorted(OPTIONAL_COLUMNS), rng.randint(2, 5))
        parent = (
            rng.choice(by_schema[schema]) if "parent_id" in extras and by_schema[schema] else None
        )
        columns = {"id": "integer", "org_id": "integer", "owner_id": "integer", "name": "text"}
        columns |= {"status": "text", "is_deleted": "boolean"}
        columns |= {c: OPTIONAL_COLUMNS[c] for c in sorted(extras) if c != "parent_id" or parent}
        tables.append(GenTable(name, columns | AUDIT, parent))
        by_schema[schema].append(name)
    return tables


def foreign_keys(table: GenTable) -> list[dict[str, Any]]:
    targets = {"org_id": ORGS, "owner_id": USERS, "team_id": TEAMS, "parent_id": table.parent}
    return [
        {"name": f"{table.name.split('.')[1]}_{column}_fkey", "columns": [column],
         "references": target, "ref_columns": ["id"]}
        for column, target in targets.items()
        if column in table.columns and target and table.name != target
    ]  # fmt: skip


def snapshot_data(tables: list[GenTable]) -> dict[str, Any]:
    return {
        "version": 1,
        "tables": {
            t.name: {
                "columns": t.columns,
                "nullable": [c for c in t.columns if c not in ("id", "org_id", "is_deleted")],
                "primary_key": ["id"],
                "foreign_keys": foreign_keys(t),
            }
            for t in tables
        },
    }


def relationship_names(table: GenTable) -> dict[str, str]:
    """Object relationship name -> FK column, as the Hasura console would suggest."""
    names = {"org_id": "org", "owner_id": "owner", "team_id": "team", "parent_id": "parent"}
    fk_columns = {fk["columns"][0] for fk in foreign_keys(table)}
    return {names[c]: c for c in names if c in fk_columns}


def core_rules(table: GenTable) -> dict[str, Any]:
    if table.name == ORGS:
        org_filter = {"id": {"_eq": "X-Hasura-Org-Id"}}
        return {"select": {"user": {"columns": ["id", "name", "region"], "filter": org_filter}}}
    if table.name == USERS:
        return {
            "select": {
                "user": {"columns": ["id", "name", "email"], "filter": "same_org"},
                "anonymous": "deny",
            },
            "update": {
                "user": {
                    "columns": ["name"],
                    "filter": {"id": {"_eq": "X-Hasura-User-Id"}},
                    "check": {},
                    "set": "stamp_update",
                }
            },
        }
    return {
        "select": {"user": {"columns": "all", "filter": {"_and": ["same_org", "org_has_team"]}}}
    }


def select_rules(table: GenTable, rng: random.Random) -> dict[str, Any]:
    cols = table.columns
    rules: dict[str, Any] = {
        "user": {
            "columns": {"all_except": ["audit", "sensitive"]},
            "filter": rng.choice(["visible", {"_and": ["same_org", "own_or_published"]}]),
        },
        "customer": {
            "columns": ["id", "name", "status", *(["amount"] if "amount" in cols else [])],
            "filter": {"_and": ["own", "not_deleted", "owner_active"]},
            "limit": 100,
        },
        "manager": {
            "columns": "all",
            "filter": "same_org",
            "allow_aggregations": True,
            "query_root_fields": ["select", "select_by_pk", "select_aggregate"],
        },
    }
    staff_or = ["own", *(["in_team"] if "team_id" in cols else []), "region_match"]
    rules["staff"] = {
        "columns": {"all_except": ["sensitive"]},
        "filter": {"_and": ["same_org", "not_deleted", {"_or": staff_or}]},
        "allow_aggregations": rng.random() < 0.5,
    }
    if table.parent:
        parent_same_org = {"parent": {"org_id": {"_ceq": ["$", "org_id"]}, "is_deleted": False}}
        rules["support"] = {"columns": ["id", "name", "status"], "filter": parent_same_org}
    if "amount" in cols:
        money = {"_and": ["same_org", {"amount": {"_gt": 0}}]}
        rules["accountant"] = {"columns": ["id", "amount", "status", "keys"], "filter": money}
    if table.name.startswith("public.") and rng.random() < 0.7:
        rules["anonymous"] = {"columns": ["id", "name"], "filter": {"status": {"_eq": "published"}}}
    return rules


def write_rules(table: GenTable, rng: random.Random) -> dict[str, Any]:
    cols = table.columns
    editable = ["name", "status", *(c for c in ("notes", "due_date", "tags") if c in cols)]
    rules: dict[str, Any] = {
        "insert": {
            "user": {
                "columns": {"all_except": ["id", "audit", "keys", "sensitive"]},
                "check": {"_and": ["same_org", "own"]},
                "set": "stamp_create",
            },
            "staff": {
                "columns": {"all_except": ["id", "audit", "keys"]},
                "check": "same_org",
                "set": ["stamp_create", {"status": "draft"}],
            },
            "customer": "deny" if rng.random() < 0.5 else {"columns": ["name"], "check": "own"},
            "support": "deny",
        },
        "update": {
            "user": {
                "columns": editable,
                "filter": {"_and": ["own", "not_deleted"]},
                "check": "own",
                "set": "stamp_update",
            },
            "manager": {
                "columns": {"all_except": ["id", "keys", "audit"]},
                "filter": "same_org",
                "check": "same_org",
                "set": "stamp_update",
                "comment": "managers edit everything in their organisation",
            },
            "customer": "deny",
        },
        "delete": {
            "manager": {"filter": {"_and": ["same_org", {"status": {"_in": ["draft", "void"]}}]}},
            "support": "deny",
            "customer": "deny",
        },
    }
    if "data" in cols:
        rules["update"]["staff"] = {
            "columns": ["data", "status"],
            "filter": {"_and": ["same_org", {"data": {"_has_key": "editable"}}]},
        }
    if rng.random() < 0.5:
        rules["delete"]["user"] = {"filter": {"_and": ["own", {"is_deleted": {"_eq": True}}]}}
    return rules


def table_file(table: GenTable, rng: random.Random) -> dict[str, Any]:
    if table.name.startswith("core."):
        return {"table": table.name, **core_rules(table)}
    body = {"select": select_rules(table, rng), **write_rules(table, rng)}
    return {"table": table.name, "description": f"synthetic table {table.name}", **body}


def metadata_entry(table: GenTable) -> dict[str, Any]:
    schema, name = table.name.split(".")
    entry: dict[str, Any] = {"table": {"name": name, "schema": schema}}
    relationships = [
        {"name": rel, "using": {"foreign_key_constraint_on": column}}
        for rel, column in sorted(relationship_names(table).items())
    ]
    if relationships:
        entry["object_relationships"] = relationships
    return entry


class _NoAliasDumper(yaml.CDumper):
    # The spec loader refuses anchors and aliases, and the definitions share objects.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, default_flow_style=None)
    path.write_text(text, encoding="utf-8")


def write_pristine_metadata(metadata: Path, tables: list[GenTable]) -> None:
    tables_dir = metadata / "databases" / "default" / "tables"
    tables_dir.mkdir(parents=True)
    (metadata / "version.yaml").write_text(yamlfmt.dump({"version": 3}), encoding="utf-8")
    source = {
        "name": "default",
        "kind": "postgres",
        "configuration": {"connection_info": {"database_url": {"from_env": "DATABASE_URL"}}},
        "tables": yamlfmt.include("default/tables/tables.yaml"),
    }
    (metadata / "databases" / "databases.yaml").write_text(yamlfmt.dump([source]), "utf-8")
    names = []
    for table in sorted(tables, key=lambda t: tuple(t.name.split("."))):
        file_name = table.name.replace(".", "_") + ".yaml"
        (tables_dir / file_name).write_text(yamlfmt.dump(metadata_entry(table)), "utf-8")
        names.append(file_name)
    (tables_dir / "tables.yaml").write_text(yamlfmt.dump_include_list(names), "utf-8")


def generate_project(root: Path, table_count: int, seed: int = 1) -> Path:
    """Write the project under root/project and pristine metadata under root/pristine."""
    rng = random.Random(seed)
    tables = generated_tables(table_count, rng)
    project = root / "project"
    project.mkdir(parents=True)
    (project / "hasura-perm.yaml").write_text("version: 1\n", encoding="utf-8")
    write_yaml(project / "permissions" / "schema.yaml", snapshot_data(tables))
    write_yaml(project / "permissions" / "roles.yaml", DEFINITIONS)
    for table in tables:
        schema, name = table.name.split(".")
        write_yaml(
            project / "permissions" / "tables" / schema / f"{name}.yaml", table_file(table, rng)
        )
    write_pristine_metadata(root / "pristine", tables)
    return project


# --------------------------------------------------------------------------- measuring


def empty_cache(folder: Path) -> None:
    cache_store.forget()  # an open connection would keep the deleted file's entries
    shutil.rmtree(folder, ignore_errors=True)


def reset_metadata(root: Path) -> None:
    metadata = root / "project" / "metadata"
    shutil.rmtree(metadata, ignore_errors=True)
    shutil.copytree(root / "pristine", metadata)


def run_compile(project_dir: Path) -> int:
    """What `hasura-perm compile` does; returns the number of files written."""
    project = load_project(project_dir)
    result = build(project)
    stale = stale_files(result.files)
    write_files(stale)
    cache_store.flush_all()  # what the CLI does at exit
    return len(stale)


def input_files(project_dir: Path, metadata: Path) -> list[Path]:
    """Every file compile reads: config, permissions/, and the metadata it merges into."""
    return [
        project_dir / "hasura-perm.yaml",
        *sorted((project_dir / "permissions").rglob("*.yaml")),
        metadata / "databases" / "databases.yaml",
        *sorted((metadata / "databases" / "default" / "tables").glob("*.yaml")),
    ]


def read_outputs(project_dir: Path, written: list[Path]) -> dict[Path, Any]:
    """The data of the files a compile wrote (relative path -> parsed content)."""
    return {
        path.relative_to(project_dir): yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
        for path in written
    }


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CDumper, sort_keys=False, allow_unicode=True)


def floor_write(inputs: list[Path], outputs: dict[Path, Any], out_dir: Path) -> dict[str, float]:
    """Load every input, dump every output and write it; returns the parts' times."""
    start = time.perf_counter()
    for path in inputs:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    loaded = time.perf_counter()
    texts = {out_dir / relative: _dump(data) for relative, data in outputs.items()}
    dumped = time.perf_counter()
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    end = time.perf_counter()
    return {"load": loaded - start, "dump": dumped - loaded, "write": end - dumped}


def floor_compare(inputs: list[Path], outputs: dict[Path, Any], out_dir: Path) -> dict[str, float]:
    """The no-op floor: load, dump, and compare with the files floor_write left."""
    start = time.perf_counter()
    for path in inputs:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    loaded = time.perf_counter()
    texts = {out_dir / relative: _dump(data) for relative, data in outputs.items()}
    dumped = time.perf_counter()
    stale = [path for path, text in texts.items() if path.read_text(encoding="utf-8") != text]
    end = time.perf_counter()
    assert not stale, "the floor's no-op compare found differences"
    return {"load": loaded - start, "dump": dumped - loaded, "compare": end - dumped}


# --------------------------------------------------------------------------- breakdown

STAGES = (
    "parse YAML (spec, snapshot, config)",
    "validate (JSON Schema)",
    "snapshot -> tables",
    "read metadata/",
    "compile (resolve + boolexp)",
    "merge into table entries",
    "dump YAML",
    "compare with disk",
    "write files",
    "other",
)
INPUT_STAGES, OUTPUT_STAGES = STAGES[:5], STAGES[5:9]
# (module, attribute, stage): every call through that name is charged to the stage,
# minus the time of instrumented calls nested inside it.
INSTRUMENTED = (
    (hasura_perm.core.located_cache, "load_file", STAGES[0]),
    (hasura_perm.core.validate, "check", STAGES[1]),
    (hasura_perm.schema.snapshot, "snapshot_from_data", STAGES[2]),
    (hasura_perm.compiler.build, "read_metadata", STAGES[3]),
    (hasura_perm.compiler.build, "compile_spec", STAGES[4]),
    (hasura_perm.compiler.build, "merge_permissions", STAGES[5]),
    (yamlfmt, "dump", STAGES[6]),
)


class StageClock:
    """Exclusive time per stage: a nested instrumented call is not counted twice."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.nested: list[float] = []

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def clocked(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            self.nested.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                self.totals[stage] += elapsed - self.nested.pop()
                if self.nested:
                    self.nested[-1] += elapsed

        return clocked


@contextmanager
def instrumented(clock: StageClock) -> Iterator[None]:
    """Route the pipeline's stage functions through the clock (a few thousand calls,
    microseconds of overhead in total), and restore them afterwards. A function the
    pipeline no longer has is skipped: its time then shows under "other"."""
    present = [(m, name, stage) for m, name, stage in INSTRUMENTED if hasattr(m, name)]
    originals = [(module, name, getattr(module, name)) for module, name, _ in present]
    try:
        for (module, name, stage), (_, _, fn) in zip(present, originals, strict=True):
            setattr(module, name, clock.wrap(stage, fn))
        yield
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)


def staged_compile(project_dir: Path) -> tuple[list[Path], dict[str, float]]:
    """run_compile, with the exclusive time of each stage; returns (files written, stages)."""
    clock = StageClock()
    start = time.perf_counter()
    with instrumented(clock):
        result = build(load_project(project_dir))
        stale = clock.wrap(STAGES[7], stale_files)(result.files)
        clock.wrap(STAGES[8], write_files)(stale)
        cache_store.flush_all()  # what the CLI does at exit (counted under "other")
    clock.totals[STAGES[9]] = time.perf_counter() - start - sum(clock.totals.values())
    return list(stale), dict(clock.totals)


# --------------------------------------------------------------------------- rounds


@dataclass
class Runs:
    """Repeated measurements of one thing: total seconds and its parts, per run."""

    parts: list[dict[str, float]] = field(default_factory=list)

    def add(self, parts: dict[str, float]) -> None:
        self.parts.append(parts)

    @property
    def totals(self) -> list[float]:
        return [sum(p.values()) for p in self.parts]

    @property
    def best(self) -> float:
        return min(self.totals)

    @property
    def median(self) -> float:
        return statistics.median(self.totals)

    @property
    def best_parts(self) -> dict[str, float]:
        return self.parts[self.totals.index(self.best)]


@contextmanager
def quiet_heap() -> Iterator[None]:
    # The benchmark keeps the expected output alive; freezing it keeps the garbage
    # collector from re-scanning it during a run, as a fresh CLI process would not. Both
    # sides run with the collector settings `hasura-perm` runs with (cli.fewer_collections).
    gc.collect()
    gc.freeze()
    try:
        with fewer_collections():
            yield
    finally:
        gc.unfreeze()


class Rounds:
    """Compile and floor, alternately, so load from other processes hits both alike."""

    def __init__(self, root: Path) -> None:
        self.root, self.project, self.floor_dir = root, root / "project", root / "floor"
        self.cache = root / "cache"  # hasura-perm's cache, this benchmark's own
        self.outputs: dict[Path, Any] = {}  # learnt from the first compile
        self.results = {
            name: Runs()
            for name in (
                "compile first",
                "floor first",
                "compile no-op",
                "compile no-op cold",
                "floor no-op",
            )
        }

    def run(self, repeat: int, budget: float) -> None:
        """Up to `repeat` rounds; no new round when it would end after `budget` seconds."""
        start = time.perf_counter()
        for done in range(1, repeat + 1):
            round_start = time.perf_counter()
            self.one_round()
            now = time.perf_counter()
            if done < repeat and (now - start) + (now - round_start) > budget:
                print(f"(stopping after {done} of {repeat} rounds: --budget {budget:g} s)")
                break

    def one_round(self) -> None:
        """A first compile with nothing cached; the no-op recompile a pre-commit hook runs
        next (with what the first compile cached); the same no-op with nothing cached (a CI
        job that keeps no cache); the floors between them."""
        reset_metadata(self.root)
        empty_cache(self.cache)
        written = self.timed_compile("compile first")
        if not self.outputs:
            self.outputs = read_outputs(self.project, written)
        if len(written) != len(self.outputs):
            raise RuntimeError(
                f"a first compile wrote {len(written)} files, not {len(self.outputs)}"
            )
        shutil.rmtree(self.floor_dir, ignore_errors=True)
        pristine_inputs = input_files(self.project, self.root / "pristine")
        with quiet_heap():
            self.results["floor first"].add(
                floor_write(pristine_inputs, self.outputs, self.floor_dir)
            )
        written = self.timed_compile("compile no-op")
        if written:
            raise RuntimeError(f"the no-op recompile wrote {len(written)} files, expected none")
        compiled_inputs = input_files(self.project, self.project / "metadata")
        with quiet_heap():
            self.results["floor no-op"].add(
                floor_compare(compiled_inputs, self.outputs, self.floor_dir)
            )
        empty_cache(self.cache)
        if self.timed_compile("compile no-op cold"):
            raise RuntimeError("the cold no-op recompile wrote files, expected none")

    def timed_compile(self, name: str) -> list[Path]:
        with quiet_heap():
            written, stages = staged_compile(self.project)
        self.results[name].add(stages)
        return written


def fresh_process_compile(root: Path) -> float:
    """Wall time of `python -m hasura_perm compile` into pristine metadata: what a user
    waits for, including interpreter start, imports and cold caches."""
    reset_metadata(root)
    command = [sys.executable, "-m", "hasura_perm", "--project", str(root / "project"), "compile"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def print_profile(root: Path, top: int) -> None:
    reset_metadata(root)
    empty_cache(root / "cache")
    profiler = cProfile.Profile()
    with quiet_heap():
        profiler.runcall(run_compile, root / "project")
    print(f"\ncProfile of one first compile (nothing cached), top {top} functions by own time:")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)


# --------------------------------------------------------------------------- report


def ms(value: float) -> str:
    return f"{value * 1000:7.0f} ms"


def print_figures(results: dict[str, Runs]) -> None:
    count = len(results["compile first"].parts)
    rounds = f"best of {count} rounds (median in parentheses)" if count > 1 else "one round"
    print(f"\n{rounds}")
    print(f"{'':27}{'compile':>22}{'floor':>22}{'compile/floor':>15}")
    for case, name, label in CASES:
        compiled, floor = results[name], results[f"floor {case}"]
        ratio = compiled.best / floor.best
        goal = GOALS[case]
        verdict = "ok" if ratio <= goal else f"over the {goal:g}x goal"
        print(
            f"{label:27}{ms(compiled.best)} ({ms(compiled.median)}){ms(floor.best)} "
            f"({ms(floor.median)}){ratio:7.2f}x  {verdict}"
        )
    for case in ("first", "no-op"):
        parts = ", ".join(
            f"{k} {v * 1000:.0f} ms" for k, v in results[f"floor {case}"].best_parts.items()
        )
        print(f"  floor {case}: {parts}")
    print(
        "  by side, compile/floor (input: read+check+compile vs load; output: the rest vs dump+write):"
    )
    for case in ("first", "no-op"):
        compiled = results[f"compile {case}"].best_parts
        floor = results[f"floor {case}"].best_parts
        floor_in = floor["load"]
        floor_out = sum(floor.values()) - floor_in
        ours_in = sum(compiled.get(stage, 0.0) for stage in INPUT_STAGES)
        ours_out = sum(compiled.get(stage, 0.0) for stage in OUTPUT_STAGES)
        print(
            f"    {case:6} input {ms(ours_in)} / {ms(floor_in)} = {ours_in / floor_in:5.2f}x;"
            f"  output {ms(ours_out)} / {ms(floor_out)} = {ours_out / floor_out:5.2f}x"
        )


def print_breakdown(runs: dict[str, dict[str, float]]) -> None:
    print("\ncompile by stage (best run; exclusive times):")
    print(f"{'':38}" + "".join(f"{name:>16}" for name in runs))
    for stage in STAGES:
        cells = "".join(
            f"{ms(parts.get(stage, 0.0))} {parts.get(stage, 0.0) / sum(parts.values()):5.0%}"
            for parts in runs.values()
        )
        print(f"  {stage:36}{cells}")
    print(f"  {'total':36}" + "".join(f"{ms(sum(p.values()))}       " for p in runs.values()))


def describe_project(project_dir: Path, outputs: dict[Path, Any]) -> str:
    spec = list((project_dir / "permissions").rglob("*.yaml"))
    permissions = sum(
        len(entry.get(key) or [])
        for entry in outputs.values()
        if isinstance(entry, dict)
        for key in (
            "insert_permissions",
            "select_permissions",
            "update_permissions",
            "delete_permissions",
        )
    )
    spec_bytes = sum(p.stat().st_size for p in spec)
    out_bytes = sum((project_dir / relative).stat().st_size for relative in outputs)
    return (
        f"input: {len(spec)} files under permissions/ ({spec_bytes / 1e6:.1f} MB); output: "
        f"{len(outputs)} table files (~{out_bytes / 1e6:.1f} MB), {permissions} permissions"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tables", type=int, default=1000, help="tables to generate (default 1000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds; figures are the best (default 5)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="start no round that would end after this many seconds (default 30); one always runs",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="also print cProfile's top N functions"
    )
    parser.add_argument(
        "--cli", action="store_true", help="also time one compile through the CLI in a new process"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args(argv)
    if args.tables < 10 or args.repeat < 1:
        parser.error("--tables must be at least 10 and --repeat at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="hasura-perm-bench-"))
    os.environ[CACHE_ENV] = str(root / "cache")
    try:
        benchmark(root, args)
        return 0
    except SpecError as error:
        print(
            f"the generated project does not compile (a benchmark bug):\n{error}", file=sys.stderr
        )
        return 1
    finally:
        if args.keep:
            print(f"\nproject kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def benchmark(root: Path, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    for module, name, stage in INSTRUMENTED:
        if not hasattr(module, name):
            print(f"note: {module.__name__}.{name} is gone; `{stage}` is counted under other")
    project_dir = generate_project(root, args.tables, args.seed)
    print(f"generated {args.tables} tables in {time.perf_counter() - started:.1f} s")
    rounds = Rounds(root)
    rounds.run(args.repeat, args.budget)
    print(describe_project(project_dir, rounds.outputs))
    print_figures(rounds.results)
    if args.cli:
        seconds = fresh_process_compile(root)
        print(f"  first compile as `python -m hasura_perm compile` (fresh process): {ms(seconds)}")
    print_breakdown(
        {
            "first compile": rounds.results["compile first"].best_parts,
            "no-op": rounds.results["compile no-op"].best_parts,
            "no-op, cold": rounds.results["compile no-op cold"].best_parts,
        }
    )
    if args.profile:
        print_profile(root, args.profile)
    print(f"\nbenchmark took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
