"""What `hasura-perm init` writes: a project a new user can compile within minutes.

Everything is planned in memory first (config, starting files, schema snapshot, metadata,
imported permissions) and written only when no target exists, so init never overwrites
and never leaves half a project behind.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from hasura_perm.core import yamlfmt
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.paths import ensure_inside
from hasura_perm.metadata.directory import merge_permissions
from hasura_perm.metadata.directory import planned_files
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.table_files import MetadataDir
from hasura_perm.schema.snapshot import SNAPSHOT_HEADER

SCHEMA_DEFAULT = "permissions/schema.yaml"
TEST_FILE = "permissions/tests/first.yaml"


@dataclass
class Plan:
    """The files init will write (path relative to the project root -> text)."""

    root: Path
    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was decided, said to the user

    def add(self, relative: str, text: str) -> None:
        self.files[relative] = text

    def existing(self) -> list[str]:
        """What is in the way: a top-level file init writes, or a folder it fills that
        already holds files (imported and existing rules must never mix)."""
        found = []
        for top in dict.fromkeys(
            r.split("/", 1)[0] + ("/" if "/" in r else "") for r in self.files
        ):
            path = self.root / top
            if top.endswith("/"):
                if path.is_dir() and any(p.is_file() for p in path.rglob("*")):
                    found.append(top)
            elif path.exists():
                found.append(top)
        return found


def secret_variable(env_name: str) -> str:
    """HASURA_<ENV>_ADMIN_SECRET: the variable's name, never the secret."""
    return f"HASURA_{re.sub(r'[^A-Za-z0-9]', '_', env_name).upper()}_ADMIN_SECRET"


def config_text(
    *,
    metadata: str = "metadata",
    schema: str = SCHEMA_DEFAULT,
    source: str = "default",
    environment: tuple[str, str, str] | None = None,
) -> str:
    """hasura-perm.yaml with every key explained; `environment` is (name, endpoint, secret var)."""
    if environment is None:
        envs = (
            _line("# environments:", "Hasura servers for plan, apply and drift") + "\n"
            "#   staging:\n"
            "#     endpoint: https://hasura.staging.example.org\n"
            "#     admin_secret_env: HASURA_STAGING_ADMIN_SECRET   # the variable's NAME\n"
        )
    else:
        name, endpoint, secret_env = environment
        envs = (
            _line("environments:", "Hasura servers for plan, apply and drift") + "\n"
            f"  {_scalar(name)}:\n"
            f"    endpoint: {_scalar(endpoint)}\n"
            f"    admin_secret_env: {secret_env}   # the variable's NAME, never the secret\n"
        )
    lines = [
        '# hasura-perm project (README.md, "Project configuration").',
        "version: 1",
        _line("permissions: permissions", "the business-role files you write"),
        _line(f"metadata: {_scalar(metadata)}", "the Hasura CLI v3 metadata folder compile writes"),
        _line(f"schema: {_scalar(schema)}", "schema snapshot: hasura-perm schema pull"),
        _line(f"source: {_scalar(source)}", "the database's name in Hasura"),
    ]
    return (
        "\n".join(lines)
        + "\n"
        + envs
        + (
            "# tests:\n"
            + _line(
                "#   schema_sql: db/schema.sql", "SQL creating the schema, for hasura-perm test"
            )
            + "\n"
        )
    )


def _scalar(value: str) -> str:
    """`value` as YAML: plain when that reads back as the same text, else double-quoted."""
    plain = re.fullmatch(r"[A-Za-z0-9_./@+:-]+", value) and ": " not in value
    return value if plain and yaml.safe_load(value) == value else json.dumps(value)


def _line(setting: str, comment: str) -> str:
    return f"{setting:<33} # {comment}"


