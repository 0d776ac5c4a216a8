#!/usr/bin/env bash
# The main job: render the default project into ./demo/, install it, train it,
# serve it, and ask the running service for a real prediction.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
DEST="${1:-$ROOT/demo/tumor-classifier}"
PORT="${PORT:-8000}"

echo "==> Rendering the default project into $DEST"
rm -rf "$DEST"
copier copy --defaults --vcs-ref HEAD --skip-tasks --quiet "$ROOT" "$DEST"
cd "$DEST"

echo "==> Installing it into $DEST/.venv"
uv venv --quiet --python python3 .venv
uv pip install --quiet --python .venv/bin/python -e ".[dev]"

echo "==> Training (MLflow store: $DEST/mlflow.db)"
.venv/bin/tumor-classifier train

echo "==> Serving on port $PORT"
PORT="$PORT" .venv/bin/tumor-classifier serve --host 127.0.0.1 > serve.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { cat serve.log; exit 1; }
    sleep 0.5
done

echo "==> GET /ready"
curl -fsS "http://127.0.0.1:$PORT/ready"; echo
echo "==> POST /predict with the first test-set row"
ROW=$(.venv/bin/python - <<'PY'
import json
from tumor_classifier.config import Settings
from tumor_classifier.data import load_dataset, split_dataset
settings = Settings()
split = split_dataset(load_dataset(settings), settings)
print(json.dumps({"rows": [split.x_test.iloc[0].to_dict()]}))
PY
)
curl -fsS -X POST "http://127.0.0.1:$PORT/predict" -H 'Content-Type: application/json' -d "$ROW" \
    | .venv/bin/python -m json.tool
echo "==> Done. The project is in $DEST; run it yourself with:"
echo "    cd $DEST && .venv/bin/tumor-classifier serve   # then open http://localhost:8000/"
