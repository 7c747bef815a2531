"""Relationships from foreign keys: the console's names, `relationships suggest|add`, and the
error that says where relationships come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.inflect import pluralize
from hasura_perm.core.inflect import singularize
from hasura_perm.core.names import TableName
from hasura_perm.schema.relationships import suggest
from hasura_perm.schema.snapshot import snapshot_from_data
from tests.helpers import ROLES
from tests.helpers import load_yaml
from tests.helpers import make_project
from tests.helpers import run_cli
from tests.helpers import table_file
from tests.helpers import tree_bytes

# organizations <- members (organization_id), documents (organization_id, reviewer_id ->
# members), and a one-to-one profile keyed by the organization's id.
SCHEMA = {
    "public.organizations": {
        "columns": {"id": "integer", "name": "text", "member": "text"},
        "primary_key": ["id"],
    },
    "public.members": {
        "columns": {"id": "integer", "organization_id": "integer", "user_id": "text"},
        "primary_key": ["id"],
        "foreign_keys": [
            {
                "name": "members_organization_id_fkey",
                "columns": ["organization_id"],
                "references": "public.organizations",
                "ref_columns": ["id"],
            }
        ],
    },
    "public.documents": {
        "columns": {
            "id": "integer",
            "organization_id": "integer",
            "reviewer_id": "integer",
            "author_id": "integer",
            "title": "text",
        },
        "primary_key": ["id"],
        "foreign_keys": [
            {
                "name": "documents_organization_id_fkey",
                "columns": ["organization_id"],
                "references": "public.organizations",
                "ref_columns": ["id"],
            },
            {
                "name": "documents_reviewer_id_fkey",
                "columns": ["reviewer_id"],
                "references": "public.members",
                "ref_columns": ["id"],
            },
            {
                "name": "documents_author_id_fkey",
                "columns": ["author_id"],
                "references": "public.members",
                "ref_columns": ["id"],
            },
        ],
    },
    "public.organization_profiles": {
        "columns": {"organization_id": "integer", "bio": "text"},
        "primary_key": ["organization_id"],
        "foreign_keys": [
            {
                "name": "organization_profiles_organization_id_fkey",
                "columns": ["organization_id"],
                "references": "public.organizations",
                "ref_columns": ["id"],
            }
        ],
    },
}
RULES = """\
table: public.documents
select:
  viewer:
    columns: [id, title]
    filter: {organization: {members: {user_id: {_eq: x-hasura-user-db-id}}}}
