"""hasura-perm.yaml read into a Project: defaults, paths, environments, several sources, and
refusals at file:line. Every test writes the file to disk and reads it with load_project."""

from __future__ import annotations

from pathlib import Path

import pytest

from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.spec.project import CONFIG_NAME
from hasura_perm.spec.project import find_root
from hasura_perm.spec.project import load_project
from tests.helpers import write


def _project(root: Path, config: str) -> Path:
    write(root, CONFIG_NAME, config)
    return root


def test_an_empty_file_means_every_default(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path, ""))
    root = tmp_path.resolve()
    assert project.root == root
    assert project.permissions_dir == root / "permissions"
    assert project.metadata_dir == root / "metadata"
    assert project.schema_file == root / "permissions/schema.yaml"
    assert project.source == "default"
    assert project.sources == {"default": root / "permissions/schema.yaml"}
    assert not project.several_sources
    assert project.environments == {}
    assert project.schema_sql is None
    assert project.boolean_null_collapse is False


def test_paths_tests_and_environments_as_written(tmp_path: Path) -> None:
    config = """\
        version: 1
        permissions: rules
        metadata: hasura/metadata
        schema: db/snapshot.yaml
        source: main
        tests:
          schema_sql: db/schema.sql
          boolean_null_collapse: true
        environments:
          staging:
            endpoint: https://staging.example.com/
            admin_secret_env: STAGING_SECRET
            timeout: 5
            label: blue
          local:
            endpoint: http://localhost:8080
            admin_secret_env: LOCAL_SECRET
            insecure: true
        """
    project = load_project(_project(tmp_path, config))
    root = tmp_path.resolve()
    assert project.permissions_dir == root / "rules"
    assert project.metadata_dir == root / "hasura/metadata"
    assert project.schema_file == root / "db/snapshot.yaml"
    assert project.source == "main"
    assert project.schema_sql == root / "db/schema.sql"
    assert project.boolean_null_collapse is True
    staging = project.environment("staging")
    assert staging.endpoint == "https://staging.example.com"  # the trailing slash goes
    assert staging.admin_secret_env == "STAGING_SECRET"
    assert staging.timeout == 5.0 and staging.insecure is False
    assert staging.settings == {"label": "blue"}  # keys later features read
    local = project.environment("local")
    assert local.insecure is True and local.timeout == 30.0


def test_an_unknown_environment_names_the_known_ones(tmp_path: Path) -> None:
    config = "environments:\n  staging: {endpoint: http://h, admin_secret_env: S}\n"
    project = load_project(_project(tmp_path, config))
    with pytest.raises(HasuraPermError, match=r"unknown environment 'prod' \(known: staging\)"):
        project.environment("prod")
    empty = load_project(_project(tmp_path / "other", ""))
    with pytest.raises(HasuraPermError, match="none are defined"):
        empty.environment("prod")


def test_several_sources_each_with_its_snapshot(tmp_path: Path) -> None:
    config = """\
        sources:
          default: {schema: db/default.yaml, schema_sql: db/default.sql}
          analytics:
            extensions: [postgis]
            schema_sql: db/analytics.sql
        tests:
          schema_sql: db/shared.sql
        """
    project = load_project(_project(tmp_path, config))
    root = tmp_path.resolve()
    assert project.several_sources
    assert list(project.sources) == ["default", "analytics"]  # the primary source first
    assert project.source == "default"
    assert project.schema_file == root / "db/default.yaml"
    assert project.sources["analytics"] == root / "permissions/schema.analytics.yaml"
    assert project.extensions == {"default": (), "analytics": ("postgis",)}
    one = project.for_source("analytics")
    assert (one.source, one.schema_file) == (
        "analytics",
        root / "permissions/schema.analytics.yaml",
    )
    assert one.schema_sql == root / "db/analytics.sql"
    assert [p.source for p in project.each_source()] == ["default", "analytics"]
    with pytest.raises(HasuraPermError, match=r"unknown source 'nope' \(the project's sources"):
        project.for_source("nope")


def test_sources_and_source_together_are_refused_at_the_line(tmp_path: Path) -> None:
    config = "version: 1\nsource: main\nsources:\n  default: {}\n"
    with pytest.raises(SpecError) as caught:
        load_project(_project(tmp_path, config))
    [problem] = caught.value.problems
    where, message = problem.location, problem.message
    assert (where.file, where.line) == (CONFIG_NAME, 2)
    assert "`source` and `sources` cannot both be set" in message


@pytest.mark.parametrize("key", ["permissions", "metadata", "schema"])
def test_a_path_outside_the_project_is_refused(tmp_path: Path, key: str) -> None:
    root = _project(tmp_path / "project", f"version: 1\n{key}: ../elsewhere\n")
    with pytest.raises(SpecError) as caught:
        load_project(root)
    [problem] = caught.value.problems
    where, message = problem.location, problem.message
    assert (where.file, where.line) == (CONFIG_NAME, 2)
    assert f"`{key}: ../elsewhere` points outside the project folder" in message


def test_a_source_name_that_cannot_be_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_project(_project(tmp_path, "source: ../up\n"))
    [problem] = caught.value.problems
    where = problem.location
    assert (where.file, where.line) == (CONFIG_NAME, 1)


def test_relative_shows_paths_inside_the_project_relative_to_it(tmp_path: Path) -> None:
    project = load_project(_project(tmp_path, ""))
    assert project.relative(project.metadata_dir / "version.yaml") == "metadata/version.yaml"
    assert project.relative(Path("/somewhere/else.yaml")) == "/somewhere/else.yaml"


def test_the_root_is_found_upwards_and_its_absence_explained(tmp_path: Path) -> None:
    root = _project(tmp_path / "project", "")
    deep = root / "permissions" / "tables"
    deep.mkdir(parents=True)
    assert find_root(deep) == root.resolve()
    with pytest.raises(HasuraPermError, match=f"no {CONFIG_NAME} found in .*hasura-perm init"):
        find_root(tmp_path / "nowhere")


def test_a_missing_config_file_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(HasuraPermError, match="does not exist; start a project there"):
        load_project(tmp_path)
