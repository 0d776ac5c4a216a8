#!/usr/bin/env bash
# The template's test suite: renders every case copier.yml allows, checks it,
# installs, tests, trains and serves the rendered projects, builds and runs
# their Docker images and drives their demo pages in Chromium.
# Extra arguments go to pytest, e.g. `-m "not slow and not docker"` for the
# fast part (seconds).
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/containers.sh"
cd "$ROOT"
T0=$(date +%s)
step() { echo "--- [$(( $(date +%s) - T0 ))s] $*"; }

trap containers_down EXIT
step "system tools: Docker engine, base images, browser, docker-compose, PostgreSQL"
containers_up
step "pytest"
python -m pytest -n 2 --dist loadgroup --durations=10 "$@"
step "done"
