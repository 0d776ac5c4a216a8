"""Slow: rendered projects install, pass their own tests, train and serve.

The default case installs from its own pyproject.toml into a fresh virtual
environment. The other cases share that environment (their dependencies are
the same) and put their own ``src/`` first on the path, which keeps CI inside
its time budget while still running every case's own test suite.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from matrix import Case, cases
from projects import Installed, serving

# One xdist group: the shared environment is built once, on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rendered-projects")]

OTHER_CASES = [case for case in cases() if not case.is_default]


def test_default_project_passes_its_own_tests(installed: Installed) -> None:
    result = installed.run(installed.bin("pytest"), "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_default_project_passes_its_own_lint(installed: Installed) -> None:
    for args in (["check", "."], ["format", "--check", "."]):
        result = installed.run(installed.bin("ruff"), *args)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", OTHER_CASES, ids=[case.id for case in OTHER_CASES])
def test_every_case_passes_its_own_tests(
    case: Case, rendered: Callable[[Case], Path], installed: Installed, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(rendered(case), project)
    result = installed.pytest_in(project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_training_exports_and_fills_the_readme(trained_project: Installed) -> None:
    assert (trained_project.project / "models" / "model.skops").is_file()
    assert (trained_project.project / "reports" / "confusion_matrix.png").is_file()
    assert "| accuracy |" in (trained_project.project / "README.md").read_text()


def test_served_model_predicts_over_http(trained_project: Installed) -> None:
    with serving(trained_project) as server:
        url = server.url
        metadata = httpx.get(f"{url}/metadata").json()
        row = {feature["name"]: feature["example"] for feature in metadata["features"]}
        response = httpx.post(f"{url}/predict", json={"rows": [row]})
        assert response.status_code == 200, response.text
        assert response.json()["predictions"][0]["prediction"] in {"benign", "malignant"}
        bad = httpx.post(f"{url}/predict", json={"rows": [{**row, "mean_radius": "big"}]})
        assert bad.status_code == 422
        assert "text/html" in httpx.get(f"{url}/").headers["content-type"]
        # uvicorn shuts down gracefully, then re-raises the signal: -SIGTERM is clean.
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) in (0, -signal.SIGTERM)
        logs = server.logs()
        assert "Finished server process" in logs
        assert "Traceback" not in logs
