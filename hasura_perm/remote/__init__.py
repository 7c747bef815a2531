"""The Hasura server: the metadata API client (client, the only module that imports
requests), endpoint safety (endpoint), the bulk request (bulk), plans and their comparison
(plan, compare, surface_changes), checks before a write (preflight), and apply/drift (apply).
"""