STARTING_RULES = """\
# The starting point written by `hasura-perm init`: session variables, roles and shared
# rules. Any file under permissions/ may hold these sections; split them as you like.
# The language: README.md, "The permissions language".

# Every session variable a rule uses, with the JWT claim it comes from.
session:
  x-hasura-user-id:
    from: sub                       # the claim (Cognito: the user's id)
    type: text                      # its Postgres type

# Roles. A child inherits its parent's rules unless it has its own.
roles:
  user:
    description: A signed-in user
  # editor:
  #   inherits: user

# Named boolean expressions; a string where a filter is expected names one.
# conditions:
#   own: {owner_id: {_eq: x-hasura-user-id}}
#   in_my_org: {organization: {members: {user_id: {_eq: x-hasura-user-id}}}}   # via relationships

# Rules shared by many tables (the most specific pattern wins).
# defaults:
#   - tables: "public.*"
#     select:
#       user: {columns: all, filter: own}
"""

EXAMPLE_TABLE = """\
# One file per table holds the rules that are specific to it (any file name works).
# Uncomment, name a table of your schema snapshot, then run `hasura-perm compile`.
#
# table: public.documents
# select:
#   user:
#     columns: all                  # or [id, title], or {all_except: [secret]}
#     filter: {owner_id: {_eq: x-hasura-user-id}}
# insert:
#   user:
#     columns: [title, body]
#     check: {}
#     set: {owner_id: x-hasura-user-id}
# update:
#   user:
#     columns: [title, body]
#     filter: {owner_id: {_eq: x-hasura-user-id}}
#     check: {owner_id: {_eq: x-hasura-user-id}}
# delete:
#   user: deny                      # no permission, and no inheritance
#
# A condition through a relationship (`{organization: {...}}`) needs the relationship in
# the metadata table files: `hasura-perm relationships add` writes those the foreign keys
# of the schema snapshot give, named as the Hasura console names them.
"""

FIRST_TEST = """\
# Permission tests: `hasura-perm test` runs each case on a real PostgreSQL database built
# from `tests.schema_sql` in hasura-perm.yaml (docs/permission-tests.md).
# A file without cases is skipped: uncomment and adapt once a table has rules.
#
# principals:
#   alice: {role: user, claims: {sub: alice}}
#   bob: {role: user, claims: {sub: bob}}
# fixtures:
#   rows:
#     public.documents:
#       - {id: 1, owner_id: alice, title: Alice's}
#       - {id: 2, owner_id: bob, title: Bob's}
# cases:
#   - name: a user reads only their own documents
#     as: alice
#     table: public.documents
#     select: {rows: [1]}
#   - name: a user cannot delete
#     as: alice
#     table: public.documents
#     delete: {allowed: false, reason: no permission}
"""


def empty_metadata(folder: Path, source: str) -> dict[Path, str]:
    """The smallest Hasura CLI v3 metadata tree compile extends: version.yaml, the source in
    databases.yaml, and an empty tables.yaml. `folder` must not exist yet."""
    return planned_files(MetadataDir(folder, source), {})


def metadata_from(folder: Path, read: ReadMetadata) -> dict[Path, str]:
    """A CLI v3 tree holding the read tables' entries (relationships, permissions...)."""
    entries = {name: merge_permissions(t.entry, (), set()) for name, t in read.tables.items()}
    files = planned_files(MetadataDir(folder, read.source), entries)
    for path in files:  # table and source names come from the input: stay in the folder
        ensure_inside(path, folder, f"{folder.name}/")
    return files


def relative_to(path: Path, root: Path) -> str:
    """`path` as hasura-perm.yaml should name it: relative to the project when possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return os.path.relpath(path.resolve(), root.resolve())


def refuse_existing(plan: Plan) -> None:
    found = plan.existing()
    if found:
        raise HasuraPermError(
            f"{', '.join(found)} already exist{'s' if len(found) == 1 else ''} in {plan.root}; "
            "init never overwrites: run it in a new folder (--project DIR) or move them away"
        )


def schema_text(snapshot: dict[str, Any]) -> str:
    return SNAPSHOT_HEADER + yamlfmt.dump(snapshot, kind="other")
