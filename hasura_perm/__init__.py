"""hasura-perm: Hasura v2 permissions as code.

Data flows one way:

    hasura-perm.yaml        -> project.Project
    permissions/*.yaml      -> spec.load_spec -> spec.Spec
    permissions/schema.yaml -> snapshot.Snapshot
    Spec + Snapshot         -> resolve.resolve -> model.Model
    Model                   -> compiler.compile_permissions -> permissions.PermissionSet
    PermissionSet           -> metadata.directory.write -> metadata/ (Hasura CLI v3 layout)

Commands live in `commands/`, one module per verb; `cli.py` only parses arguments.
"""

from __future__ import annotations

__version__ = "0.1.0"
