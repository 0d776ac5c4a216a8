"""Serving benchmark: our generated services against `mlflow models serve`.

Renders the classical-ml beginner and deep-learning beginner projects, installs
and trains each, then, in one run on this machine, measures side by side:

- ours:      the project's FastAPI service (`<slug> serve`)
- mlflow:    `mlflow models serve` on the same registered model
- constant:  a FastAPI endpoint that parses the same body and returns a constant
             (the ceiling for any FastAPI service on one core)
- in-process prediction of one row or image (the floor)

Each server is pinned to core 0 with taskset, wrk (Debian's package) to core 1.
Writes docs/benchmarks.md and exits 1 if a target below is missed.

    python benchmarks/serve.py            # needs wrk and taskset: apt-get install wrk
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import copier
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from projects import torch_options  # the suite's way to get CPU torch
from tracks import DIGIT_ZERO  # image 0 of scikit-learn's digits (a zero), 0-16

ROOT = Path(__file__).resolve().parents[1]
UV = str(Path(sys.executable).parent / "uv")
DOCS = ROOT / "docs" / "benchmarks.md"
DURATION_S = 10
WARMUP_S = 3  # discarded, before each server's first measured load
SERVER_CORE, LOAD_CORE = "0", "1"

# Targets from issue 8, as ratios measured in this run.
TARGETS = {
    "req/s at c=32 vs mlflow": 3.0,
    "req/s at c=32 vs constant": 0.5,
    "p99 at c=32 vs mlflow (at most)": 0.25,
    "start-up vs mlflow (at most)": 1 / 3,
    "peak RSS vs mlflow (at most)": 0.5,
}

# A Lua long string of level 2: the JSON bodies contain "]]" (nested arrays).
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
"""

CONSTANT_APP = """
from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/ready")
async def ready():
    return {"status": "ready"}


@app.post("/predict")
async def predict(request: Request):
    await request.json()  # parse the body like the real services do
    return {"predictions": [{"prediction": "0"}]}
"""

TABULAR_FLOOR = """
import dataclasses, json, pathlib, time
from tumor_classifier.export import load_model
from tumor_classifier.serving.predictor import Predictor
exported = load_model(pathlib.Path("models"))
row = json.loads(pathlib.Path("row.json").read_text())
result = {}
for name, p in (("onnx", Predictor(exported)),
                ("scikit-learn", Predictor(dataclasses.replace(exported, onnx_path=None)))):
    p.predict([row]); n = 2000 if p.is_fast else 200; t = time.perf_counter()
    for _ in range(n): p.predict([row])
    result[name] = (time.perf_counter() - t) / n * 1e6
print(json.dumps(result))
"""

IMAGE_FLOOR = """
import json, time
import numpy as np, torch
import mlflow
from digit_recognizer.config import Settings
from digit_recognizer.serving.predictor import load_predictor
torch.set_num_threads(1)
image = np.asarray(json.load(open("image.json")), dtype=np.float32)[None, None] / 16
predictor = load_predictor(Settings())
version = json.load(open("models/metadata.json"))["model_version"]
# MLflow 3 saves PyTorch models through torch.export: this is the exported graph,
# already in inference mode (it refuses .eval()).
model = mlflow.pytorch.load_model(f"models:/digit-recognizer/{version}")
def onnx(): predictor.predict(image)
def native():
    with torch.no_grad(): model(torch.from_numpy(image))
result = {}
for name, call in (("onnx", onnx), ("torch", native)):
    call(); t = time.perf_counter()
    for _ in range(2000): call()
    result[name] = (time.perf_counter() - t) / 2000 * 1e6
print(json.dumps(result))
"""


@dataclass(frozen=True)
class Subject:
    """A rendered project to benchmark and the requests it answers."""

    track: str
    slug: str
    what: str  # the model, in words
    ours: str  # one-row/one-image body for our service
    ours_batch: str  # 32 rows/images
    mlflow: str  # the same for `mlflow models serve`
    mlflow_batch: str
    floor_code: str
    floor_input: tuple[str, str]  # file name, contents


