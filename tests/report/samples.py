"""A plan and a drift with every kind of change, for the renderer tests."""

from __future__ import annotations

from hasura_perm.core.names import TableName
from hasura_perm.metadata.permission import Permission
from hasura_perm.metadata.permission import PermissionSet
from hasura_perm.remote.apply import Drift
from hasura_perm.remote.plan import Plan
from hasura_perm.remote.plan import diff
from hasura_perm.remote.surface_changes import ACTION
from hasura_perm.remote.surface_changes import SurfaceChange

PROJECTS = TableName("public", "projects")
USERS = TableName("public", "users")

OWN = {"columns": ["id"], "filter": {"owner_id": {"_eq": "X-Hasura-User-Id"}}}
LIVE = PermissionSet(
    [
        Permission(PROJECTS, "select", "viewer", {"columns": ["id", "name"], "filter": {}}),
        Permission(USERS, "delete", "admin2", {"filter": {}}),
    ]
)
DESIRED = PermissionSet(
    [
        Permission(PROJECTS, "select", "viewer", OWN),
        Permission(
            PROJECTS, "insert", "editor", {"check": {}, "columns": ["name"]}, "Editors add projects"
        ),
    ]
)
SURFACE = [SurfaceChange(ACTION, "export_report", "editor", "add", "widening", None, {})]


def plan() -> Plan:
    return Plan(
        diff(LIVE, DESIRED), "staging", "https://h.example.org", "default", 7, surface=SURFACE
    )


def drift() -> Drift:
    # Drift is the live server relative to the project: from DESIRED to LIVE.
    return Drift(
        diff(DESIRED, LIVE),
        unowned=[(PROJECTS, "select", "intruder")],
        unmanaged_count=2,
        environment="staging",
        resource_version=9,
    )
