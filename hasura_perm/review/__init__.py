"""Review artifacts: the permission-level diff between two git revisions (revision_diff,
diff_report), the access matrix (access_matrix, matrix_html, matrix_text), and the
explanation of one resolved rule (explanation).

Built on the shared change record (hasura_perm.remote.plan) and effect classification
(hasura_perm.remote.compare); `implication` decides a few more boolean-expression cases that
compare.py leaves `mixed`.
"""

from __future__ import annotations
