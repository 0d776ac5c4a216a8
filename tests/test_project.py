"""Slow: rendered projects install, pass their own tests, train and serve.

The default case installs from its own pyproject.toml into a fresh virtual
environment. The other cases share that environment (their dependencies are
the same) and put their own ``src/`` first on the path, which keeps CI inside
its time budget while still running every case's own test suite.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from matrix import Case, cases

# One xdist group: the shared environment is built once, on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rendered-projects")]

CASES = cases()
DEFAULT = next(case for case in CASES if case.is_default)
UV = str(Path(sys.executable).parent / "uv")


@dataclass(frozen=True)
class Installed:
    project: Path
    venv: Path
    slug: str

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(
        self,
        *args: str,
        cwd: Path | None = None,
        env: dict | None = None,
        timeout: int = 600,
    ):
        return subprocess.run(
            list(args),
            cwd=cwd or self.project,
            env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="session")
def installed(
    rendered: Callable[[Case], Path], tmp_path_factory: pytest.TempPathFactory
) -> Installed:
    # Work on a copy: training writes models/, reports/ and the README table.
    source = rendered(DEFAULT)
    project = tmp_path_factory.mktemp("installed") / source.name
    subprocess.run(["cp", "-r", str(source), str(project)], check=True)
    venv = project / ".venv"
    subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    install = subprocess.run(
        [
            UV,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            "-e",
            ".[dev]",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    slug = yaml.safe_load((project / ".copier-answers.yml").read_text())["project_slug"]
    return Installed(project, venv, slug)


def test_default_project_passes_its_own_tests(installed: Installed) -> None:
    result = installed.run(installed.bin("pytest"), "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_default_project_passes_its_own_lint(installed: Installed) -> None:
    for args in (["check", "."], ["format", "--check", "."]):
        result = installed.run(installed.bin("ruff"), *args)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", [c for c in CASES if not c.is_default], ids=lambda c: c.id)
def test_every_case_passes_its_own_tests(
    case: Case, rendered: Callable[[Case], Path], installed: Installed, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    subprocess.run(["cp", "-r", str(rendered(case)), str(project)], check=True)
    result = installed.run(
        installed.bin("pytest"),
        "-q",
        "-p",
        "no:cacheprovider",
        cwd=project,
        env={"PYTHONPATH": str(project / "src")},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def trained_project(installed: Installed) -> Installed:
    result = installed.run(installed.bin(installed.slug), "train")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Held-out metrics" in result.stdout
    return installed


@pytest.fixture
def server(trained_project: Installed) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = subprocess.Popen(
        [trained_project.bin(trained_project.slug), "serve", "--host", "127.0.0.1"],
        cwd=trained_project.project,
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.25)
    else:
        process.kill()
        pytest.fail("service did not become ready within 60 s")
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_training_exports_and_fills_the_readme(trained_project: Installed) -> None:
    assert (trained_project.project / "models" / "model.skops").is_file()
    assert (trained_project.project / "reports" / "confusion_matrix.png").is_file()
    assert "| accuracy |" in (trained_project.project / "README.md").read_text()


def test_served_model_predicts_over_http(server: tuple[str, subprocess.Popen]) -> None:
    url, process = server
    metadata = httpx.get(f"{url}/metadata").json()
    row = {feature["name"]: feature["example"] for feature in metadata["features"]}
    response = httpx.post(f"{url}/predict", json={"rows": [row]})
    assert response.status_code == 200, response.text
    assert response.json()["predictions"][0]["prediction"] in {"benign", "malignant"}
    bad = httpx.post(f"{url}/predict", json={"rows": [{**row, "mean_radius": "big"}]})
    assert bad.status_code == 422
    assert "text/html" in httpx.get(f"{url}/").headers["content-type"]
    # A clean stop on SIGTERM, as a container platform would send it.
    # uvicorn shuts down gracefully, then re-raises the signal, so -SIGTERM is clean.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) in (0, -signal.SIGTERM)
    logs = process.stdout.read()
    assert "Finished server process" in logs
    assert "Traceback" not in logs
