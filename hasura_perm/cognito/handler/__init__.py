"""The Lambda handlers. Standard library only: each module runs alone on the AWS Lambda
Python runtime, next to the compiled mapping `hasura_perm_cognito.json`."""

from __future__ import annotations
