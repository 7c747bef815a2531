"""Adversarial harness: many broken inputs, each run through the CLI in this process.

    python benchmarks/hostile_input.py [--seed 1] [--mutations 400] [--keep]

It builds a small valid project in a temporary folder, then, one fresh copy per input:

* broken permission files: every value of every spec file replaced by a value of another
  type, truncations, byte flips, hostile snippets (anchors, tags, NUL, latin-1, deep
  nesting, huge counts), special files (FIFO, dangling and looping links, links out);
* broken metadata trees: the same on metadata/ table files, databases.yaml and
  tables.yaml, plus includes out of metadata/, missing and unreadable files;
* interrupted compiles: Ctrl-C, a full disk or a read-only folder injected at the n-th
  temporary file or rename of a compile that rewrites every table file;
* path attacks: table, schema and source names with `/`, `..` or absolute paths,
  project paths out of the project, links out of metadata/, import of such names.

It prints how many inputs were tried and, over all of them: internal errors (a traceback,
"internal error", or an exit code outside 0-3 and 130), error messages that name no file,
error messages without a line, partial writes (metadata/ neither entirely old nor entirely
new, or temporary files left), writes outside the project, and echoes of a secret canary.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hasura_perm import cli  # noqa: E402

SECRET = "canary-8c1f0e2d9b7a6543"
SCHEMA = {
    "tables": {
        "public.users": {
            "columns": {"id": "integer", "email": "text", "org_id": "integer"},
            "primary_key": ["id"],
        },
        "public.notes": {
            "columns": {
                "id": "integer",
                "title": "text",
                "author_id": "integer",
                "is_deleted": "boolean",
            },
            "primary_key": ["id"],
            "foreign_keys": [
                {
                    "name": "notes_author_id_fkey",
                    "columns": ["author_id"],
                    "references": "public.users",
                    "ref_columns": ["id"],
                }
            ],
        },
        **{f"public.t{i}": {"columns": {"id": "integer", "name": "text"}} for i in range(6)},
    }
}
SPEC = {
    "roles.yaml": {
        "session": {"x-hasura-user-id": {"from": "sub", "type": "integer"}},
        "roles": {"viewer": {}, "editor": {"inherits": "viewer"}},
    },
    "conditions.yaml": {
        "conditions": {
            "not_deleted": {"is_deleted": {"_eq": False}},
            "mine": {"author_id": {"_eq": "x-hasura-user-id"}},
        },
        "column_sets": {"basic": ["id"]},
    },
    "defaults.yaml": {
        "defaults": [
            {
                "tables": "public.*",
                "select": {"viewer": {"columns": ["id"], "filter": {}}},
                "insert": {"editor": {"columns": ["id"], "check": {}}},
            }
        ]
    },
    "tables/notes.yaml": {
        "table": "public.notes",
        "select": {
            "viewer": {
                "columns": "all",
                "filter": {"_and": ["not_deleted", {"author": {"id": {"_gt": 0}}}]},
            }
        },
        "insert": {"editor": "deny"},
        "update": {"editor": {"columns": ["title"], "filter": "mine", "check": "mine"}},
    },
}
NOTES_METADATA = (
    "table:\n  name: notes\n  schema: public\nobject_relationships:\n  - name: author\n"
    "    using:\n      foreign_key_constraint_on: author_id\n"
)
SNIPPETS = [
    "&a x",
    "*a",
    "!!python/object:os.system x",
    "!secret x",
    "\x00",
    "\t",
    "[" * 80,
    "{a: 1, a: 2}",
    "? [a]\n: b",
    "---\nx: 1",
    "'unterminated",
    "%YAML 1.1",
    "12345678901234567890",
    "x-hasura-unknown",
    "_eq",
    "../../etc/passwd",
    "\u202eadmin",
    "admin",
    "!include ../../x",
]
LOCATED = re.compile(r"[^\s:]+:\d+:\d+: ")
NAMED = re.compile(r"[\w./-]*(\.ya?ml|\.json|/)|metadata|permissions|hasura-perm")


@dataclass
class Tally:
    tried: int = 0
    internal: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    unlocated: Counter = field(default_factory=Counter)
    partial: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    codes: Counter = field(default_factory=Counter)


# ------------------------------------------------------------------------- projects


def dump(data: Any) -> str:
    class NoAlias(yaml.SafeDumper):
        def ignore_aliases(self, _data: Any) -> bool:
            return True

    return yaml.dump(data, Dumper=NoAlias, sort_keys=False, allow_unicode=True)


def base_project(folder: Path) -> Path:
    root = folder / "project"
    (root / "permissions" / "tables").mkdir(parents=True)
    (root / "hasura-perm.yaml").write_text("version: 1\n")
    (root / "permissions" / "schema.yaml").write_text(dump(SCHEMA))
    for name, data in SPEC.items():
        (root / "permissions" / name).write_text(dump(data))
    (folder / ".env").write_text(f"HASURA_GRAPHQL_ADMIN_SECRET={SECRET}\n")
    tables = root / "metadata" / "databases" / "default" / "tables"
    tables.mkdir(parents=True)
    (tables / "public_notes.yaml").write_text(NOTES_METADATA)
    (tables / "tables.yaml").write_text('- "!include public_notes.yaml"\n')
    (root / "metadata" / "version.yaml").write_text("version: 3\n")
    (root / "metadata" / "databases" / "databases.yaml").write_text(
        '- name: default\n  kind: postgres\n  tables: "!include default/tables/tables.yaml"\n'
    )
    assert run(["--project", str(root), "compile"])[0] == 0
    return root


def tree(folder: Path) -> dict[str, bytes]:
    out = {}
    for path in sorted(folder.rglob("*")) if folder.exists() else ():
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(folder))] = path.read_bytes()
    return out


def listing(folder: Path, skip: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*") if skip not in p.parents and p != skip}


# ------------------------------------------------------------------------- running


class Hang(Exception):
    pass


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(args)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expire(*_: Any) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def judge(
    tally: Tally,
    label: str,
    base: Path,
    root: Path,
    args: list[str],
    *,
    atomic_only: bool = False,
    new_tree: dict[str, bytes] | None = None,
    allowed_out: Path | None = None,
) -> None:
    """Run one input and record what went wrong; `allowed_out`: the folder the command was
    asked to write (import --out), the one place outside the project it may write."""
    tally.tried += 1
    before, around = tree(root / "metadata"), listing(base, root)
    try:
        with deadline(20):
            code, out, err = run(args)
    except Hang:
        tally.hangs.append(label)
        return
    except BaseException as error:  # noqa: BLE001 - anything escaping is an internal error
        tally.internal.append(f"{label}: escaped {type(error).__name__}")
        return
    tally.codes[code] += 1
    text = out + err
    if "internal error" in err or "Traceback" in text or code not in (0, 1, 2, 3, 130):
        tally.internal.append(f"{label}: exit {code}: {err.strip()[:120]}")
    if code == 1:
        message = err.removeprefix("error:").strip()
        if not NAMED.search(message):
            tally.unnamed.append(f"{label}: {message[:120]}")
        elif not LOCATED.search(message):
            tally.unlocated[_kind(message)] += 1
    after = tree(root / "metadata")
    temps = [p for p in after if p.rsplit("/", 1)[-1].startswith(".")]
    # Atomic: entirely old or entirely new. Otherwise: an error writes nothing at all.
    mixed = after not in (before, new_tree) if atomic_only else (code != 0 and after != before)
    if temps or mixed:
        tally.partial.append(f"{label}: exit {code}, {len(temps)} temporary file(s)")
    escaped = {
        p
        for p in listing(base, root) - around
        if not (allowed_out and p.startswith(str(allowed_out)))
    }
    if escaped:
        tally.outside.append(f"{label}: {sorted(escaped)[:3]}")
    if SECRET in text:
        tally.leaked.append(label)


def _kind(message: str) -> str:
    return re.sub(r"/\S+", "PATH", message.splitlines()[0])[:70]


# ------------------------------------------------------------------------- inputs


def values(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(data, dict):
        for key, child in data.items():
            yield from values(child, (*path, key))
    elif isinstance(data, list):
        for index, child in enumerate(data):
            yield from values(child, (*path, index))


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(data[path[0]], path[1:], value)
    return copy


def text_mutations(text: str, rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    data = text.encode()
    for _ in range(count):
        kind = rng.choice(["truncate", "flip", "snippet", "latin1"])
        if kind == "truncate":
            cut = rng.randrange(len(data))
            yield f"truncate@{cut}", data[:cut]
        elif kind == "flip":
            at = rng.randrange(len(data))
            yield f"flip@{at}", data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        elif kind == "snippet":
            lines = text.splitlines(keepends=True)
            at = rng.randrange(len(lines) + 1)
            snippet = rng.choice(SNIPPETS)
            indent = " " * rng.choice([0, 2, 4, 6])
            yield (
                f"snippet@{at}:{snippet[:12]!r}",
                "".join(lines[:at] + [f"{indent}x: {snippet}\n"] + lines[at:]).encode(),
            )
        else:
            yield "latin1", data + "# café\n".encode("latin-1")


WRONG = [5, "x", [], {}, None, True, "deny", [5], {"_eq": 5}, "all"]


def structural(data: Any) -> Iterator[tuple[str, Any]]:
    for path in values(data):
        for wrong in WRONG:
            yield f"{'/'.join(map(str, path)) or '<root>'}={wrong!r}", replaced(data, path, wrong)


def spec_inputs(rng: random.Random, count: int) -> Iterator[tuple[str, str, bytes]]:
    for name, data in SPEC.items():
        for label, broken in structural(data):
            yield f"spec {name} {label}", f"permissions/{name}", dump(broken).encode()
        for label, broken_text in text_mutations(dump(data), rng, count // len(SPEC)):
            yield f"spec {name} {label}", f"permissions/{name}", broken_text


def metadata_inputs(rng: random.Random, count: int) -> Iterator[tuple[str, str, bytes]]:
    notes = yaml.safe_load(NOTES_METADATA)
    notes["select_permissions"] = [
        {"role": "legacy", "permission": {"columns": ["id"], "filter": {}, "limit": 3}}
    ]
    where = "metadata/databases/default/tables/public_notes.yaml"
    for label, broken in structural(notes):
        yield f"meta notes {label}", where, dump(broken).encode()
    for label, text in text_mutations(dump(notes), rng, count):
        yield f"meta notes {label}", where, text
    databases = "metadata/databases/databases.yaml"
    for label, text in [
        ("empty", b""),
        ("number", b"5\n"),
        ("mapping", b"{}\n"),
        ("tables 5", b"- name: default\n  tables: 5\n"),
        ("include out", b'- name: default\n  tables: "!include ../../../x/tables.yaml"\n'),
        ("include missing", b'- name: default\n  tables: "!include default/tables/nope.yaml"\n'),
        ("anchor", b"- &s {name: default}\n- *s\n"),
    ]:
        yield f"meta databases {label}", databases, text
    listing_file = "metadata/databases/default/tables/tables.yaml"
    for label, text in [
        ("out", b'- "!include ../../../../../x.yaml"\n'),
        ("absolute", b'- "!include /etc/passwd"\n'),
        ("missing", b'- "!include gone.yaml"\n'),
        ("number", b"- 5\n"),
        ("mapping", b"a: 1\n"),
        ("inline bad", b"- table: 5\n"),
        ("nul", b'- "!include public_notes.yaml"\x00\n'),
    ]:
        yield f"meta tables.yaml {label}", listing_file, text


def special_inputs() -> Iterator[tuple[str, Callable[[Path, Path], None]]]:
    def link(target: Callable[[Path, Path], Path], name: str) -> Callable[[Path, Path], None]:
        def make(base: Path, root: Path) -> None:
            path = root / name
            path.unlink(missing_ok=True)
            path.symlink_to(target(base, root))

        return make

    def fifo(name: str) -> Callable[[Path, Path], None]:
        def make(base: Path, root: Path) -> None:
            (root / name).unlink(missing_ok=True)
            os.mkfifo(root / name)

        return make

    for name in (
        "permissions/tables/x.yaml",
        "permissions/extra",
        "metadata/databases/default/tables/public_notes.yaml",
        "permissions/schema.yaml",
    ):
        yield f"dangling link {name}", link(lambda b, r: r / "missing.yaml", name)
        yield f"looping link {name}", link(lambda b, r, n=name: r / n, name)
        yield f"link to .env {name}", link(lambda b, r: b / ".env", name)
        yield f"link to /etc {name}", link(lambda b, r: Path("/etc"), name)
        yield f"fifo {name}", fifo(name)


def path_inputs() -> Iterator[tuple[str, Callable[[Path, Path], None]]]:
    def table(name: str) -> Callable[[Path, Path], None]:
        def make(base: Path, root: Path) -> None:
            schema = yaml.safe_load((root / "permissions/schema.yaml").read_text())
            schema["tables"][name.format(base=base)] = {"columns": {"id": "integer"}}
            (root / "permissions/schema.yaml").write_text(dump(schema))
            rule = {
                "table": name.format(base=base),
                "select": {"viewer": {"columns": ["id"], "filter": {}}},
            }
            (root / "permissions/tables/evil.yaml").write_text(dump(rule))

        return make

    def config(text: str) -> Callable[[Path, Path], None]:
        def make(base: Path, root: Path) -> None:
            (root / "hasura-perm.yaml").write_text(text)

        return make

    def linked_tables(base: Path, root: Path) -> None:
        tables = root / "metadata/databases/default/tables"
        tables.rename(base / "moved")
        tables.symlink_to(base / "moved")

    for name in (
        "{base}/pwn.x",
        "public.a/b",
        "public.a\\b",
        "public.x\x01",
        "public.." + "x" * 70,
    ):
        yield f"table name {name[:20]!r}", table(name)
    for text in (
        "version: 1\nsource: ../../../../x\n",
        "version: 1\nsource: /tmp/x\n",
        "version: 1\nmetadata: ../out\n",
        "version: 1\npermissions: ../..\n",
        "version: 1\nschema: /etc/passwd\n",
        "version: 1\nsource: ..\n",
    ):
        yield f"config {text.splitlines()[1]!r}", config(text)
    yield "tables folder linked out", linked_tables


FAULTS = [
    ("ctrl-c", KeyboardInterrupt),
    ("disk full", lambda: OSError(errno.ENOSPC, "No space left on device")),
    ("read-only", lambda: OSError(errno.EROFS, "Read-only file system")),
    ("denied", lambda: PermissionError(errno.EACCES, "Permission denied")),
]


# ------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--mutations", type=int, default=400, help="random text mutations per family"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--verbose", action="store_true", help="list every finding")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="hasura-perm-hostile-"))
    template = work / "template"
    template.mkdir()
    base_project(template)
    tally, started, counter = Tally(), time.monotonic(), [0]

    def fresh() -> tuple[Path, Path]:
        counter[0] += 1
        base = work / f"case{counter[0]}"
        shutil.copytree(template, base, symlinks=True)
        return base, base / "project"

    def finish(base: Path) -> None:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    families = Counter()
    for family, inputs in (
        ("permission files", spec_inputs(rng, args.mutations)),
        ("metadata trees", metadata_inputs(rng, args.mutations)),
    ):
        for label, relative, content in inputs:
            base, root = fresh()
            (root / relative).write_bytes(content)
            judge(tally, label, base, root, ["--project", str(root), "compile"])
            if family == "metadata trees":
                judge(
                    tally,
                    label + " (lint)",
                    base,
                    root,
                    ["lint", "--metadata", str(root / "metadata")],
                )
                out = base / "imported"
                judge(
                    tally,
                    label + " (import)",
                    base,
                    root,
                    [
                        "import",
                        "--metadata",
                        str(root / "metadata"),
                        "--schema",
                        str(root / "permissions/schema.yaml"),
                        "--out",
                        str(out),
                    ],
                    allowed_out=out,
                )
            families[family] += 1
            finish(base)
    for family, inputs in (("special files", special_inputs()), ("path attacks", path_inputs())):
        for label, make in inputs:
            base, root = fresh()
            make(base, root)
            judge(tally, label, base, root, ["--project", str(root), "compile"])
            families[family] += 1
            finish(base)
    families["interrupted compiles"] = interrupted(tally, fresh, finish)
    report(tally, families, time.monotonic() - started, work if args.keep else None, args.verbose)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def interrupted(
    tally: Tally, fresh: Callable[[], tuple[Path, Path]], finish: Callable[[Path], None]
) -> int:
    """Faults at every temporary file and rename of a compile that rewrites every table file."""
    tried = 0
    for fault_name, fault in FAULTS:
        for call, module in (("mkstemp", tempfile), ("replace", os)):
            for number in range(1, 12):
                base, root = fresh()
                defaults = root / "permissions/defaults.yaml"
                defaults.write_text(
                    defaults.read_text().replace("filter: {}", "filter: {id: {_gt: 0}}")
                )
                new_tree = _compiled_copy(root)
                real, calls = getattr(module, call), [0]

                def failing(
                    *a: Any,
                    _real: Any = real,
                    _n: int = number,
                    _f: Any = fault,
                    _calls: list[int] = calls,
                    **k: Any,
                ) -> Any:
                    _calls[0] += 1
                    if _calls[0] == _n:
                        raise _f()
                    return _real(*a, **k)

                setattr(module, call, failing)
                try:
                    judge(
                        tally,
                        f"{fault_name} at {call} #{number}",
                        base,
                        root,
                        ["--project", str(root), "compile"],
                        atomic_only=True,
                        new_tree=new_tree,
                    )
                finally:
                    setattr(module, call, real)
                tried += 1
                finish(base)
    return tried


def _compiled_copy(root: Path) -> dict[str, bytes]:
    scratch = root.parent / "scratch"
    shutil.copytree(root, scratch, symlinks=True)
    run(["--project", str(scratch), "compile"])
    result = tree(scratch / "metadata")
    shutil.rmtree(scratch)
    return result


def report(
    tally: Tally, families: Counter, seconds: float, kept: Path | None, verbose: bool
) -> None:
    print(
        f"inputs tried: {tally.tried} ({', '.join(f'{n} {k}' for k, n in families.items())}) in {seconds:.0f} s"
    )
    print(f"exit codes: {dict(sorted(tally.codes.items()))}")
    rows = [
        ("internal errors", tally.internal),
        ("hangs (over 20 s)", tally.hangs),
        ("error messages naming no file", tally.unnamed),
        ("partial writes", tally.partial),
        ("writes outside the project", tally.outside),
        ("secret canary echoed", tally.leaked),
    ]
    for title, items in rows:
        print(f"{title}: {len(items)}")
        for item in items[: 5 if not verbose else None]:
            print(f"    {item}")
    print(f"error messages naming a file but no line: {sum(tally.unlocated.values())}")
    for kind, n in tally.unlocated.most_common(8):
        print(f"    {n:4d}  {kind}")
    if kept:
        print(f"inputs kept in {kept}")


if __name__ == "__main__":
    main()
