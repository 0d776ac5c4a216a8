#!/usr/bin/env bash
# The template's test suite: renders every case copier.yml allows, checks it,
# installs, tests, trains and serves the rendered projects, builds and runs
# their Docker images and drives their demo pages in Chromium.
# Extra arguments go to pytest, e.g. `-m "not slow and not docker"` for the
# fast part (seconds). With MLFOLIO_TIMES=FILE, every stage, test module,
# pytest worker and image build appends its time there (scripts/ci_times.py).
source "$(dirname "${BASH_SOURCE[0]}")/stages.sh"
stage "tools: the suite's virtual environment (.venv)"
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$ROOT/scripts/containers.sh"
cd "$ROOT"

trap containers_down EXIT
containers_up
stage "pytest"
# Groups start longest first in the order conftest.py gives them (not by size).
python -m pytest -n 2 --dist loadgroup --no-loadscope-reorder --durations=10 "$@"
stage_end
