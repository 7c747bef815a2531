"""A project with two Hasura sources on disk: `default` (public.users, public.notes) and
`reports` (public.notes too, and public.summaries), with real metadata files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import write

DATABASES = """\
- name: default
  kind: postgres
  configuration:
    connection_info:
      database_url:
        from_env: HASURA_GRAPHQL_DATABASE_URL
      isolation_level: read-committed
      use_prepared_statements: false
  tables: "!include default/tables/tables.yaml"
- name: reports
  kind: postgres
  configuration:
    connection_info:
      database_url:
        from_env: REPORTS_DATABASE_URL
      isolation_level: read-committed
      use_prepared_statements: false
  tables: "!include reports/tables/tables.yaml"
"""

SCHEMAS: dict[str, dict[str, Any]] = {
    "default": {
        "public.users": {"columns": {"id": "integer", "email": "text"}, "primary_key": ["id"]},
        "public.notes": {
            "columns": {"id": "integer", "owner_id": "integer", "body": "text"},
            "primary_key": ["id"],
        },
    },
    "reports": {
        "public.notes": {
            "columns": {"id": "integer", "owner_id": "integer", "summary": "text"},
            "primary_key": ["id"],
        },
        "public.summaries": {
            "columns": {"id": "integer", "owner_id": "integer", "total": "numeric"},
            "primary_key": ["id"],
        },
    },
}

CONFIG = """\
version: 1
sources:
  default: {schema: permissions/schema.yaml}
  reports: {}
"""

ROLES = """\
session:
  x-hasura-user-id: {from: sub, type: integer}
roles:
  reader: {}
conditions:
  own: {owner_id: {_eq: x-hasura-user-id}}
"""


def two_source_project(root: Path, files: dict[str, Any], config: str = CONFIG) -> Path:
    write(root, "hasura-perm.yaml", config)
    write(root, "permissions/roles.yaml", ROLES)
    for relative, content in files.items():
        write(root, f"permissions/{relative}", content)
    write(root, "permissions/schema.yaml", {"version": 1, "tables": SCHEMAS["default"]})
    write(root, "permissions/schema.reports.yaml", {"version": 1, "tables": SCHEMAS["reports"]})
    meta = root / "metadata"
    write(meta, "version.yaml", "version: 3\n")
    write(meta, "databases/databases.yaml", DATABASES)
    for source, tables in SCHEMAS.items():
        names = sorted(tables)
        listing = "".join(f'- "!include public_{n.split(".")[1]}.yaml"\n' for n in names)
        write(meta, f"databases/{source}/tables/tables.yaml", listing)
        for name in names:
            table = name.split(".")[1]
            write(
                meta,
                f"databases/{source}/tables/public_{table}.yaml",
                f"table:\n  name: {table}\n  schema: public\n",
            )
    return root


def table_text(root: Path, source: str, table: str) -> str:
    return (
        root / "metadata" / "databases" / source / "tables" / f"public_{table}.yaml"
    ).read_text()
