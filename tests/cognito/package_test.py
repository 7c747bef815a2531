"""`cognito lambda build`: reproducible zip; the handlers run with the standard library alone."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hasura_perm import cli
from tests.cognito.support import v2_event

# Runs inside the unpacked package with `python -I -S`: no site-packages, like a bare runtime.
PROBE = """
import json, os, sys, time
sys.path.insert(0, os.getcwd())  # the Lambda runtime puts the task root on the path
t0 = time.perf_counter()
import pre_token, user_sync
pre_token.load_mapping()
t1 = time.perf_counter()
event = json.loads(sys.stdin.read())
out = pre_token.handler(event, None)
warm = pre_token.handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
assert user_sync.handler({"warmup": True}, None) == {"warmed": True}
outside = sorted(m for m in sys.modules if m.split(".")[0] in ("hasura_perm", "yaml", "requests"))
print(json.dumps({"response": out["response"], "warm": warm, "import_ms": (t1 - t0) * 1000,
                  "outside": outside}))
"""


def build(project: Path, out: Path) -> str:
    code = cli.main(["--project", str(project), "cognito", "lambda", "build", "--into", str(out)])
    assert code == 0
    return out.name


def test_zip_is_reproducible_and_small(example_project: Path, tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "a" / "lambda.zip", tmp_path / "b" / "lambda.zip"
    build(example_project, first)
    build(example_project, second)
    capsys.readouterr()
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [
            "hasura_perm_cognito.json",
            "pre_token.py",
            "user_sync.py",
        ]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        mapping = json.loads(archive.read("hasura_perm_cognito.json"))
    assert mapping["trigger_version"] == "V2_0"
    size = first.stat().st_size
    print(f"\nlambda zip: {size} bytes")
    assert size < 20_000


def test_folder_output_and_stdlib_only_run(example_project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "lambda"
    build(example_project, out)
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [
        "hasura_perm_cognito.json",
        "pre_token.py",
        "user_sync.py",
    ]
    event = v2_event(["editors"], {"custom:user_db_id": "7"})
    timings = []
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-I", "-S", "-c", PROBE],
            cwd=out,
            input=json.dumps(event),
            capture_output=True,
            text=True,
            check=True,
        )
        report = json.loads(result.stdout.strip().splitlines()[-1])
        timings.append(report["import_ms"])
    assert report["outside"] == []
    assert report["warm"] == {"warmed": True}
    claims = report["response"]["claimsAndScopeOverrideDetails"]["idTokenGeneration"]
    hasura = claims["claimsToAddOrOverride"]["https://hasura.io/jwt/claims"]
    assert hasura["x-hasura-default-role"] == "editor" and hasura["x-hasura-user-db-id"] == "7"
    print(f"\ncold import + mapping load: {min(timings):.1f} ms (best of 3)")
    assert min(timings) < 200


def test_out_must_be_a_folder_or_zip(example_project: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code = cli.main(
        ["--project", str(example_project), "cognito", "lambda", "build", "--into", str(blocker)]
    )
    assert code == 1
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("module", ["pre_token", "user_sync"])
def test_handlers_import_only_the_standard_library(module: str) -> None:
    source = Path(__file__).resolve().parents[2] / "hasura_perm/cognito/handler" / f"{module}.py"
    tree = __import__("ast").parse(source.read_text())
    imported = set()
    for node in __import__("ast").walk(tree):
        if isinstance(node, __import__("ast").Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, __import__("ast").ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names)
