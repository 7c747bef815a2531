"""The access matrix as plain text: one aligned grid per action, for a terminal."""

from __future__ import annotations

from hasura_perm.core.terminal import lines_text
from hasura_perm.core.terminal import visible
from hasura_perm.review.access_matrix import LEGEND
from hasura_perm.review.access_matrix import Matrix
from hasura_perm.review.access_matrix import cell_text
from hasura_perm.review.surface_matrix import surface_rows


def render_text(matrix: Matrix) -> str:
    legend = LEGEND.replace("**", "").replace("`", "")
    lines = [f"Access matrix: {len(matrix.tables)} tables x {len(matrix.roles)} roles.", legend]
    for action in matrix.actions:
        rows = [["table", *map(visible, matrix.roles)]]  # escaped first: widths stay true
        for table in matrix.tables:
            cells = (cell_text(matrix.cell(table, r, action)) for r in matrix.roles)
            rows.append([visible(str(table)), *map(visible, cells)])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines += ["", action]
        for row in rows:
            lines.append(
                "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
    surface = [[visible(c) for c in row] for row in surface_rows(matrix.surface, matrix.roles)]
    if surface:
        widths = [max(len(row[i]) for row in surface) for i in range(len(surface[0]))]
        lines += ["", "Hasura actions, functions and introspection"]
        for row in surface:
            lines.append(
                "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
    return lines_text(lines)
