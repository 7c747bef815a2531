"""Role-based schemas of remote schemas compiled into remote_schemas.yaml."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import NOTES_RULES
from tests.helpers import build_project
from tests.helpers import make_project
from tests.helpers import problems_of
from tests.helpers import run_cli
from tests.helpers import write

JORE4 = Path("/work/shared/corpus/HSLdevcom__jore4-hasura/metadata/remote_schemas.yaml")

# The shape `hasura metadata export` writes (cli/internal/metadataobject/remoteschemas,
# testdata/export_test/t3): an entry with a comment, a permission of a role we do not own,
# and a second remote schema with relationships.
REMOTE_SCHEMAS_YAML = """\
- name: countries
  definition:
    url_from_env: COUNTRIES_URL
    timeout_seconds: 60
    forward_client_headers: true
  comment: Countries API
  permissions:
    - role: partner
      definition:
        schema: |
          schema {
            query: Query
          }
          type Country {
            code: ID!
          }
          type Query {
            countries: [Country!]!
          }
- name: weather
  definition:
    url: https://weather.example/graphql
    timeout_seconds: 60
  remote_relationships:
    - relationships:
        - definition:
            to_source:
              relationship_type: object
              source: default
              table:
                name: notes
                schema: public
              field_mapping:
                id: id
          name: note
      type_name: Forecast
"""

VIEWER_SDL = """\
schema {
  query: Query
}
type Country {
  code: ID!
  name: String!
}
type Query {
  countries: [Country!]!
}
"""

ROLES = """\
roles:
  viewer: {}
  editor: {inherits: viewer}
  anonymous: {}
