"""Adopt hasura-perm on an existing Hasura project: read its metadata, write permissions/.

`read` turns Hasura metadata (CLI v3 or v2 directory, or a server export) into a plain
permission set with the file and line of every block; the rest of the package factors it
into roles, defaults and named parts, and proves the result compiles back to the same
permissions.
"""

from __future__ import annotations

from hasura_perm.metadata.read import EXPORT_FILE
from hasura_perm.metadata.read import ReadMetadata
from hasura_perm.metadata.read import ReadPermission
from hasura_perm.metadata.read import ReadTable
from hasura_perm.metadata.read import read_export
from hasura_perm.metadata.read import read_metadata_dir

__all__ = [
    "EXPORT_FILE",
    "ReadMetadata",
    "ReadPermission",
    "ReadTable",
    "read_export",
    "read_metadata_dir",
]
