"""The scripts of a Hasura migrations folder, per source, in the order Hasura applies them.

Layouts, as the Hasura CLI writes them:
- config v3: `migrations/<source>/<version>_<name>/up.sql` (and/or `up.yaml`);
- config v2: `migrations/<version>_<name>/up.sql` or `up.yaml`, for the one source;
- CLI 1.0: flat files `migrations/<version>_<name>.up.sql` / `.up.yaml`.
`up.yaml` is a list of metadata steps; only `run_sql` steps (also inside `bulk`) touch the
database. A folder with neither file (a readme, down-only) adds nothing. Versions run in
numeric order, as Hasura sorts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hasura_perm.core.errors import HasuraPermError

_VERSION = re.compile(r"^(\d+)_")
_FLAT = re.compile(r"^(\d+)_.*\.up\.(sql|yaml)$")


@dataclass(frozen=True)
class Script:
    display: str  # the file as shown in messages (plus the run_sql step of an up.yaml)
    text: str
    line_offset: int = 0  # lines before the script's first line in its file


def find_migrations(folder: Path, default_source: str, root: Path) -> dict[str, list[Script]]:
    """source -> its scripts in order. Version folders directly in `folder` belong to
    `default_source`; any other sub-folder is a source of its own (config v3)."""
    if not folder.is_dir():
        raise HasuraPermError(f"migrations folder {_shown(folder, root)} does not exist")
    found: dict[str, list[Script]] = {}
    direct = _versions(folder, root)
    if direct:
        found[default_source] = direct
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not _VERSION.match(p.name)):
        found[sub.name] = _versions(sub, root)
    if not any(found.values()):
        raise HasuraPermError(
            f"no migrations in {_shown(folder, root)}: expected <version>_<name>/up.sql "
            "folders, or one folder per source holding them"
        )
    return found


def _versions(folder: Path, root: Path) -> list[Script]:
    entries: list[tuple[int, str, Path]] = []
    for path in folder.iterdir():
        if path.is_dir() and (match := _VERSION.match(path.name)):
            for name in ("up.yaml", "up.sql"):  # the CLI runs the metadata steps first
                if (path / name).is_file():
                    entries.append((int(match.group(1)), path.name + "/" + name, path / name))
        elif path.is_file() and (match := _FLAT.match(path.name)):
            order = "0" if path.name.endswith(".yaml") else "1"
            entries.append((int(match.group(1)), order + path.name, path))
    scripts: list[Script] = []
    for _version, _key, path in sorted(entries):
        scripts += _scripts_of(path, root)
    return scripts


def _scripts_of(path: Path, root: Path) -> list[Script]:
    shown = _shown(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HasuraPermError(f"cannot read {shown}: {exc}") from None
    if path.suffix == ".sql":
        return [Script(shown, text)]
    return _run_sql_steps(text, shown)


def _run_sql_steps(text: str, shown: str) -> list[Script]:
    try:
        steps = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HasuraPermError(f"{shown}: not valid YAML: {exc}") from None
    if steps is None:
        return []
    if not isinstance(steps, list):
        raise HasuraPermError(f"{shown}: expected a list of migration steps")
    scripts: list[Script] = []
    for number, sql in enumerate(_sql_of(steps, shown), start=1):
        scripts.append(Script(f"{shown} (run_sql step {number})", sql))
    return scripts


def _sql_of(steps: list[Any], shown: str) -> list[str]:
    found = []
    for step in steps:
        if not isinstance(step, dict):
            raise HasuraPermError(f"{shown}: a migration step is not a mapping: {step!r:.80}")
        args = step.get("args")
        if step.get("type") == "bulk" and isinstance(args, list):
            found += _sql_of(args, shown)
        elif step.get("type") == "run_sql":
            sql = args.get("sql") if isinstance(args, dict) else None
            if not isinstance(sql, str):
                raise HasuraPermError(f"{shown}: a run_sql step without `args.sql` text")
            found.append(sql)
    return found


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
