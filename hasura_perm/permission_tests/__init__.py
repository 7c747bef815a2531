"""Permission tests: cases in permissions/tests/*.yaml, run on real PostgreSQL against the
compiled permissions, with rule coverage and mutation testing.

Modules: cases (file format, loading), tree (Hasura boolean expressions parsed, walked,
rewritten), sql (the tree -> SQL, as Hasura means it), relations (relationships and computed
fields from the metadata), database (throwaway cluster or --db), runner (fixtures and
savepoints), actions (what a select/insert/update/delete case runs), outcome, judge
(expected vs got), coverage, mutation, render (text, JSON, JUnit), engine (load + run: the
entry point).
"""

from __future__ import annotations
