"""Load a project for the Cognito commands: compile it, check the mapping, compile the mapping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hasura_perm.cognito.mapping import cognito_compile_hook
from hasura_perm.cognito.mapping import compile_mapping
from hasura_perm.compiler.build import Build
from hasura_perm.compiler.build import build
from hasura_perm.schema.snapshot import load_snapshot
from hasura_perm.spec.by_source import load_project_spec
from hasura_perm.spec.project import Project


@dataclass
class CognitoProject:
    mapping: dict[str, Any]
    build: Build


def load_cognito(project: Project) -> CognitoProject:
    """Compile the project, check the Cognito mapping against it, and compile the mapping."""
    result = build(project)
    # build() does not hand out the spec and snapshot; reading them again costs milliseconds.
    spec = load_project_spec(project)
    snapshot = load_snapshot(
        project.schema_file, project.relative(project.schema_file), root=project.root
    )
    cognito_compile_hook(spec, result.compiled, snapshot)
    return CognitoProject(compile_mapping(spec, snapshot), result)
