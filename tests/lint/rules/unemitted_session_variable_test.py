from __future__ import annotations

from tests.lint.lintkit import context
from tests.lint.lintkit import found
from tests.lint.lintkit import run
from tests.lint.lintkit import table

ORG = {"org_id": {"_eq": "X-Hasura-Org-Id"}}


def test_flags_a_variable_tokens_never_carry(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": ORG}})
    ctx = context(tmp_path, projects, claims_session=("x-hasura-user-id",))
    [problem] = found(ctx, "unemitted-session-variable")
    assert "x-hasura-org-id" in problem.message


def test_near_miss_the_mapping_emits_it_and_x_hasura_role_is_always_there(tmp_path):
    projects = table(
        "public.projects",
        select={"viewer": {"columns": ["id"], "filter": ORG}},
        update={"viewer": {"columns": ["name"], "filter": ORG, "set": {"name": "X-Hasura-Role"}}},
    )
    ctx = context(tmp_path, projects, claims_session=("X-Hasura-Org-Id",))
    assert found(ctx, "unemitted-session-variable") == []


def test_skipped_when_the_mapping_is_unknown(tmp_path):
    projects = table("public.projects", select={"viewer": {"columns": ["id"], "filter": ORG}})
    result = run(context(tmp_path, projects), "unemitted-session-variable")
    assert [rule for rule, _ in result.skipped] == ["unemitted-session-variable"]
