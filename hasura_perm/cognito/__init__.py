"""Cognito integration from the same role definitions: the claims mapping (mapping.py), the
pre token generation and user sync Lambdas (handler/), the Hasura JWT secret (jwt_secret.py),
token inspection (whoami.py), user sync (sync.py) and packaging (package.py). See
docs/cognito.md.

Kept free of imports so that compiler/build.py can import `hasura_perm.cognito.mapping` (its compile
hook) without a cycle; the commands load projects through `hasura_perm.cognito.loader`.
"""

from __future__ import annotations
