"""Review artifacts: the permission-level diff between two git revisions (diff), the access
matrix (matrix, matrix_html), and the explanation of one resolved rule (explain).

Built on the shared change record (hasura_perm.plan) and effect classification
(hasura_perm.compare); `implication` decides a few more boolean-expression cases that
compare.py leaves `mixed`.
"""

from __future__ import annotations
