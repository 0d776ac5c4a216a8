# Sourced by scripts/demo.sh and scripts/test.sh: make ./.venv with the pinned
# tools from pyproject.toml's `test` extra. Needs only python3 (>= 3.11) and git.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
for tool in python3 git; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 1; }
done
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "error: Python 3.11 or newer is required" >&2; exit 1; }
if [ ! -x "$VENV/bin/uv" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv==0.13.8
fi
# Compiled once here: with PYTHONDONTWRITEBYTECODE=1 (common on CI machines) every
# process would otherwise compile what it imports from source, every time.
"$VENV/bin/uv" pip install --quiet --compile-bytecode --python "$VENV/bin/python" \
    -r "$ROOT/pyproject.toml" --extra test
export PATH="$VENV/bin:$PATH"
export MLFLOW_DISABLE_TELEMETRY=true
