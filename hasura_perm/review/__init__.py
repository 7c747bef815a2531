"""Review artifacts: the permission-level diff between two git revisions (revision_diff,
diff_report), the access matrix (access_matrix, matrix_html, matrix_text), and the
explanation of one resolved rule (explanation).

Built on the shared change record (hasura_perm.remote.plan) and its effects (remote.compare
field by field, boolexp.effect for filters and checks, the same as plan and drift).
"""

from __future__ import annotations