"""


def names(entries: dict | None = None) -> dict[str, list[tuple[str, str]]]:
    snapshot = snapshot_from_data({"tables": SCHEMA})
    found = suggest(snapshot, entries or {})
    out: dict[str, list[tuple[str, str]]] = {}
    for s in found:
        out.setdefault(str(s.table), []).append((s.kind, s.name))
    return out


def test_names_follow_the_console() -> None:
    assert names() == {
        "public.documents": [
            ("object", "organization"),
            # The second and third keys to members: the name is taken, so <name>By<columns>.
            ("object", "member"),
            ("object", "memberByAuthorId"),
        ],
        "public.members": [
            ("object", "organization"),
            ("array", "documents"),
            ("array", "documentsByAuthorId"),
        ],
        "public.organization_profiles": [("object", "organization")],
        "public.organizations": [
            # The profile's key is its primary key: one-to-one, an object relationship.
            ("object", "organization_profile"),
            ("array", "documents"),
            # `member` is a column of organizations, but the array name is `members`.
            ("array", "members"),
        ],
    }


def test_a_column_with_the_name_forces_the_fallback() -> None:
    schema = {
        "public.users": {"columns": {"id": "integer"}, "primary_key": ["id"]},
        "public.notes": {
            "columns": {"id": "integer", "user": "text", "user_id": "integer"},
            "foreign_keys": [
                {
                    "name": "notes_user_id_fkey",
                    "columns": ["user_id"],
                    "references": "public.users",
                    "ref_columns": ["id"],
                }
            ],
        },
    }
    found = suggest(snapshot_from_data({"tables": schema}), {})
    assert [(str(s.table), s.name) for s in found] == [
        ("public.notes", "userByUserId"),
        ("public.users", "notes"),
    ]


def test_existing_relationships_are_not_suggested_again() -> None:
    entries = {
        TableName("public", "documents"): {
            "table": {"name": "documents", "schema": "public"},
            "object_relationships": [
                # Same key under another name: already there.
                {"name": "org", "using": {"foreign_key_constraint_on": "organization_id"}},
            ],
        }
    }
    found = names(entries)["public.documents"]
    assert ("object", "organization") not in found
    assert found == [("object", "member"), ("object", "memberByAuthorId")]


@pytest.mark.parametrize(
    ("word", "singular", "plural"),
    [
        ("users", "user", "users"),
        ("user", "user", "users"),
        ("project_notes", "project_note", "project_notes"),
        ("categories", "category", "categories"),
        ("statuses", "status", "statuses"),
        ("status", "status", "statuses"),
        ("addresses", "address", "addresses"),
        ("boxes", "box", "boxes"),
        ("people", "person", "people"),
        ("person", "person", "people"),
        ("children", "child", "children"),
        ("analyses", "analysis", "analyses"),
        ("news", "news", "news"),
        ("Artist", "Artist", "Artists"),
        ("PlaylistTrack", "PlaylistTrack", "PlaylistTracks"),
        ("data", "datum", "data"),
    ],
)
def test_inflection(word: str, singular: str, plural: str) -> None:
    assert (singularize(word), pluralize(word)) == (singular, plural)


# ----------------------------------------------------------------------- command


def project(tmp_path: Path, metadata: dict | None = None) -> Path:
    return make_project(
        tmp_path / "project",
        {"roles.yaml": ROLES, "tables/documents.yaml": RULES},
        schema=SCHEMA,
        metadata=metadata,
    )


def test_the_error_says_where_relationships_come_from_and_shows_the_yaml(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("--project", str(root), "compile")
    assert result.code == 1
    # metadata/ does not exist yet: compile says so first.
    assert result.err.startswith("note: metadata/ (`metadata:` in hasura-perm.yaml) does not")
    assert result.err.splitlines()[1] + "\n" == (
        "error: permissions/tables/documents.yaml:5:14: unknown column or relationship "
        "`organization` on public.documents; relationships are read from the Hasura metadata "
        "table files (metadata/databases/default/tables/public_documents.yaml), not from the "
        "schema snapshot. The foreign key between public.documents (organization_id) and "
        "public.organizations (id) gives this object relationship: run `hasura-perm "
        "relationships add --table public.documents`, or add to that file "
        "`object_relationships: [{name: organization, using: {foreign_key_constraint_on: "
        "organization_id}}]`\n"
    )


def test_a_close_name_points_at_the_relationship(tmp_path: Path) -> None:
    root = project(tmp_path)
    rules = root / "permissions/tables/documents.yaml"
    rules.write_text(RULES.replace("{organization:", "{organisation:"))
    result = run_cli("--project", str(root), "compile")
    assert "did you mean `organization`, a relationship its foreign keys give?" in result.err


def test_add_writes_them_and_compile_then_works(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("--project", str(root), "relationships", "add")
    assert result.code == 0, result.err
    assert "Added 10 relationship(s) to 4 table(s):" in result.out
    documents = load_yaml(table_file(root, "public.documents"))
    assert documents["object_relationships"][0] == {
        "name": "member",
        "using": {"foreign_key_constraint_on": "reviewer_id"},
    }
    organizations = load_yaml(table_file(root, "public.organizations"))
    assert organizations["object_relationships"] == [
        {
            "name": "organization_profile",
            "using": {
                "manual_configuration": {
                    "column_mapping": {"id": "organization_id"},
                    "insertion_order": None,
                    "remote_table": {"name": "organization_profiles", "schema": "public"},
                }
            },
        }
    ]
    compiled = run_cli("--project", str(root), "compile")
    assert compiled.code == 0, compiled.err
    again = run_cli("--project", str(root), "relationships", "add")
    assert again.out.startswith("No relationships to add")


def test_add_never_changes_existing_relationships(tmp_path: Path) -> None:
    existing = """\
    table:
      name: documents
      schema: public
    object_relationships:
      - name: organization
        using:
          manual_configuration:
            column_mapping:
              reviewer_id: id
            insertion_order: null
            remote_table:
              name: organizations
              schema: public
    """
    root = project(tmp_path, metadata={"public.documents": existing})
    result = run_cli("--project", str(root), "relationships", "add", "--table", "public.documents")
    assert result.code == 0, result.err
    rels = load_yaml(table_file(root, "public.documents"))["object_relationships"]
    # `organization` is taken by the user's own relationship, kept exactly; the key gets
    # the console's fallback name.
    assert [r["name"] for r in rels] == [
        "member",
        "memberByAuthorId",
        "organization",
        "organizationByOrganizationId",
    ]
    assert rels[2]["using"]["manual_configuration"]["column_mapping"] == {"reviewer_id": "id"}
    assert not table_file(root, "public.members").exists()


def test_suggest_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = tree_bytes(root)
    result = run_cli("--project", str(root), "relationships", "suggest", "--table", "documents")
    assert result.code == 0, result.err
    assert result.out.startswith("# 3 relationship(s) the foreign keys give;")
    assert "  - name: memberByAuthorId\n" in result.out
    assert tree_bytes(root) == before


def test_an_unknown_table_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("--project", str(root), "relationships", "add", "--table", "nope")
    assert result.code == 1
    assert "--table nope: no such table in the schema snapshot" in result.err


def test_metadata_relationships_resolve_each_way_of_writing_one() -> None:
    """One reader for every consumer (catalog, lint, permission tests): manual mappings,
    our foreign key, the other table's foreign key, and what the schema cannot resolve."""
    from hasura_perm.schema.relationships import metadata_relationships

    tables = snapshot_from_data({"version": 1, "tables": SCHEMA}).tables
    members, orgs = TableName("public", "members"), TableName("public", "organizations")
    entry = {
        "object_relationships": [
            {"name": "organization", "using": {"foreign_key_constraint_on": "organization_id"}},
            {"name": "nowhere", "using": {"foreign_key_constraint_on": "user_id"}},
            {
                "name": "same_org",
                "using": {
                    "manual_configuration": {
                        "remote_table": "organizations",
                        "column_mapping": {"organization_id": "id"},
                    }
                },
            },
            "not a relationship",
        ],
    }
    found = {r.name: r for r in metadata_relationships(members, entry, tables)}
    assert list(found) == ["organization", "nowhere", "same_org"]
    assert (found["organization"].target, found["organization"].mapping) == (
        orgs,
        (("organization_id", "id"),),
    )
    assert (found["nowhere"].target, found["nowhere"].columns) == (None, ("user_id",))
    assert found["nowhere"].mapping == ()
    assert found["same_org"].target == orgs
    assert found["same_org"].columns == ("organization_id",)
    reverse = {
        "array_relationships": [
            {
                "name": "members",
                "using": {
                    "foreign_key_constraint_on": {
                        "table": "members",
                        "columns": ["organization_id"],
                    }
                },
            }
        ]
    }
    (array,) = metadata_relationships(orgs, reverse, tables)
    assert (array.kind, array.target, array.columns, array.remote) == (
        "array",
        members,
        ("id",),
        ("organization_id",),
    )
    assert array.mapping == (("id", "organization_id"),)
