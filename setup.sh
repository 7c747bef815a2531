#!/usr/bin/env bash
# Install hasura-perm from this checkout (runtime dependencies only) and compile the bundled
# example project. Uses the active virtualenv, or makes .venv here when none is active.
set -euo pipefail
cd "$(dirname "$0")"

if [[ -n "${VIRTUAL_ENV:-}" ]]; then
  venv="$VIRTUAL_ENV"
else
  venv=.venv
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "Creating a virtualenv in $venv..."
    python3 -m venv "$venv"
  fi
fi

echo "Installing hasura-perm into $venv..."
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e .

echo "Compiling the example project (permissions/ -> metadata/)..."
"$venv/bin/hasura-perm" compile

if [[ "${VIRTUAL_ENV:-}" != "$(cd "$venv" && pwd)" ]]; then
  echo
  echo "Done. Activate the virtualenv to use hasura-perm:  . $venv/bin/activate"
fi
