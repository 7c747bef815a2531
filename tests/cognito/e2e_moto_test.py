"""End to end with moto in server mode: a pool, groups and users; tokens from admin_initiate_auth;
the handler's response applied as Cognito documents it (moto never invokes triggers); the token
re-signed with moto's own signing key and verified by `whoami` against moto's JWKS over HTTP;
then `sync-users` against moto and the Hasura stand-in's GraphQL endpoint, twice."""

from __future__ import annotations

import base64
import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
jwt = pytest.importorskip("jwt")

from hasura_perm import cli  # noqa: E402
from hasura_perm.cognito.handler import pre_token  # noqa: E402
from tests.cognito.support import COGNITO_SECTION  # noqa: E402
from tests.cognito.support import apply_response  # noqa: E402
from tests.cognito.support import make_project  # noqa: E402
from tests.hasura_standin import StandinServer  # noqa: E402

PASSWORD = "Passw0rd!Passw0rd"
SCHEMA = (Path(__file__).resolve().parents[2] / "db" / "schema.sql").read_text()


@dataclass
class Pool:
    url: str
    client: Any
    pool_id: str
    client_id: str


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def aws_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            mp.setenv(name, "testing")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.delenv("AWS_PROFILE", raising=False)
        yield


@pytest.fixture(scope="module")
def pool(moto: str, aws_env: None) -> Pool:
    client = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=moto)
    pool_id = client.create_user_pool(
        PoolName="hasura-perm-e2e",
        Schema=[
            {"Name": "user_db_id", "AttributeDataType": "String", "Mutable": True},
            {"Name": "department_ids", "AttributeDataType": "String", "Mutable": True},
        ],
    )["UserPool"]["Id"]
    client_id = client.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for group in ("viewers", "editors", "admins", "marketing"):
        client.create_group(GroupName=group, UserPoolId=pool_id)
    users = {
        "alice": (
            ["editors", "viewers"],
            {"custom:user_db_id": "42", "custom:department_ids": "3,7"},
        ),
        "bob": (["marketing"], {}),
        "carol": (["admins"], {"custom:user_db_id": "7"}),
    }
    for name, (groups, attributes) in users.items():
        attrs = {"email": f"{name}@example.org", "name": name.title(), **attributes}
        client.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
            MessageAction="SUPPRESS",
        )
        client.admin_set_user_password(
            UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            client.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName=group)
    client.sign_up(
        ClientId=client_id,
        Username="dave",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "dave@example.org"}],
    )
    return Pool(moto, client, pool_id, client_id)


def environments(pool: Pool, hasura_url: str = "http://127.0.0.1:9") -> dict[str, Any]:
    return {
        "moto": {
            "endpoint": hasura_url,
            "admin_secret_env": "HASURA_E2E_ADMIN_SECRET",
            "timeout": 5,
            "cognito": {
                "user_pool_id": pool.pool_id,
                "app_client_ids": [pool.client_id],
                "jwks_url": f"{pool.url}/{pool.pool_id}/.well-known/jwks.json",
                "aws_endpoint_url": pool.url,
            },
        },
        "other": {
            "endpoint": hasura_url,
            "admin_secret_env": "X",
            "cognito": {"user_pool_id": "us-east-1_Other123", "app_client_ids": [pool.client_id]},
        },
    }


def project_for(
    tmp: Path, pool: Pool, version: str = "V2_0", hasura_url: str = "http://127.0.0.1:9"
) -> Path:
    section = {**COGNITO_SECTION, "trigger_version": version}
    return make_project(tmp, section, environments(pool, hasura_url))


def event_from_moto(pool: Pool, username: str, version: str) -> dict[str, Any]:
    """The trigger event Cognito would send, built from moto's state."""
    user = pool.client.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    groups = pool.client.admin_list_groups_for_user(UserPoolId=pool.pool_id, Username=username)
    request: dict[str, Any] = {
        "userAttributes": {a["Name"]: a["Value"] for a in user["UserAttributes"]},
        "groupConfiguration": {
            "groupsToOverride": [g["GroupName"] for g in groups["Groups"]],
            "iamRolesToOverride": [],
            "preferredRole": None,
        },
    }
    if version != "V1_0":
        request["scopes"] = ["aws.cognito.signin.user.admin"]
    return {
        "version": version[1],
        "triggerSource": "TokenGeneration_Authentication",
        "region": "us-east-1",
        "userPoolId": pool.pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": pool.client_id},
        "request": request,
        "response": {},
    }


