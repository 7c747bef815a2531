"""Fixtures for the Cognito tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hasura_perm.cognito.loader import load_cognito
from hasura_perm.spec.project import load_project
from tests.cognito.support import make_project


@pytest.fixture(scope="session")
def example_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example with the standard test `cognito:` section (V2_0, deny)."""
    return make_project(tmp_path_factory.mktemp("cognito-example"))


@pytest.fixture(scope="session")
def example_mapping(example_project: Path) -> dict[str, Any]:
    return load_cognito(load_project(example_project)).mapping
