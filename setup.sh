#!/usr/bin/env bash
# Set up hasura-perm from this checkout and run it on the bundled example project.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
hasura-perm compile
