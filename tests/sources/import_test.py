"""`import` in a project with several sources: every source at once, roles and conditions
named once, table files saying their source; then compile reproduces the metadata."""

from __future__ import annotations

import yaml

from tests.helpers import run_cli
from tests.helpers import write
from tests.sources.support import CONFIG
from tests.sources.support import two_source_project

NOTES = """\
table:
  name: notes
  schema: public
object_relationships:
  - name: writer
    using:
      manual_configuration:
        column_mapping:
          owner_id: id
        remote_table:
          name: users
          schema: public
select_permissions:
  - role: reader
    permission:
      columns:
        - id
        - owner_id
      filter:
        owner_id:
          _eq: X-Hasura-User-Id
  - role: writer_reader
    permission:
      columns:
        - id
      filter:
        writer:
          email:
            _is_null: false
"""
REPORT_NOTES = """\
table:
  name: notes
  schema: public
select_permissions:
  - role: reader
    permission:
      columns:
        - id
        - owner_id
      filter:
        owner_id:
          _eq: X-Hasura-User-Id
"""


def project_with_permissions(tmp_path):
    root = two_source_project(tmp_path, {}, config=CONFIG)
    (root / "permissions" / "roles.yaml").unlink()
    write(root, "metadata/databases/default/tables/public_notes.yaml", NOTES)
    write(root, "metadata/databases/reports/tables/public_notes.yaml", REPORT_NOTES)
    return root


def test_import_reads_every_source_and_compile_gives_the_metadata_back(tmp_path):
    root = project_with_permissions(tmp_path)
    before = {p: p.read_text() for p in (root / "metadata").rglob("*.yaml")}
    result = run_cli("--project", str(root), "import", "--metadata", str(root / "metadata"))
    assert result.code == 0, result.out + result.err
    assert "Round trip: the imported permissions compile to the same" in result.out
    tables = root / "permissions" / "tables"
    names = sorted(str(p.relative_to(tables)) for p in tables.rglob("*.yaml"))
    # reader's rule is the same in both sources: a default names both; writer_reader's
    # (through the `writer` relationship of default's notes) is a table file of that source.
    assert names == ["default/public.notes.yaml"]
    written = yaml.safe_load((tables / "default" / "public.notes.yaml").read_text())
    assert written["table"] == "default:public.notes"
    defaults = yaml.safe_load((root / "permissions" / "defaults.yaml").read_text())
    assert defaults["defaults"][0]["tables"] == ["default:public.notes", "reports:public.notes"]
    compiled = run_cli("--project", str(root), "compile", "--check")
    assert compiled.code == 0, compiled.out + compiled.err
    assert {p: p.read_text() for p in (root / "metadata").rglob("*.yaml")} == before


def test_import_of_one_source_of_several(tmp_path):
    root = project_with_permissions(tmp_path)
    result = run_cli(
        "--project", str(root), "import", "--metadata", str(root / "metadata"), "--source", "reports",
        "--dry-run",
    )  # fmt: skip
    assert result.code == 0, result.out + result.err
    assert "source reports" in result.out


SUMMARIES = """\
table:
  name: summaries
  schema: public
select_permissions:
  - role: reader
    permission:
      columns:
        - id
        - total
      filter:
        _exists:
          _table:
            name: notes
            schema: public
          _where:
            owner_id:
              _eq: X-Hasura-User-Id
"""


def test_import_keeps_exists_in_its_own_source(tmp_path):
    # `_exists` names a table of the permission's own source (Hasura's _exists never leaves
    # it): reports' summaries look into reports' notes, which default has too.
    root = project_with_permissions(tmp_path)
    write(root, "metadata/databases/reports/tables/public_summaries.yaml", SUMMARIES)
    before = {p: p.read_text() for p in (root / "metadata").rglob("*.yaml")}
    result = run_cli("--project", str(root), "import", "--metadata", str(root / "metadata"))
    assert result.code == 0, result.out + result.err
    assert "Round trip: the imported permissions compile to the same" in result.out
    compiled = run_cli("--project", str(root), "compile", "--check")
    assert compiled.code == 0, compiled.out + compiled.err
    assert {p: p.read_text() for p in (root / "metadata").rglob("*.yaml")} == before