"""


def project(tmp_path: Path, grants: str, remote: str = REMOTE_SCHEMAS_YAML) -> Path:
    root = make_project(
        tmp_path,
        {"roles.yaml": ROLES, "remote.yaml": grants, "tables/notes.yaml": NOTES_RULES},
        metadata={"public.notes": "table:\n  name: notes\n  schema: public\n"},
    )
    write(root, "metadata/remote_schemas.yaml", remote)
    return root


def _indent(text: str, by: int) -> str:
    return "".join(" " * by + line if line.strip() else line for line in text.splitlines(True))


def test_grants_inline_and_from_a_file_with_inheritance_and_deny(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "remote_schemas:\n"
        "  countries:\n"
        "    viewer:\n"
        "      schema: |\n" + _indent(VIEWER_SDL, 8) + "    anonymous: deny\n"
        "  weather:\n"
        "    editor: {schema_file: remote/weather-editor.graphql, comment: Editors plan}\n",
    )
    weather_sdl = "type Query {\n  forecast(city: String!): Forecast\n}\ntype Forecast { id: Int }"
    write(root, "permissions/remote/weather-editor.graphql", weather_sdl)
    assert run_cli("compile", cwd=root).code == 0
    text = (root / "metadata/remote_schemas.yaml").read_text()
    expected = REMOTE_SCHEMAS_YAML.replace(
        "            countries: [Country!]!\n          }\n- name: weather",
        "            countries: [Country!]!\n          }\n"
        "    - role: editor\n      definition:\n        schema: |\n"
        + _indent(VIEWER_SDL, 10)
        + "    - role: viewer\n      definition:\n        schema: |\n"
        + _indent(VIEWER_SDL, 10)
        + "- name: weather",
    ).replace(
        "    timeout_seconds: 60\n  remote_relationships:",
        "    timeout_seconds: 60\n  permissions:\n    - role: editor\n      definition:\n"
        "        schema: |\n" + _indent(weather_sdl + "\n", 10) + "      comment: Editors plan\n"
        "  remote_relationships:",
    )
    assert text == expected
    surface = build_project(root).compiled.surface
    assert surface.remote_schemas == ["countries", "weather"]
    assert surface.remote_grants["countries"]["editor"].origin == "inherited from viewer"
    assert "anonymous" not in surface.remote_grants["countries"]
    assert surface.remote_grants["weather"]["editor"].schema_file == (
        "permissions/remote/weather-editor.graphql"
    )
    assert surface.remote_schemas_of("editor") == ["countries", "weather"]
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_same_meaning_keeps_the_exported_text(tmp_path: Path) -> None:
    """The export reformats SDL (the server prints it, the CLI formats it): a compile after
    an export leaves the file alone when the schema means the same."""
    exported = REMOTE_SCHEMAS_YAML.replace(
        "    - role: partner\n",
        "    - role: viewer\n      definition:\n        schema: |\n"
        "          type Query {\n            countries: [Country!]!\n          }\n"
        "          type Country {\n            code: ID!\n            name: String!\n"
        "          }\n          schema {\n            query: Query\n          }\n"
        "    - role: partner\n",
    )
    grants = "remote_schemas:\n  countries:\n    viewer:\n      schema: |\n" + _indent(
        "# the viewer's countries\nschema { query: Query }\n"
        "type Country { code: ID!, name: String! }\ntype Query { countries: [Country!]! }\n",
        8,
    )
    root = project(tmp_path, grants, exported)
    write(root, "permissions/roles.yaml", "roles:\n  viewer: {}\n  anonymous: {}\n")
    assert run_cli("compile", cwd=root).code == 0
    assert run_cli("compile", "--check", cwd=root).code == 0
    assert (root / "metadata/remote_schemas.yaml").read_text() == exported


def test_unowned_roles_and_unmanaged_remote_schemas_are_kept(tmp_path: Path) -> None:
    root = project(tmp_path, "remote_schemas:\n  countries:\n    viewer: deny\n")
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/remote_schemas.yaml").read_text() == REMOTE_SCHEMAS_YAML


def test_a_real_remote_schema_gains_permissions_before_its_relationships(tmp_path: Path) -> None:
    original = JORE4.read_text()
    root = project(
        tmp_path,
        "remote_schemas:\n  Tiamat:\n    viewer:\n      schema: |\n"
        + _indent(
            "type Query {\n  stopPlace(id: String): StopPlace\n}\n"
            "type StopPlace {\n  id: String\n}\n",
            8,
        ),
        original,
    )
    assert run_cli("compile", cwd=root).code == 0
    text = (root / "metadata/remote_schemas.yaml").read_text()
    before, after = original.split("  remote_relationships:\n", 1)
    assert text.startswith(before + "  permissions:\n    - role: editor\n")
    assert text.endswith("  remote_relationships:\n" + after)
    # no remote_schemas section: the file is not touched
    write(root, "permissions/remote.yaml", "remote_schemas: {}\n")
    write(root, "metadata/remote_schemas.yaml", original)
    assert run_cli("compile", "--check", cwd=root).code == 0


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "remote_schemas:\n"
        "  countreis:\n    viewer: {schema: 'type Query { a: Int }'}\n"
        "  countries:\n"
        "    nobody: {schema: 'type Query { a: Int }'}\n"
        "    viewer: {schema: 'type Query { a Int }'}\n"
        "    editor: {schema_file: ../../etc/passwd}\n",
    )
    problems = problems_of(root)
    shown = [(p.file, p.line, p.message) for p in problems]
    assert any("countreis" in m and "`countries`" in m for _, _, m in shown), shown
    assert any("unknown role `nobody`" in m for _, _, m in shown), shown
    bad = [s for s in shown if "does not parse" in s[2]]
    assert bad and bad[0][1] == 6 and "expected `:`" in bad[0][2], shown
    assert any("must be a path inside permissions/" in m for _, _, m in shown), shown


def test_a_schema_file_that_does_not_parse_points_into_the_file(tmp_path: Path) -> None:
    root = project(
        tmp_path, "remote_schemas:\n  countries:\n    viewer: {schema_file: v.graphql}\n"
    )
    write(root, "permissions/v.graphql", "type Query {\n  a: Int\n  b(x: ): Int\n}\n")
    problems = problems_of(root)
    assert [(p.file, p.line) for p in problems] == [("permissions/v.graphql", 3)]


def test_parents_with_different_schemas_need_the_child_to_choose(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "remote_schemas:\n  countries:\n"
        "    viewer: {schema: 'type Query { a: Int }'}\n"
        "    anonymous: {schema: 'type Query { b: Int }'}\n",
    )
    write(
        root,
        "permissions/roles.yaml",
        "roles:\n  viewer: {}\n  anonymous: {}\n  editor: {inherits: [viewer, anonymous]}\n",
    )
    messages = [p.message for p in problems_of(root)]
    assert any("editor inherits different schemas" in m for m in messages), messages


def test_missing_remote_schemas_file_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, "remote_schemas:\n  countries:\n    viewer: {schema: 'scalar X'}\n")
    (root / "metadata/remote_schemas.yaml").unlink()
    result = run_cli("compile", cwd=root)
    assert result.code == 1
    assert "remote schema `countries` is not in metadata/remote_schemas.yaml" in result.err


# remote_schemas.yaml as the config v2 CLI (gopkg.in/yaml.v2) writes it: nested lists at
# their key's column
V2_REMOTE = """\
- name: countries
  definition:
    url: https://countries.example/graphql
    headers:
    - name: x-api-key
      value_from_env: COUNTRIES_KEY
    forward_client_headers: false
    timeout_seconds: 60
"""


def test_v2_layout_keeps_its_own_style(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "roles.yaml": ROLES,
            "remote.yaml": "remote_schemas:\n  countries:\n    viewer:\n"
            "      schema: |\n        type Query { countries: [ID] }\n    editor: deny\n",
            "tables/notes.yaml": NOTES_RULES,
        },
    )
    write(root, "metadata/version.yaml", "version: 2\n")
    write(root, "metadata/tables.yaml", "- table:\n    schema: public\n    name: notes\n")
    write(root, "metadata/functions.yaml", "[]\n")
    write(root, "metadata/remote_schemas.yaml", V2_REMOTE)
    assert run_cli("compile", cwd=root).code == 0
    assert (root / "metadata/remote_schemas.yaml").read_text() == V2_REMOTE + (
        "  permissions:\n  - role: viewer\n    definition:\n      schema: |\n"
        "        type Query { countries: [ID] }\n"
    )
    assert run_cli("compile", "--check", cwd=root).code == 0
