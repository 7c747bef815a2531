"""The database: the schema snapshot (permissions/schema.yaml), PostgreSQL introspection and
throwaway clusters, migrations replay, column types and literals, relationships, and the
catalog that answers "does this table/column/relationship exist" for later stages."""
