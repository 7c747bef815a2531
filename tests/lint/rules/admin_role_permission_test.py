from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import table


def test_flags_a_permission_for_the_builtin_admin(tmp_path):
    projects = table("public.projects", select={"admin": {"columns": ["id"], "filter": {}}})
    [problem] = found(context(tmp_path, projects), "admin-role-permission")
    assert problem.subject() == "public.projects select admin"


def test_near_miss_an_admin_like_name(tmp_path):
    projects = table("public.projects", select={"project_admin": {"columns": ["id"], "filter": {}}})
    assert found(context(tmp_path, projects), "admin-role-permission") == []
