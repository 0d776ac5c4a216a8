#!/usr/bin/env bash
# The template's test suite: renders every case copier.yml allows, checks it,
# then installs, tests, trains and serves the rendered projects.
# Extra arguments go to pytest (e.g. `-m "not slow"` for the fast half).
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
exec python -m pytest -n 2 --dist loadgroup "$@"
