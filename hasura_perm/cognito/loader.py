"""The compile every command runs: `build`, then the Cognito mapping checked against it.

compiler/ knows nothing of Cognito (it comes earlier in the flow of data), so the check of
the `cognito:` section and the session sources runs here, right after the compile: a
project with a bad mapping fails `compile`, `lint`, `plan`, ... with the same problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hasura_perm.cognito.mapping import cognito_compile_hook
from hasura_perm.cognito.mapping import compile_mapping
from hasura_perm.compiler.build import Build
from hasura_perm.compiler.build import build
from hasura_perm.compiler.build import build_all
from hasura_perm.spec.project import Project


def checked_build(project: Project) -> Build:
    """Compile one source; raise SpecError when the Cognito mapping does not fit it."""
    result = build(project)
    _check(result)
    return result


def _check(result: Build) -> None:
    assert result.spec is not None  # a build of one source has its spec
    cognito_compile_hook(result.spec, result.compiled, result.snapshot)


def checked_build_all(project: Project) -> list[Build]:
    """One checked build per source (one, unless hasura-perm.yaml has `sources:`)."""
    builds = build_all(project)
    for result in builds:
        _check(result)
    return builds


@dataclass
class CognitoProject:
    mapping: dict[str, Any]
    build: Build


def load_cognito(project: Project) -> CognitoProject:
    """Compile the project, check the Cognito mapping against it, and compile the mapping."""
    result = checked_build(project)
    assert result.spec is not None
    return CognitoProject(compile_mapping(result.spec, result.snapshot), result)
