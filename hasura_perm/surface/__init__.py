"""The permission surface beyond tables: which roles may call each Hasura action, and which
roles may not introspect the GraphQL schema. Compiled from the same roles as the table rules
(rules.py), written into actions.yaml and graphql_schema_introspection.yaml (files.py), and
planned, applied and checked for drift through the metadata API (live.py)."""
