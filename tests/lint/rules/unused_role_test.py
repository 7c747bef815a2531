from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_a_declared_role_without_permissions(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": {}}})
    [problem] = found(
        context(tmp_path, projects, claims_roles=("viewer", "auditor")), "unused-role"
    )
    assert problem.role == "auditor"


def test_near_miss_every_declared_role_has_a_permission(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": {}}})
    assert found(context(tmp_path, projects, claims_roles=("viewer",)), "unused-role") == []
