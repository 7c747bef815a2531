"""Hasura boolean expressions: the operators (operators), checked against the catalog as
written in permissions/ (validate), parsed into a tree (tree) or walked as plain data
(walk), the normal forms (normal), the effect of a change (effect), and translated to SQL
as Hasura means it (sql)."""
