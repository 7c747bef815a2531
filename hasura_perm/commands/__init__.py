"""One module per command. Each has NAME, HELP, DESCRIPTION, add_arguments(parser) and
run(args) -> exit code."""

from __future__ import annotations

from hasura_perm.commands import apply
from hasura_perm.commands import cognito
from hasura_perm.commands import compile as compile_
from hasura_perm.commands import diff
from hasura_perm.commands import drift
from hasura_perm.commands import explain
from hasura_perm.commands import import_
from hasura_perm.commands import init
from hasura_perm.commands import lint
from hasura_perm.commands import matrix
from hasura_perm.commands import plan
from hasura_perm.commands import relationships
from hasura_perm.commands import schema
from hasura_perm.commands import test

# In the order a user meets them: start, author, check, review, ship, adopt, identity.
ALL = (
    init,
    compile_,
    schema,
    relationships,
    test,
    lint,
    diff,
    matrix,
    explain,
    plan,
    apply,
    drift,
    import_,
    cognito,
)
