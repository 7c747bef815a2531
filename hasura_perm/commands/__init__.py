"""One module per command. Each has NAME, HELP, DESCRIPTION, add_arguments(parser) and
run(args) -> exit code.

Commands are imported only when used (`load`): a `compile --check` in a pre-commit hook
should not pay for the HTTP, PostgreSQL and AWS libraries other commands need.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Command name -> module, in the order a user meets them: start, author, check, review,
# ship, adopt, identity.
MODULES = {
    "init": "hasura_perm.commands.init",
    "compile": "hasura_perm.commands.compile",
    "schema": "hasura_perm.commands.schema",
    "relationships": "hasura_perm.commands.relationships",
    "test": "hasura_perm.commands.test",
    "lint": "hasura_perm.commands.lint",
    "diff": "hasura_perm.commands.diff",
    "matrix": "hasura_perm.commands.matrix",
    "explain": "hasura_perm.commands.explain",
    "plan": "hasura_perm.commands.plan",
    "apply": "hasura_perm.commands.apply",
    "drift": "hasura_perm.commands.drift",
    "import": "hasura_perm.commands.import_",
    "cognito": "hasura_perm.commands.cognito",
}


def load(name: str) -> ModuleType:
    """The module of command `name`."""
    return importlib.import_module(MODULES[name])


def load_all() -> tuple[ModuleType, ...]:
    return tuple(load(name) for name in MODULES)
