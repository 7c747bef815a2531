"""Import of role-based remote schemas: schema files, factored through inheritance, proved by
compiling back, and the round trip through `hasura-perm compile` leaves remote_schemas.yaml
as it was."""

from __future__ import annotations

from pathlib import Path

import yaml

from hasura_perm.importer.inherited import InheritedRole
from hasura_perm.importer.remote_schemas import prove_remote
from hasura_perm.importer.remote_schemas import read_remote
from hasura_perm.importer.remote_schemas import remote_files
from hasura_perm.importer.remote_schemas import remote_roles
from tests.helpers import run_cli
from tests.helpers import write
from tests.importer.helpers import block
from tests.importer.helpers import scenario
from tests.importer.helpers import snapshot_of
from tests.importer.helpers import table_entry

SMALL = "type Query {\n  countries: [Country]\n}\ntype Country {\n  code: ID!\n}\n"
LARGE = "type Query {\n  countries: [Country]\n}\ntype Country {\n  code: ID!\n  name: String\n}\n"


def remote(name: str, *perms: tuple[str, str] | tuple[str, str, str]) -> dict:
    out = []
    for p in perms:
        entry = {"role": p[0], "definition": {"schema": p[1]}}
        if len(p) > 2:
            entry["comment"] = p[2]
        out.append(entry)
    return {"name": name, "definition": {"url": "https://x.example"}, "permissions": out}


def test_inheritance_factors_schemas_and_denies_what_a_child_must_not_get() -> None:
    metadata = {
        "remote_schemas": [
            # editor's schema means the same as viewer's (printed differently): inherited
            remote("countries", ("viewer", SMALL), ("editor", SMALL.replace("\n  ", " "))),
            remote("weather", ("viewer", SMALL, "read"), ("partner-x", LARGE)),
            {"name": "bare", "definition": {"url": "https://y.example"}},
        ]
    }
    imported = read_remote(metadata, [])
    assert imported.names == ["countries", "weather", "bare"] and imported.count == 4
    roles = remote_roles({"viewer": {}, "editor": {"inherits": "viewer"}}, imported)
    assert roles == {"editor": {"inherits": "viewer"}, "partner-x": {}, "viewer": {}}
    files = remote_files(roles, imported)
    entries = yaml.safe_load(files["remote_schemas.yaml"])["remote_schemas"]
    assert entries == {
        "countries": {"viewer": {"schema_file": "remote_schemas/countries/viewer.graphql"}},
        "weather": {
            "editor": "deny",
            "partner-x": {"schema_file": "remote_schemas/weather/partner-x.graphql"},
            "viewer": {"schema_file": "remote_schemas/weather/viewer.graphql", "comment": "read"},
        },
    }
    assert files["remote_schemas/weather/partner-x.graphql"] == LARGE
    files["roles.yaml"] = yaml.safe_dump({"roles": roles})
    assert prove_remote(files, imported) is None
    # the proof is real: a wrong file is caught
    broken = dict(files, **{"remote_schemas/weather/viewer.graphql": LARGE})
    assert "weather: viewer's schema differs" in (prove_remote(broken, imported) or "")


def test_hasura_inherited_roles_get_no_copies_of_their_parents_schema() -> None:
    # imported as `combines`: Hasura keeps deriving (merging) the parents' schemas itself
    lead = [InheritedRole("lead", ("viewer", "editor"), expressed=True)]
    merged = {"remote_schemas": [remote("c", ("viewer", SMALL), ("editor", LARGE))]}
    assert set(read_remote(merged, lead).schemas["c"]) == {"viewer", "editor"}


def test_import_then_compile_leaves_remote_schemas_yaml_alone(tmp_path: Path) -> None:
    tables = {"public.tags": {"id": "integer", "name": "text"}}
    entry = table_entry(
        "public.tags", select_permissions=[block("viewer", columns=["id", "name"], filter={})]
    )
    case = scenario(tmp_path, [entry], snapshot_of(tables))
    text = (
        "- name: countries\n  definition:\n    url: https://countries.example/graphql\n"
        "    timeout_seconds: 60\n  permissions:\n    - role: viewer\n      definition:\n"
        "        schema: |\n          schema {\n            query: Query\n          }\n"
        "          type Country {\n            code: ID!\n          }\n"
        "          type Query {\n            countries: [Country!]!\n          }\n"
        "    - role: partner\n      definition:\n        schema: |\n"
        "          type Query {\n            countries: [Country!]!\n          }\n"
        "          type Country {\n            code: ID!\n            name: String!\n          }\n"
    )
    write(tmp_path, "metadata/remote_schemas.yaml", text)
    write(tmp_path, "hasura-perm.yaml", "version: 1\n")
    write(tmp_path, "permissions/schema.yaml", case.schema.read_text())
    result = run_cli("import", "--metadata", "metadata", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "2 role-based schema(s) on 1 remote schema(s)" in result.out
    assert (tmp_path / "permissions/remote_schemas/countries/partner.graphql").is_file()
    compiled = run_cli("compile", cwd=tmp_path)  # the scenario's table files are not CLI-styled
    assert compiled.code == 0, compiled.out + compiled.err
    assert (tmp_path / "metadata/remote_schemas.yaml").read_text() == text
    assert run_cli("compile", "--check", cwd=tmp_path).code == 0
