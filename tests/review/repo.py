"""A real git repository holding a small hasura-perm project, for the diff tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers import NOTES_METADATA
from tests.helpers import make_project
from tests.helpers import write

REPO = Path(__file__).resolve().parents[2]
N = "permissions/tables/public.notes.yaml"

DEFINITIONS = """\
session:
  x-hasura-user-id: {from: sub}
  x-hasura-user-db-id: {from: "custom:user_db_id", type: integer}
  x-hasura-org-id: {from: "custom:org_id", type: integer}
roles:
  viewer: {description: Reads}
  editor: {inherits: viewer}
  service: {description: Backend}
conditions:
  not_deleted: {is_deleted: {_eq: false}}
  same_org: {org_id: {_eq: x-hasura-org-id}}
  own: {author_id: {_eq: x-hasura-user-db-id}}
  big: {score: {_gt: 10}}
presets:
  stamp: {created_by: x-hasura-user-db-id}
"""

NOTES = """\
table: public.notes
select:
  viewer:
    columns: [id, title, org_id, score]
    filter: {_and: [not_deleted, same_org]}
    limit: 100
  editor:
    columns: [id, title, body, org_id, score]
    filter: {_and: [not_deleted, {_or: [same_org, own]}]}
    allow_aggregations: true
  service:
    columns: all
    filter: {score: {_gt: 10}}
    query_root_fields: [select, select_by_pk]
    comment: Backend reads big notes
insert:
  editor:
    columns: [title, body, org_id]
    check: own
    set: stamp
  service:
    columns: all
    check: {}
    backend_only: true
update:
  editor:
    columns: [title, body]
    filter: own
    check: own
delete:
  editor:
    filter: {_and: [own, {score: {_in: [1, 2]}}]}
"""

USERS = """\
table: public.users
select:
  viewer:
    columns: [id, name]
    filter: same_org
  service:
    columns: [id, name]
    filter: {notes: {score: {_gt: 10}}}
"""

USERS_METADATA = """\
table:
  name: users
  schema: public
array_relationships:
  - name: notes
    using:
      foreign_key_constraint_on:
        column: author_id
        table:
          name: notes
          schema: public
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


class GitRepo:
    """A git repository in `root`; the project lives in `root / subdir`."""

    def __init__(self, root: Path, subdir: str = "") -> None:
        self.root = root
        self.project = root / subdir if subdir else root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def path(self, relative: str) -> Path:
        return self.project / relative

    def write(self, relative: str, text: str) -> None:
        write(self.project, relative, text)

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.path(relative)
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not once in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")


def small_project(root: Path, subdir: str = "") -> GitRepo:
    """The small project, committed once on branch main."""
    repo = GitRepo(root, subdir)
    make_project(
        repo.project,
        {
            "definitions.yaml": DEFINITIONS,
            "tables/public.notes.yaml": NOTES,
            "tables/public.users.yaml": USERS,
        },
        metadata={"public.notes": NOTES_METADATA, "public.users": USERS_METADATA},
    )
    repo.commit("the project")
    return repo


def worked_example(root: Path) -> GitRepo:
    """A copy of the repository's worked example, committed once."""
    repo = GitRepo(root)
    shutil.copy(REPO / "hasura-perm.yaml", root / "hasura-perm.yaml")
    shutil.copytree(REPO / "permissions", root / "permissions")
    shutil.copytree(REPO / "metadata", root / "metadata")
    repo.commit("the worked example")
    return repo
