"""Read `permissions/`: every YAML file, validated, gathered into one `Spec`.

A file is either a table file (it has `table:`) or a definitions file holding any of
`session`, `roles`, `conditions`, `column_sets`, `presets`, `defaults`, `actions`,
`remote_schemas` and `cognito`. Definitions
may be split across files; a name defined twice is an error naming both places.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import NamedTuple

from hasura_perm.core import located_cache as parse_cache
from hasura_perm.core import validate
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import Location
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.core.reading import shown_path
from hasura_perm.core.reading import yaml_files
from hasura_perm.core.yaml_source import Document

ACTIONS = ("insert", "select", "update", "delete")  # Hasura's export order
NAMED_SECTIONS = {
    "session": "session variable",
    "roles": "role",
    "conditions": "condition",
    "column_sets": "column set",
    "presets": "preset",
    "actions": "actions entry",  # Hasura actions: name or pattern -> role -> grant (surface/)
    "remote_schemas": "remote schema entry",  # name -> role -> role-based schema (SDL)
    "functions": "functions entry",  # tracked functions: name or pattern -> role -> grant
}


class Node(NamedTuple):
    """A value from a spec file with the document and path it sits at.

    A NamedTuple rather than a frozen dataclass: compile makes some 200,000 of them at a
    thousand tables, and a frozen dataclass's __init__ took a tenth of compile."""

    value: Any
    doc: Document
    path: tuple[Any, ...]

    @property
    def location(self) -> Location:
        return self.doc.locate(self.path)

    def child(self, *keys: Any) -> Node:
        value = self[0]
        for key in keys:
            value = value[key]
        # tuple.__new__ directly: the generated __new__ was a third of this call's cost
        return _new_node(Node, (value, self[1], self[2] + keys))


_new_node = tuple.__new__


@dataclass
class Spec:
    session: dict[str, Node] = field(default_factory=dict)  # lower-cased name -> definition
    roles: dict[str, Node] = field(default_factory=dict)
    conditions: dict[str, Node] = field(default_factory=dict)
    column_sets: dict[str, Node] = field(default_factory=dict)
    presets: dict[str, Node] = field(default_factory=dict)
    defaults: list[Node] = field(default_factory=list)
    tables: dict[TableName, Node] = field(default_factory=dict)  # the table file's root
    files: list[str] = field(default_factory=list)
    cognito: Node | None = None  # the `cognito:` section (hasura_perm/cognito), at most one
    actions: dict[str, Node] = field(default_factory=dict)  # action name or pattern -> roles
    remote_schemas: dict[str, Node] = field(default_factory=dict)  # remote schema -> roles
    functions: dict[str, Node] = field(default_factory=dict)  # `schema.name` or pattern -> roles
    functions_any_source: set[str] = field(default_factory=set)  # keys without `source:`


def spec_files(permissions_dir: Path, skip: set[Path], root: Path | None = None) -> list[Path]:
    """Every YAML file under permissions/, except permission tests and the snapshot.

    Anything under permissions/ that cannot be read is an error naming it, never skipped:
    a table file left out would hand its table to the defaults."""
    if not permissions_dir.is_dir():
        raise HasuraPermError(
            f"permissions folder {permissions_dir} does not exist; create it or set "
            "`permissions:` in hasura-perm.yaml"
        )
    root = root or permissions_dir
    return yaml_files(
        permissions_dir,
        root,
        lambda p: shown_path(p, root),
        skip=skip,
        skip_dirs={permissions_dir / "tests"},
    )


def load_spec(permissions_dir: Path, root: Path, skip: set[Path] | None = None) -> Spec:
    """Load and validate every spec file; raise SpecError listing all problems found."""
    spec = Spec()
    problems: list[Diagnostic] = []
    try:
        paths = spec_files(permissions_dir, {p.resolve() for p in skip or ()}, root)
    except SpecError as e:
        paths, problems = [], list(e.problems)
    for path in paths:
        display = shown_path(path, root)
        try:
            doc = parse_cache.load_file(path, display, root=root)
        except SpecError as e:
            problems.extend(e.problems)
            continue
        spec.files.append(display)
        if doc.data is None:
            continue  # an empty file is harmless
        file_problems = _count_problems(doc) or validate.check(doc, "permissions")
        if file_problems:
            problems.extend(file_problems)
            continue
        _gather(spec, doc, problems)
    for section in ("roles", "session"):
        defined, limit = list(getattr(spec, section).values()), LIMITS[section]
        if len(defined) > limit:
            label = NAMED_SECTIONS[section]
            problems.append(
                Diagnostic(
                    defined[limit].location,
                    f"more than {limit} {label}s across all files; the limit is {limit}",
                )
            )
    if problems:
        raise SpecError(problems)
    return spec


# More than any real project has, few enough that compile stays fast; checked before the
# (slower) schema validation so a huge file fails at once.
LIMITS = {"roles": 1_000, "session": 1_000, "defaults": 1_000}


def _count_problems(doc: Document) -> list[Diagnostic]:
    if not isinstance(doc.data, dict):
        return []
    problems = []
    for section, limit in LIMITS.items():
        value = doc.data.get(section)
        if isinstance(value, dict | list) and len(value) > limit:
            problems.append(
                Diagnostic(
                    doc.locate((section,)),
                    f"`{section}` has {len(value)} entries; the limit is {limit}",
                )
            )
    return problems


def _gather(spec: Spec, doc: Document, problems: list[Diagnostic]) -> None:
    root = Node(doc.data, doc, ())
    if "table" in doc.data:
        name = TableName.parse(doc.data["table"])
        if name in spec.tables:
            first = spec.tables[name].location
            problems.append(
                Diagnostic(root.child("table").location, f"{name} already has a file: {first}")
            )
        spec.tables[name] = root
        return
    for section in NAMED_SECTIONS:
        target: dict[str, Node] = getattr(spec, section)
        for name in doc.data.get(section, {}):
            node = root.child(section, name)
            key = name.lower() if section == "session" else name
            if key in target:
                where = target[key].location
                label = NAMED_SECTIONS[section]
                problems.append(
                    Diagnostic(node.location, f"{label} `{name}` is already defined at {where}")
                )
            target[key] = node
    for index in range(len(doc.data.get("defaults", []))):
        spec.defaults.append(root.child("defaults", index))
    if "cognito" in doc.data:
        node = root.child("cognito")
        if spec.cognito is not None:
            where = spec.cognito.location
            problems.append(Diagnostic(node.location, f"`cognito:` is already defined at {where}"))
        spec.cognito = node
