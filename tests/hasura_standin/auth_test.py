"""Admin secret and role checks (Hasura/Server/Auth.hs getUserInfoWithExpTime_, and
authorizeV1MetadataApi / authorizeV2QueryApi in Hasura/App.hs)."""

from __future__ import annotations

import requests

from tests.hasura_standin import StandinServer
from tests.hasura_standin.conftest import Post

EXPORT = {"type": "export_metadata", "args": {}}


def test_missing_admin_secret_is_401(standin: StandinServer) -> None:
    response = requests.post(standin.url + "/v1/metadata", json=EXPORT, timeout=5)
    assert response.status_code == 401
    assert response.json() == {
        "path": "$",
        "error": "x-hasura-admin-secret/x-hasura-access-key required, but not found",
        "code": "access-denied",
    }


def test_wrong_admin_secret_is_401(standin: StandinServer) -> None:
    for header in ("X-Hasura-Admin-Secret", "x-hasura-access-key"):
        response = requests.post(
            standin.url + "/v2/query", json=EXPORT, headers={header: "nope"}, timeout=5
        )
        assert response.status_code == 401
        assert response.json() == {
            "path": "$",
            "error": "invalid x-hasura-admin-secret/x-hasura-access-key",
            "code": "access-denied",
        }


def test_deprecated_access_key_header_is_accepted(standin: StandinServer) -> None:
    headers = {"X-Hasura-Access-Key": standin.admin_secret}
    response = requests.post(standin.url + "/v1/metadata", json=EXPORT, headers=headers, timeout=5)
    assert response.status_code == 200


def test_non_admin_role_is_400_at_args(metadata_api: Post, schema_standin: StandinServer) -> None:
    """tests-py/queries/v1/metadata/metadata_as_user_err.yaml: the secret plus X-Hasura-Role: user
    gives 400 access-denied at `$.args`, for reads and writes alike."""
    headers = schema_standin.headers | {"X-Hasura-Role": "user"}
    for body in (EXPORT, {"type": "reload_metadata", "args": {"reload_remote_schemas": True}}):
        response = metadata_api(body, headers=headers)
        assert response.status_code == 400
        assert response.json() == {
            "path": "$.args",
            "error": "restricted access : admin only",
            "code": "access-denied",
        }
    query = {"type": "run_sql", "args": {"sql": "select 1"}}
    response = requests.post(
        schema_standin.url + "/v2/query", json=query, headers=headers, timeout=5
    )
    assert (response.status_code, response.json()["code"]) == (400, "access-denied")
    assert schema_standin.resource_version == 1


def test_healthz_needs_no_secret(standin: StandinServer) -> None:
    response = requests.get(standin.url + "/healthz", timeout=5)
    assert (response.status_code, response.text) == (200, "OK")
