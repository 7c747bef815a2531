"""Cycles and depths in name graphs (role inheritance, conditions using conditions).

Iterative on purpose: a chain of 2,000 roles must give a message, not a RecursionError.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping


def find_cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each cycle once, as [a, b, ..., a]: a depth-first walk from each name in sorted
    order, following edges in their given order."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(edges):
        if start in state:
            continue
        path = [start]
        stack = [iter(edges.get(start, ()))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(edges.get(nxt, ())))
    return found


def depths(edges: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """The longest chain below each name (0: no edges); the graph must have no cycles."""
    depth: dict[str, int] = {}
    for start in sorted(edges):
        stack = [start]
        while stack:
            name = stack[-1]
            if name in depth:
                stack.pop()
                continue
            pending = [n for n in edges.get(name, ()) if n not in depth and n in edges]
            if pending:
                stack.extend(pending)
                continue
            below = [depth[n] + 1 for n in edges.get(name, ()) if n in depth]
            depth[name] = max(below, default=0)
            stack.pop()
    return depth
