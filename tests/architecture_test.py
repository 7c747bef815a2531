"""The package map holds: each package imports only from itself and the stages before it,
and no new import cycle appears. docs/architecture.md names every package and module that
exists. A failure here means a new back-edge: move the code to the stage it belongs to
instead of adding an exception."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hasura_perm

PACKAGE = Path(hasura_perm.__file__).parent
DOCS = PACKAGE.parent / "docs" / "architecture.md"
TESTS = PACKAGE.parent / "tests"

# Stages in the order data flows. A module may import from its own package and from any
# package in an earlier stage, never from a later one.
STAGES = [
    ("core", "schemas"),  # schemas/ holds JSON data only
    ("schema",),
    ("spec",),
    ("boolexp",),
    ("metadata",),
    ("compiler",),
    ("remote",),
    ("report",),
    ("cognito",),
    ("permission_tests",),
    ("importer",),
    ("lint",),
    ("review",),
    ("commands",),
    ("cli", "__main__"),
]
# The package's own __init__ (only __version__) counts as core.
ROOT_AS = {"hasura_perm": "core"}

# Known back-edges, each to be removed by issue 14's remaining work. The test fails when
# one disappears, so this list can only shrink.
KNOWN_BACK_EDGES: set[tuple[str, str]] = set()
# Known import cycles between modules (each as a sorted tuple), same rule.
KNOWN_CYCLES: set[tuple[str, ...]] = set()

# Modules without a test module of their own. Module `a.b` is tested in tests/a/b_test.py; a
# package whose __init__.py defines functions or classes (`spec`, `lint`) in tests/spec_test.py.
# The test fails when a listed module gets its test module: this list can only shrink.
WITHOUT_TEST_MODULE = {
    "cognito.pool",
    "cognito.sync",
    "commands",
    "commands._remote",
    "commands.apply",
    "commands.compile",
    "commands.diff",
    "commands.drift",
    "commands.explain",
    "commands.import_",
    "commands.matrix",
    "commands.plan",
    "commands.relationships",
    "commands.test",
    "compiler.exposure",
    "core.graphs",
    "core.inflect",
    "core.md",
    "core.paths",
    "core.reading",
    "core.terminal",
    "core.validate",
    "core.writing",
    "importer.check",
    "importer.config_edit",
    "importer.extract",
    "importer.files",
    "importer.inherit",
    "importer.inherited",
    "importer.naming",
    "importer.patterns",
    "importer.remote_schemas",
    "importer.roundtrip",
    "importer.run",
    "importer.sources",
    "importer.starter",
    "importer.surface",
    "importer.templates",
    "lint",
    "lint.context",
    "lint.report_github",
    "lint.report_json",
    "lint.report_sarif",
    "lint.report_text",
    "lint.rules",
    "lint.rules.action_hides_table",
    "lint.rules.introspection_for_anonymous",
    "lint.rules.new_column_exposed",
    "lint.rules.remote_preset_unemitted",
    "lint.rules.unused_definition",
    "lint.rules.unused_session_variable",
    "metadata.export_format",
    "metadata.export_json",
    "metadata.export_shape",
    "metadata.remote_schema_file",
    "metadata.shape",
    "metadata.surface_files",
    "metadata.surface_reach",
    "permission_tests.actions",
    "permission_tests.cases",
    "permission_tests.coverage",
    "permission_tests.database",
    "permission_tests.engine",
    "permission_tests.judge",
    "permission_tests.mutation",
    "permission_tests.outcome",
    "permission_tests.relations",
    "permission_tests.render",
    "remote.bulk",
    "remote.surface_changes",
    "report.common",
    "review.diff_report",
    "review.explain_action",
    "review.explain_remote",
    "review.matrix_html",
    "review.matrix_text",
    "review.merged",
    "review.revisions",
    "review.rules",
    "review.sqlformat",
    "review.surface_matrix",
    "schema.files",
    "schema.migrations",
    "schema.pgtypes",
    "schema.replay",
    "schema.snapshot",
    "schema.triggers",
    "spec",
    "spec.by_source",
    "spec.remote_schemas",
    "spec.surface",
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts) or "hasura_perm"] = path
    return found


def _imported(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of hasura_perm that `module` imports anywhere (top level or in a function)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name == "hasura_perm" or name.startswith("hasura_perm."):
                short = name.removeprefix("hasura_perm").lstrip(".") or "hasura_perm"
                if short in known and short != module:
                    out.add(short)
    return out


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {module: _imported(module, path, known) for module, path in known.items()}


def stage_of(module: str) -> int:
    top = ROOT_AS.get(module, module.split(".")[0])
    for index, names in enumerate(STAGES):
        if top in names:
            return index
    raise AssertionError(
        f"package {top!r} is in no stage: add it to STAGES and docs/architecture.md"
    )


def back_edges(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if stage_of(target) > stage_of(module)
    }


def cycles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = set()
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.add(tuple(sorted(component)))
    return found


def test_every_package_has_a_stage() -> None:
    for module in modules():
        stage_of(module)


def test_imports_go_only_to_earlier_stages() -> None:
    edges = back_edges(import_graph())
    assert edges - KNOWN_BACK_EDGES == set(), "imports from a later stage"
    assert KNOWN_BACK_EDGES - edges == set(), "fixed: remove from KNOWN_BACK_EDGES"


def test_no_new_import_cycles() -> None:
    found = cycles(import_graph())
    assert found - KNOWN_CYCLES == set(), "new import cycle"
    assert KNOWN_CYCLES - found == set(), "fixed: remove from KNOWN_CYCLES"


def test_core_imports_nothing_above_it() -> None:
    graph = import_graph()
    for module, targets in graph.items():
        if stage_of(module) == 0:
            assert {t for t in targets if stage_of(t) != 0} == set(), module


def test_the_checker_sees_a_back_edge_and_a_cycle() -> None:
    graph = {"core.a": {"spec.b"}, "spec.b": {"core.a"}}
    assert back_edges(graph) == {("core.a", "spec.b")}
    assert cycles(graph) == {("core.a", "spec.b")}


def test_architecture_doc_names_every_package_and_only_real_modules() -> None:
    text = DOCS.read_text()
    packages = {name for name, path in modules().items() if path.name == "__init__.py"}
    for package in packages - {"hasura_perm", "schemas"}:
        assert f"`{package.replace('.', '/')}/`" in text, (
            f"docs/architecture.md does not mention {package}/"
        )
    known = modules()
    for name in re.findall(r"`([a-z_]+(?:/[a-z_]+)*)\.py`", text):
        if name.startswith("tests/"):
            continue
        assert name.removesuffix("/__init__").replace("/", ".") in known, (
            f"docs/architecture.md names {name}.py, which does not exist"
        )


def mirror_of(module: str) -> Path:
    """Where the tests of `module` live: the package tree mirrored under tests/."""
    *folders, name = module.split(".")
    return TESTS.joinpath(*folders, f"{name}_test.py")


def _has_code(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for node in tree.body
    )


def modules_to_test() -> set[str]:
    """Every module, and every package whose __init__.py has code of its own; not the
    package root (its version) nor __main__ (it calls cli.main)."""
    return {
        module
        for module, path in modules().items()
        if module not in ("hasura_perm", "__main__")
        and (path.name != "__init__.py" or _has_code(path))
    }


def test_every_module_has_a_test_module() -> None:
    missing = {m for m in modules_to_test() if not mirror_of(m).is_file()}
    new = sorted(missing - WITHOUT_TEST_MODULE)
    assert new == [], f"no test module for {new}: write {[str(mirror_of(m)) for m in new]}"
    done = sorted(WITHOUT_TEST_MODULE - missing)
    assert done == [], f"{done} have a test module (or are gone): remove from WITHOUT_TEST_MODULE"


def test_test_modules_mirror_the_package_paths() -> None:
    assert mirror_of("spec.project") == TESTS / "spec" / "project_test.py"
    assert mirror_of("cognito.handler.pre_token") == (
        TESTS / "cognito" / "handler" / "pre_token_test.py"
    )
    assert mirror_of("spec") == TESTS / "spec_test.py"  # spec/__init__.py
    assert "spec" in modules_to_test() and "schemas" not in modules_to_test()
