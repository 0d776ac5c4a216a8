"""Slow: the served project under bad input and bad days, over real HTTP."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from conftest import Environments
from matrix import Case, level_defaults
from projects import Installed, serving
from tracks import UPLOAD_TRACKS

pytestmark = pytest.mark.slow

ST = str(Path(sys.executable).parent / "st")
SEED = 42
MIN_CASES = 200
LEVEL_DEFAULTS = level_defaults()


def schemathesis_counts(report: Path) -> dict[str, Counter]:
    """Per operation: cases generated and responses by status class, from the NDJSON report."""
    counts: dict[str, Counter] = {}
    for line in report.read_text().splitlines():
        event = json.loads(line)
        recorder = event.get("ScenarioFinished", {}).get("recorder", {})
        if "label" not in recorder:
            continue
        tally = counts.setdefault(recorder["label"], Counter())
        tally["cases"] += len(recorder.get("cases", {}))
        for interaction in recorder.get("interactions", {}).values():
            status = (interaction.get("response") or {}).get("status_code")
            tally[f"{status // 100}xx" if status else "no response"] += 1
    return counts


@pytest.mark.parametrize("case", LEVEL_DEFAULTS, ids=[case.id for case in LEVEL_DEFAULTS])
def test_schemathesis_finds_no_5xx_and_no_schema_violations(
    case: Case, trained: Environments, tmp_path: Path
) -> None:
    uploads = case.track in UPLOAD_TRACKS
    with serving(trained(case.track, case.level)) as server:
        result = subprocess.run(
            [
                ST,
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "all",
                *(["--exclude-checks", "positive_data_acceptance"] if uploads else []),
                "--max-examples",
                str(MIN_CASES),
                "--seed",
                str(SEED),
                "--no-color",
                "--report",
                "ndjson",
                "--report-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,  # schemathesis keeps a cache folder in its working directory
        )
        assert result.returncode == 0, result.stdout[-6000:]
    (report,) = tmp_path.glob("*.ndjson")
    counts = schemathesis_counts(report)
    print("schemathesis:", {op: dict(tally) for op, tally in counts.items()})
    for operation in [op for op in counts if op.startswith("POST")]:  # /predict, /explain
        assert counts[operation]["cases"] >= MIN_CASES, operation
    assert {"GET /health", "GET /ready", "GET /metadata"} <= counts.keys()
    assert sum(tally["5xx"] for tally in counts.values()) == 0


def test_no_model_starts_and_says_why(trained_project: Installed, tmp_path: Path) -> None:
    with serving(trained_project, env={"APP_MODEL_DIR": str(tmp_path)}, ready=False) as server:
        ready = httpx.get(f"{server.url}/ready")
        assert ready.status_code == 503
        assert "run the train command" in ready.json()["reason"]
        predict = httpx.post(f"{server.url}/predict", json={"rows": [{"x": 1.0}]})
        assert predict.status_code == 503


def test_corrupted_model_gives_a_readable_error_not_a_traceback(
    trained_project: Installed, tmp_path: Path
) -> None:
    broken = tmp_path / "models"
    shutil.copytree(trained_project.project / "models", broken)
    (broken / "model.onnx").write_bytes(b"\x00garbage")
    with serving(trained_project, env={"APP_MODEL_DIR": str(broken)}, ready=False) as server:
        assert httpx.get(f"{server.url}/ready").status_code == 503
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=10)
        logs = server.logs()
    assert "serving without a model" in logs
    assert "not a readable ONNX file" in logs
    assert "Traceback" not in logs


def test_body_over_the_limit_is_a_413(trained_project: Installed) -> None:
    with serving(trained_project, env={"APP_MAX_REQUEST_BYTES": "100000"}) as server:
        body = b'{"rows": [' + b",".join([b'{"mean_radius": 1.0}'] * 10_000) + b"]}"
        response = httpx.post(
            f"{server.url}/predict", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413


def test_32_concurrent_clients_for_10_seconds(trained_project: Installed) -> None:
    with serving(trained_project) as server:
        features = httpx.get(f"{server.url}/metadata").json()["features"]
        body = {"rows": [{f["name"]: f["example"] for f in features}]}
        statuses: Counter = Counter()
        lock = threading.Lock()
        deadline = time.monotonic() + 10

        def client() -> None:
            with httpx.Client(base_url=server.url, timeout=10) as http:
                while time.monotonic() < deadline:
                    try:
                        code = str(http.post("/predict", json=body).status_code)
                    except httpx.HTTPError as error:
                        code = type(error).__name__
                    with lock:
                        statuses[code] += 1

        threads = [threading.Thread(target=client) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print("32 clients, 10 s:", dict(statuses))
        assert set(statuses) == {"200"}
        assert statuses["200"] > 100


def test_sigterm_lets_the_request_in_flight_finish(trained_project: Installed) -> None:
    with serving(trained_project) as server:
        features = httpx.get(f"{server.url}/metadata").json()["features"]
        body = json.dumps({"rows": [{f["name"]: f["example"] for f in features}]}).encode()
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            # Headers and half the body now, SIGTERM, then the rest: the request is in flight.
            sock.sendall(
                b"POST /predict HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[: len(body) // 2]
            )
            time.sleep(0.5)
            stopped_at = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            time.sleep(1)
            sock.sendall(body[len(body) // 2 :])
            # Read to the end: headers and body may arrive in separate segments,
            # and a server that is shutting down closes the connection after.
            received = []
            while chunk := sock.recv(65536):
                received.append(chunk)
            response = b"".join(received).decode()
        assert response.startswith("HTTP/1.1 200"), response
        assert '"predictions"' in response
        assert server.process.wait(timeout=10) in (0, -signal.SIGTERM)
        assert time.monotonic() - stopped_at < 10
        assert "Traceback" not in server.logs()
