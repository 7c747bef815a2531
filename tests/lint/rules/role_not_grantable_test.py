from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_a_role_no_claim_grants(tmp_path):
    projects = table(
        "public.projects",
        select={
            "viewer": {"columns": ["id"], "filter": {}},
            "auditor": {"columns": ["id"], "filter": {}},
        },
    )
    [problem] = found(context(tmp_path, projects, claims_roles=("viewer",)), "role-not-grantable")
    assert problem.role == "auditor"


def test_near_miss_backend_only_service_roles_and_granted_roles(tmp_path):
    projects = table(
        "public.projects",
        select={"viewer": {"columns": ["id"], "filter": {}}},
        insert={"importer": {"check": {}, "columns": ["name"], "backend_only": True}},
    )
    assert found(context(tmp_path, projects, claims_roles=("viewer",)), "role-not-grantable") == []