def moto_signing_key() -> Any:
    # moto signs every pool's tokens with one fixed key (kid "dummy") and ships the private half
    # as a data file. Read the file, not moto's private loader (its signature changes between
    # releases); moto may ship it gzip-compressed.
    folder = resources.files("moto") / "cognitoidp" / "resources"
    plain, packed = folder / "jwks-private.json", folder / "jwks-private.json.gz"
    data = plain.read_bytes() if plain.is_file() else gzip.decompress(packed.read_bytes())
    return jwt.algorithms.RSAAlgorithm.from_jwk(data.decode("utf-8"))


def sign_in(pool: Pool, username: str, version: str) -> tuple[str, str]:
    """(id token, access token) as Cognito would issue them with the Lambda attached."""
    auth = pool.client.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    id_claims = jwt.decode(auth["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(auth["AccessToken"], options={"verify_signature": False})
    event = pre_token.handle(event_from_moto(pool, username, version), mapping_for(version), {})
    id_claims, access_claims = apply_response(id_claims, access_claims, event)
    key, headers = moto_signing_key(), {"kid": "dummy"}
    return (
        jwt.encode(id_claims, key, algorithm="RS256", headers=headers),
        jwt.encode(access_claims, key, algorithm="RS256", headers=headers),
    )


_MAPPINGS: dict[str, dict[str, Any]] = {}


def mapping_for(version: str) -> dict[str, Any]:
    return _MAPPINGS[version]


@pytest.fixture(scope="module")
def projects(pool: Pool, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from hasura_perm.cognito.loader import load_cognito
    from hasura_perm.spec.project import load_project

    out = {}
    for version in ("V1_0", "V2_0"):
        root = project_for(tmp_path_factory.mktemp(version), pool, version)
        _MAPPINGS[version] = load_cognito(load_project(root)).mapping
        out[version] = root
    return out


def whoami(
    root: Path, token: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, Any]:
    capsys.readouterr()  # drop the handler's log lines
    code = cli.main(
        ["--project", str(root), "cognito", "whoami", "--env", "moto", "--token", token, *extra]
    )
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and "json" in extra else (out + err).strip())


def expected_alice(pool: Pool) -> dict[str, str]:
    sub = {
        a["Name"]: a["Value"]
        for a in pool.client.admin_get_user(UserPoolId=pool.pool_id, Username="alice")[
            "UserAttributes"
        ]
    }["sub"]
    return {
        "x-hasura-role": "editor",
        "x-hasura-user-id": sub,
        "x-hasura-user-db-id": "42",
        "x-hasura-department-ids": "{3,7}",
    }


def test_v2_both_tokens_yield_the_expected_session(pool: Pool, projects: dict, capsys) -> None:
    id_token, access_token = sign_in(pool, "alice", "V2_0")
    for token in (id_token, access_token):
        code, report = whoami(projects["V2_0"], token, capsys, "--format", "json")
        assert code == 0, report
        assert report["session"] == expected_alice(pool)
        assert report["allowed_roles"] == ["editor", "viewer"]
        assert report["default_role"] == "editor"
        assert report["client_id"] == pool.client_id
        assert any(line.startswith("public.projects: select") for line in report["permissions"])
        assert report["warnings"] == []  # the Lambda gave the access token its `aud`
    assert {report["token_use"]} == {"access"}


def test_a_token_hasura_accepts_but_is_risky_passes_with_a_warning(
    pool: Pool, projects: dict, capsys
) -> None:
    # Hasura never reads client_id and skips the audience check without `aud`.
    _, access_token = sign_in(pool, "alice", "V2_0")
    claims = jwt.decode(access_token, options={"verify_signature": False})
    claims = {k: v for k, v in claims.items() if k != "aud"} | {"client_id": "someotherclient"}
    token = jwt.encode(claims, moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})
    code, text = whoami(projects["V2_0"], token, capsys)
    assert code == 0, text
    assert "Hasura (claims_format json) accepts it:" in text
    assert "warning: the access token has no `aud`, so Hasura skips its audience check" in text


def test_v1_id_token_works_and_the_access_token_is_explained(
    pool: Pool, projects: dict, capsys
) -> None:
    id_token, access_token = sign_in(pool, "alice", "V1_0")
    code, report = whoami(projects["V1_0"], id_token, capsys, "--format", "json")
    assert code == 0, report
    assert report["session"] == expected_alice(pool)
    code, text = whoami(projects["V1_0"], access_token, capsys)
    assert code == 1
    assert "this is an access token; with trigger_version V1_0 only the id token carries" in text


def test_text_output_and_role_choice(pool: Pool, projects: dict, capsys) -> None:
    id_token, _ = sign_in(pool, "alice", "V2_0")
    code, text = whoami(projects["V2_0"], id_token, capsys, "--role", "viewer")
    assert code == 0, text
    assert "allowed roles: editor, viewer" in text and "What `viewer` may do:" in text
    assert "  public.projects: select" in text
    code, text = whoami(projects["V2_0"], id_token, capsys, "--role", "project_admin")
    assert code == 1 and "role 'project_admin' is not in the allowed roles" in text


def test_failures_are_explained_in_one_line(pool: Pool, projects: dict, capsys) -> None:
    v1_id, _ = sign_in(pool, "alice", "V1_0")
    v2_id, _ = sign_in(pool, "alice", "V2_0")
    key, kid = moto_signing_key(), {"kid": "dummy"}
    claims = jwt.decode(v2_id, options={"verify_signature": False})
    expired = jwt.encode(
        {**claims, "exp": int(time.time()) - 120}, key, algorithm="RS256", headers=kid
    )
    plain = jwt.encode(
        {k: v for k, v in claims.items() if not k.startswith("https://")},
        key,
        algorithm="RS256",
        headers=kid,
    )
    other_client = jwt.encode(
        {**claims, "aud": "someotherclient"}, key, algorithm="RS256", headers=kid
    )
    head, _, signature = v2_id.split(".")
    forged = {**claims, "cognito:groups": ["admins"]}
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    tampered = f"{head}.{body}.{signature}"
    cases = [
        (projects["V2_0"], expired, "expired at"),
        (
            projects["V2_0"],
            plain,
            "missing namespace: claims key 'https://hasura.io/jwt/claims' not found",
        ),
        (
            projects["V2_0"],
            v1_id,
            "stringified vs JSON mismatch: the token holds the Hasura claims as a string",
        ),
        (
            projects["V1_0"],
            v2_id,
            "stringified vs JSON mismatch: the token holds the Hasura claims as a JSON object",
        ),
        (projects["V2_0"], other_client, "the id token is for app client 'someotherclient'"),
        (projects["V2_0"], tampered, "the signature does not verify"),
        (projects["V2_0"], "not-a-token", "this is not a JWT"),
    ]
    for root, token, message in cases:
        code, text = whoami(root, token, capsys)
        assert code == 1 and message in text, (message, text)
        assert len(text.splitlines()) == 1
    code = cli.main(
        [
            "--project",
            str(projects["V2_0"]),
            "cognito",
            "whoami",
            "--env",
            "other",
            "--token",
            v2_id,
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and f"wrong pool: the token comes from pool {pool.pool_id} (us-east-1)" in err


def test_whoami_reads_the_token_from_stdin(pool: Pool, projects: dict, capsys, monkeypatch) -> None:
    import io

    id_token, _ = sign_in(pool, "alice", "V2_0")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"Bearer {id_token}\n"))
    capsys.readouterr()
    code = cli.main(  # --json: the old spelling of --format json still works, and warns
        ["--project", str(projects["V2_0"]), "cognito", "whoami", "--env", "moto", "--json"]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["session"] == expected_alice(pool)
    assert "warning: --json is deprecated; use --format json" in captured.err


def test_no_mapped_group_means_no_token(pool: Pool, projects: dict) -> None:
    with pytest.raises(pre_token.Denied, match="bob has no group that grants a Hasura role"):
        sign_in(pool, "bob", "V2_0")


def test_sync_users_twice(pool: Pool, pg_url: str, tmp_path: Path, capsys, monkeypatch) -> None:
    import psycopg

    with StandinServer(pg_url) as hasura:
        hasura.run_sql(SCHEMA)
        hasura.track_tables("departments", "users")
        monkeypatch.setenv("HASURA_E2E_ADMIN_SECRET", hasura.admin_secret)
        root = project_for(tmp_path, pool, hasura_url=hasura.url)
        args = ["--project", str(root), "cognito", "sync-users", "--env", "moto"]
        assert cli.main(args) == 0
        first = capsys.readouterr()
        with psycopg.connect(pg_url) as conn:
            rows = conn.execute("SELECT email, display_name FROM users ORDER BY email").fetchall()
        assert cli.main(args) == 0
        second = capsys.readouterr()
    assert "3 created, 0 updated, 0 unchanged, 0 failed, 1 skipped" in first.out
    assert "0 created, 0 updated, 3 unchanged, 0 failed, 1 skipped" in second.out
    assert rows == [
        ("alice@example.org", "Alice"),
        ("bob@example.org", "Bob"),
        ("carol@example.org", "Carol"),
    ]
