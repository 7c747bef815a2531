"""hasura-perm: Hasura v2 permissions as code.

Packages by stage, in the order data flows (docs/architecture.md has the map):

    core      shared basics (errors, names, paths, located YAML, validation)
    schema    the database: permissions/schema.yaml, introspection, the catalog
    spec      permissions/*.yaml and hasura-perm.yaml -> Spec, roles resolved
    boolexp   Hasura boolean expressions: operators, validate, tree, walk, normal
              forms, effects (plan, drift and diff), SQL
    metadata  metadata/ files and exports in Hasura's stored form
    compiler  Spec + schema -> permissions -> metadata/ (build)
    remote    the Hasura server: client, plan, apply, drift
    report    plan and drift renderers
    features  cognito, permission_tests, importer, lint, review
    commands  one module per verb; cli.py only parses arguments

A package imports only from itself and the packages above it in this list
(tests/architecture_test.py fails on anything else).
"""

from __future__ import annotations

__version__ = "0.1.0"
