"""The project as it is at a git revision, compiled.

No worktree and no checkout: the files the project needs (hasura-perm.yaml, then the
permissions folder, metadata folder and schema snapshot it names) are read out of the
revision with `git show` / `git archive` into a temporary folder and compiled there.
Compiling is pure, so nothing else (no database, no server) is needed.
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from hasura_perm.compiler.build import Build
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.review.merged import as_source
from hasura_perm.review.merged import compile_project
from hasura_perm.review.rules import RuleSource
from hasura_perm.review.rules import SpecIndex
from hasura_perm.spec.project import CONFIG_NAME
from hasura_perm.spec.project import Project
from hasura_perm.spec.project import load_project

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Revision:
    label: str  # as the user named it ("main", "HEAD~1"), or "working tree"
    commit: str | None  # the full commit id; None for the working tree

    def __str__(self) -> str:
        return f"{self.label} ({self.commit[:10]})" if self.commit else self.label

    def to_json(self) -> dict[str, str | None]:
        return {"ref": self.label, "commit": self.commit}


@dataclass
class CompiledRevision:
    """One side of a diff. `build` is None when the revision holds no hasura-perm project."""

    revision: Revision
    project: Project | None
    build: Build | None
    index: SpecIndex | None

    @property
    def permissions(self) -> PermissionSet:
        return self.build.compiled.permissions if self.build else PermissionSet()

    def permission(self, table: TableName, action: str, role: str) -> Permission | None:
        return self.build.compiled.get(table, action, role) if self.build else None

    def source(self, table: TableName, action: str, role: str) -> RuleSource | None:
        permission = self.permission(table, action, role)
        if permission is None or self.index is None:
            return None
        return self.index.source(permission)

    def condition_definition(self, name: str) -> object:
        if self.index is None or name not in self.index.spec.conditions:
            return None
        return self.index.spec.conditions[name].value


def aligned(
    base: CompiledRevision, head: CompiledRevision
) -> tuple[CompiledRevision, CompiledRevision]:
    """The two sides with the same table names when one has a single source and the other
    several (a project that added, or dropped, its second source): the single source's tables
    are named as the other side names them, in the source of the same name, else in its
    primary source, so the same table is the same thing on both sides."""
    several = [s for s in (base, head) if s.project is not None and s.project.several_sources]
    if len(several) != 1 or several[0].project is None:
        return base, head
    other = head if several[0] is base else base
    if other.project is None or other.build is None or other.index is None:
        return base, head
    sources = several[0].project.sources
    source = other.project.source if other.project.source in sources else next(iter(sources))
    build, index = as_source(other.build, other.index, source)
    moved = dataclasses.replace(other, build=build, index=index)
    return (moved, head) if other is base else (base, moved)


def compile_working_tree(project: Project) -> CompiledRevision:
    return _compiled(Revision(WORKING_TREE, None), project)


def compile_revision(
    project: Project, ref: str, scratch: Path, label: str | None = None
) -> CompiledRevision:
    """The project at git revision `ref` (any name git understands), compiled; its files are
    written under `scratch`, which the caller removes."""
    repo = repository_root(project.root)
    commit = resolve_commit(repo, ref)
    revision = Revision(label or ref, commit)
    root = export_project(repo, project.root, commit, scratch)
    if root is None:
        return CompiledRevision(revision, None, None, None)
    return _compiled(revision, load_project(root))


def _compiled(revision: Revision, project: Project) -> CompiledRevision:
    try:
        result, index = compile_project(project)
    except HasuraPermError as error:
        raise HasuraPermError(
            f"the project at {revision} does not compile; fix it or compare other revisions:\n"
            f"{error}"
        ) from None
    return CompiledRevision(revision, project, result, index)


# ---------------------------------------------------------------- git


def git(repo: Path, *args: str) -> bytes:
    """Run git in `repo` and return its output; a failure becomes a HasuraPermError."""
    try:
        done = subprocess.run(
            ["git", "--literal-pathspecs", "-C", str(repo), *args],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise HasuraPermError("git is not installed; `diff` reads revisions with git") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        raise HasuraPermError(f"git {' '.join(args[:2])} failed: {message}")
    return done.stdout


def repository_root(path: Path) -> Path:
    try:
        out = git(path, "rev-parse", "--show-toplevel")
    except HasuraPermError:
        raise HasuraPermError(
            f"{path} is not inside a git repository; `diff` compares git revisions of the project"
        ) from None
    return Path(out.decode().strip()).resolve()


def resolve_commit(repo: Path, ref: str) -> str:
    if ref.startswith("-"):
        raise HasuraPermError(f"{ref!r} is not a git revision")
    try:
        out = git(repo, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    except HasuraPermError:
        raise HasuraPermError(
            f"unknown git revision {ref!r}; give a branch, tag or commit that exists here "
            "(in CI, fetch it first: actions/checkout with fetch-depth: 0)"
        ) from None
    return out.decode().strip()


def merge_base(repo: Path, a: str, b: str) -> str:
    try:
        return git(repo, "merge-base", a, b).decode().strip()
    except HasuraPermError:
        raise HasuraPermError(
            f"{a[:10]} and {b[:10]} have no common ancestor; compare without --merge-base"
        ) from None


def export_project(repo: Path, project_root: Path, commit: str, dest: Path) -> Path | None:
    """Write the project's files at `commit` into `dest`; return the project root there, or
    None when the commit has no hasura-perm.yaml at that place."""
    prefix = _relative(project_root.resolve(), repo)
    config = _join(prefix, CONFIG_NAME)
    if not _exists(repo, commit, config):
        return None
    root = dest / prefix if prefix else dest
    root.mkdir(parents=True, exist_ok=True)
    (root / CONFIG_NAME).write_bytes(git(repo, "show", f"{commit}:{config}"))
    at_commit = load_project(root)
    wanted = [
        _inside(path, dest, at_commit.root)
        for path in dict.fromkeys(
            (at_commit.permissions_dir, at_commit.metadata_dir, *at_commit.sources.values())
        )
    ]
    present = [p for p in wanted if _exists(repo, commit, p)]
    if present:
        archive = git(repo, "archive", "--format=tar", commit, "--", *present)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    return root


def _exists(repo: Path, commit: str, path: str) -> bool:
    try:
        git(repo, "cat-file", "-e", f"{commit}:{path}")
    except HasuraPermError:
        return False
    return True


def _relative(path: Path, repo: Path) -> str:
    try:
        relative = path.relative_to(repo).as_posix()
    except ValueError:
        raise HasuraPermError(f"{path} is not inside the git repository {repo}") from None
    return "" if relative == "." else relative


def _inside(path: Path, dest: Path, project_root: Path) -> str:
    relative = os.path.relpath(path, dest)
    if relative == ".." or relative.startswith("../"):
        raise HasuraPermError(
            f"{CONFIG_NAME} names {os.path.relpath(path, project_root)}, outside the git "
            "repository; `diff` can only read files inside it"
        )
    return Path(relative).as_posix()


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name