def subject_of(project: Path) -> Subject:
    """The bodies for a trained project, from its exported metadata."""
    metadata = json.loads((project / "models" / "metadata.json").read_text())
    if "features" in metadata:
        row = {f["name"]: f["example"] for f in metadata["features"]}
        return Subject(
            track="classical-ml",
            slug="tumor-classifier",
            what="breast-cancer logistic-regression pipeline (ONNX)",
            ours=json.dumps({"rows": [row]}),
            ours_batch=json.dumps({"rows": [row] * 32}),
            mlflow=json.dumps({"dataframe_records": [row]}),
            mlflow_batch=json.dumps({"dataframe_records": [row] * 32}),
            floor_code=TABULAR_FLOOR,
            floor_input=("row.json", json.dumps(row)),
        )
    tensor = [[[value / 16 for value in line] for line in DIGIT_ZERO]]  # (1, 8, 8) in [0, 1]
    return Subject(
        track="deep-learning",
        slug="digit-recognizer",
        what="digits CNN, 8x8 pixel arrays as JSON (ONNX)",
        ours=json.dumps({"images": [DIGIT_ZERO]}),
        ours_batch=json.dumps({"images": [DIGIT_ZERO] * 32}),
        mlflow=json.dumps({"inputs": [tensor]}),
        mlflow_batch=json.dumps({"inputs": [tensor] * 32}),
        floor_code=IMAGE_FLOOR,
        floor_input=("image.json", json.dumps(DIGIT_ZERO)),
    )


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Server:
    name: str
    startup_s: float = 0.0
    peak_rss_mb: float = 0.0
    loads: dict[str, Load] = field(default_factory=dict)


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> str:
    result = subprocess.run(
        list(args), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def tree_pids(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (
                (task / "children").read_text().split() if (task / "children").exists() else []
            )
            queue += [int(child) for child in children]
    return pids


def peak_rss_mb(pid: int) -> float:
    """Sum of each process's peak resident set (VmHWM) over the process tree."""
    total_kb = 0
    for member in tree_pids(pid):
        status = Path(f"/proc/{member}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            total_kb += int(match.group(1)) if match else 0
    return total_kb / 1024


def wrk(url: str, body: str, connections: int, work: Path, seconds: int = DURATION_S) -> Load:
    script = work / "post.lua"
    script.write_text(LUA.format(body=body))
    output = run(
        "taskset",
        "-c",
        LOAD_CORE,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        url,
    )

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    return Load(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        errors=(int(errors.group(1)) if errors else 0) + (1 if socket_errors else 0),
    )


def measure(
    name: str,
    command: list[str],
    ready_url: str,
    cwd: Path,
    env: dict,
    endpoint: str,
    bodies: dict[str, tuple[str, int]],
    work: Path,
) -> Server:
    server = Server(name)
    started = time.monotonic()
    process = subprocess.Popen(
        ["taskset", "-c", SERVER_CORE, *command],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() - started > 120:
                raise SystemExit(f"{name} did not start")
            time.sleep(0.05)
        server.startup_s = time.monotonic() - started
        # The same warm-up for every server: first requests pay for lazy set-up
        # (imports, caches, the allocator growing) that a running service has paid.
        warm_body, _ = next(iter(bodies.values()))
        wrk(endpoint, warm_body, 32, work, seconds=WARMUP_S)
        for label, (body, connections) in bodies.items():
            server.loads[label] = wrk(endpoint, body, connections, work)
        server.peak_rss_mb = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return server


def prepare(track: str, work: Path) -> tuple[Path, dict]:
    """Render, install and train one project; returns it and its environment."""
    project = work / track
    print(f"rendering, installing and training the {track} beginner project ...")
    copier.run_copy(
        str(ROOT),
        project,
        data={"track": track},
        vcs_ref="HEAD",
        defaults=True,
        skip_tasks=True,
        quiet=True,
    )
    run(UV, "venv", "--quiet", "--python", sys.executable, str(project / ".venv"))
    python = str(project / ".venv" / "bin" / "python")
    pyproject = (project / "pyproject.toml").read_text()
    extra = torch_options(work) if '"torch' in pyproject else []
    run(UV, "pip", "install", "--quiet", "--python", python, *extra, "-e", ".[dev]", cwd=project)
    env = {
        "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'mlflow.db'}",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        # `mlflow models serve` starts `uvicorn` from PATH: put the project's venv first.
        "PATH": f"{project / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    slug = "tumor-classifier" if track == "classical-ml" else "digit-recognizer"
    run(str(project / ".venv" / "bin" / slug), "train", cwd=project, env=env)
    return project, env


def bench(track: str, work: Path) -> tuple[Subject, list[Server], dict, dict, dict]:
    project, env = prepare(track, work)
    subject = subject_of(project)
    name, contents = subject.floor_input
    (project / name).write_text(contents)
    floor = json.loads(
        run(
            str(project / ".venv" / "bin" / "python"),
            "-c",
            subject.floor_code,
            cwd=project,
            env=env,
        )
    )
    (work / "constant_app.py").write_text(CONSTANT_APP)
    metadata = json.loads((project / "models" / "metadata.json").read_text())
    model_uri = f"models:/{subject.slug}/{metadata['model_version']}"
    bin_dir = project / ".venv" / "bin"
    single, batch = subject.ours, subject.ours_batch
    servers = [
        measure(
            "ours",
            [str(bin_dir / subject.slug), "serve", "--host", "127.0.0.1", "--port", "8801"],
            "http://127.0.0.1:8801/ready",
            project,
            env,
            "http://127.0.0.1:8801/predict",
            {"c=1": (single, 1), "c=32": (single, 32), "batch32 c=32": (batch, 32)},
            work,
        ),
        measure(
            "mlflow models serve",
            [
                str(bin_dir / "mlflow"),
                "models",
                "serve",
                "-m",
                model_uri,
                "--env-manager",
                "local",
                "--host",
                "127.0.0.1",
                "-p",
                "8802",
            ],
            "http://127.0.0.1:8802/ping",
            project,
            env,
            "http://127.0.0.1:8802/invocations",
            {
                "c=1": (subject.mlflow, 1),
                "c=32": (subject.mlflow, 32),
                "batch32 c=32": (subject.mlflow_batch, 32),
            },
            work,
        ),
        measure(
            "constant FastAPI",
            [
                str(bin_dir / "uvicorn"),
                "constant_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                "8803",
                "--no-access-log",
            ],
            "http://127.0.0.1:8803/ready",
            work,
            env,
            "http://127.0.0.1:8803/predict",
            {"c=1": (single, 1), "c=32": (single, 32)},
            work,
        ),
    ]
    ours, mlflow, constant = servers
    ratios = {
        "req/s at c=32 vs mlflow": ours.loads["c=32"].requests_per_s
        / mlflow.loads["c=32"].requests_per_s,
        "req/s at c=32 vs constant": ours.loads["c=32"].requests_per_s
        / constant.loads["c=32"].requests_per_s,
        "p99 at c=32 vs mlflow (at most)": ours.loads["c=32"].p99_ms / mlflow.loads["c=32"].p99_ms,
        "start-up vs mlflow (at most)": ours.startup_s / mlflow.startup_s,
        "peak RSS vs mlflow (at most)": ours.peak_rss_mb / mlflow.peak_rss_mb,
    }
    met = {
        name: (value >= TARGETS[name]) if "at most" not in name else (value <= TARGETS[name])
        for name, value in ratios.items()
    }
    # Throughput of failed requests proves nothing: any error fails the run.
    met["no failed requests"] = all(
        load.errors == 0 for server in servers for load in server.loads.values()
    )
    return subject, servers, floor, ratios, met


def main() -> int:
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is required: apt-get install wrk util-linux")
    work = Path(tempfile.mkdtemp(prefix="mlfolio-bench-"))
    tracks = sys.argv[1:] or ["classical-ml", "deep-learning"]
    results = [bench(track, work) for track in tracks]
    write_report(results)
    print(DOCS.read_text())
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(all(met.values()) for *_, met in results) else 1


def write_report(results: list[tuple[Subject, list[Server], dict, dict, dict]]) -> None:
    lines = [
        "# Serving benchmark",
        "",
        "Written by `python benchmarks/serve.py` (needs `wrk`; run after `bash scripts/test.sh`",
        "has made `.venv`). Beginner projects, default answers. Each server pinned to core "
        f"{SERVER_CORE},",
        f"wrk (1 thread) to core {LOAD_CORE}, {DURATION_S} s per load after a {WARMUP_S} s",
        "warm-up, loopback. One row or image a request unless `batch32` (32 a request).",
        "Ratios are within one project's run.",
    ]
    for subject, servers, floor, ratios, met in results:
        lines += [
            "",
            f"## {subject.track}: {subject.what}",
            "",
            "| server | load | req/s | rows/s | p50 (ms) | p99 (ms) | errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for server in servers:
            for label, load in server.loads.items():
                rows = load.requests_per_s * (32 if label.startswith("batch32") else 1)
                lines.append(
                    f"| {server.name} | {label} | {load.requests_per_s:,.0f} | {rows:,.0f} | "
                    f"{load.p50_ms:.2f} | {load.p99_ms:.2f} | {load.errors} |"
                )
        lines += ["", "| server | start-up to ready (s) | peak RSS (MB) |", "|---|---|---|"]
        lines += [f"| {s.name} | {s.startup_s:.2f} | {s.peak_rss_mb:,.0f} |" for s in servers]
        lines += [
            "",
            "In-process prediction of one row or image (the floor): "
            + ", ".join(f"{name} {us:,.0f} µs" for name, us in floor.items())
            + ".",
            "",
            "| target (issue 8) | measured | required | met |",
            "|---|---|---|---|",
        ]
        for name, value in ratios.items():
            bound = "≤" if "at most" in name else "≥"
            lines.append(
                f"| {name} | {value:.2f} | {bound} {TARGETS[name]:.2f} | "
                f"{'yes' if met[name] else 'NO'} |"
            )
        lines.append(f"| no failed requests | | | {'yes' if met['no failed requests'] else 'NO'} |")
    DOCS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
