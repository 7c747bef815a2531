"""`cognito jwt-secret`: the HASURA_GRAPHQL_JWT_SECRET per environment, in three formats."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from hasura_perm import cli
from tests.cognito.support import make_project

POOL = "eu-west-1_AbC123xyz"
ENVIRONMENTS = {
    "prod": {
        "endpoint": "https://hasura.example.org",
        "admin_secret_env": "HASURA_PROD_SECRET",
        "cognito": {"user_pool_id": POOL, "app_client_ids": ["1example23456789", "2example"]},
    },
    "bare": {
        "endpoint": "https://hasura.example.org",
        "admin_secret_env": "HASURA_PROD_SECRET",
        "cognito": {"user_pool_id": POOL},
    },
    "nopool": {"endpoint": "https://hasura.example.org", "admin_secret_env": "X"},
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("jwt"), environments=ENVIRONMENTS)


def run(project: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["--project", str(project), "cognito", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_secret_matches_the_trigger_version(project: Path, capsys) -> None:
    code, out, _ = run(project, "jwt-secret", "--env", "prod", capsys=capsys)
    assert code == 0
    assert json.loads(out) == {
        "type": "RS256",
        "jwk_url": f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}/.well-known/jwks.json",
        "issuer": f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}",
        "audience": ["1example23456789", "2example"],
        "claims_namespace": "https://hasura.io/jwt/claims",
        "claims_format": "json",  # V2_0
    }


def test_v1_uses_stringified_json(tmp_path: Path, capsys) -> None:
    from tests.cognito.support import COGNITO_SECTION

    root = make_project(tmp_path, {**COGNITO_SECTION, "trigger_version": "V1_0"}, ENVIRONMENTS)
    code, out, _ = run(root, "jwt-secret", "--env", "prod", capsys=capsys)
    assert code == 0 and json.loads(out)["claims_format"] == "stringified_json"


def test_env_format_is_one_shell_assignment(project: Path, capsys) -> None:
    _, out, _ = run(project, "jwt-secret", "--env", "prod", "--format", "env", capsys=capsys)
    name, _, value = out.strip().partition("=")
    assert name == "HASURA_GRAPHQL_JWT_SECRET"
    assert json.loads(shlex.split(value)[0])["issuer"].endswith(POOL)


def test_terraform_format_is_a_tfvars_line(project: Path, capsys) -> None:
    _, out, _ = run(project, "jwt-secret", "--env", "prod", "--format", "terraform", capsys=capsys)
    assert out.startswith('hasura_graphql_jwt_secret_prod = "{\\"type\\":\\"RS256\\"')
    body = out.split(" = ", 1)[1].strip()[1:-1].replace('\\"', '"')
    assert json.loads(body)["claims_format"] == "json"


def test_claims_map_variant_needs_groups_named_after_roles(project: Path, capsys) -> None:
    code, _, err = run(project, "jwt-secret", "--env", "prod", "--claims-map", capsys=capsys)
    assert code == 1
    assert "admins -> project_admin" in err and "Name each group after its role" in err


def test_claims_map_variant(tmp_path: Path, capsys) -> None:
    root = make_project(tmp_path, environments=ENVIRONMENTS)
    roles = root / "permissions" / "roles.yaml"
    text = roles.read_text()
    for group, role in (
        ("viewers", "viewer"),
        ("editors", "editor"),
        ("admins", "project_admin"),
        ("file-service", "file_service"),
    ):
        text = text.replace(f"cognito_groups: [{group}]", f"cognito_groups: [{role}]")
    roles.write_text(text)
    code, out, err = run(root, "jwt-secret", "--env", "prod", "--claims-map", capsys=capsys)
    assert code == 0, err
    secret = json.loads(out)
    assert "claims_format" not in secret and "claims_namespace" not in secret
    assert secret["claims_map"] == {
        "x-hasura-allowed-roles": {"path": "$['cognito:groups']"},
        "x-hasura-default-role": {"path": "$['cognito:groups'][0]"},
        "x-hasura-department-ids": {"path": "$['custom:department_ids']"},
        "x-hasura-user-db-id": {"path": "$['custom:user_db_id']"},
        "x-hasura-user-id": {"path": "$.sub"},
    }
    assert "every group of the pool becomes an allowed Hasura role" in err
    assert "x-hasura-department-ids is an array" in err


def test_missing_audience_and_pool_are_explained(project: Path, capsys) -> None:
    code, _, err = run(project, "jwt-secret", "--env", "bare", capsys=capsys)
    assert code == 1 and "lists no `app_client_ids`" in err
    code, _, err = run(project, "jwt-secret", "--env", "nopool", capsys=capsys)
    assert code == 1 and "environment 'nopool' has no Cognito pool" in err
