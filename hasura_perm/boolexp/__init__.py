"""Hasura boolean expressions: checked against the catalog as written in permissions/
(validate), parsed into a tree (tree), and translated to SQL as Hasura means it (sql)."""
