"""Real disks: exports to a mount point, a read-only mount and a full one, and
an MLflow store on a full disk.

The model folder of a container is often a volume: a mount point that cannot
be renamed (EBUSY). These tests mount a real tmpfs and a read-only bind mount
in a rendered project's place (the default track's first level, installed
once for the suite), so they need root; CI runs as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from projects import Installed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None,
        reason="mounting needs root",
    ),
]


@contextmanager
def mounted(target: Path, *options: str) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *options, target], check=True)
    try:
        yield target
    finally:
        subprocess.run(["umount", target], check=True)


def train(
    project: Installed, work: Path, model_dir: Path, store: Path | None = None
) -> subprocess.CompletedProcess[str]:
    settings = {
        "tracking_uri": f"sqlite:///{store or work / 'mlflow.db'}",
        "reports_dir": work / "reports",
        "readme_path": work / "README.md",
    }
    assignments = [arg for name, value in settings.items() for arg in ("--set", f"{name}={value}")]
    command = [project.bin(project.slug), "train", "--model-dir", str(model_dir), *assignments]
    return project.run(*command, cwd=work)


@pytest.fixture
def project(installed: Installed) -> Installed:
    return installed


def test_exports_land_on_a_mount_point_again_and_again(project: Installed, tmp_path: Path) -> None:
    with mounted(tmp_path / "models", "-t", "tmpfs", "-o", "size=64m", "tmpfs") as models:
        for attempt in (1, 2):
            result = train(project, tmp_path, models)
            assert result.returncode == 0, f"attempt {attempt}: " + result.stdout[-3000:]
            assert "Model exported" in result.stdout
        assert (models / "metadata.json").is_file()
        assert sorted(path.name for path in models.iterdir() if path.name.startswith(".")) == [
            ".manifest"
        ]


def test_a_read_only_model_folder_is_refused_before_training(
    project: Installed, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    with mounted(tmp_path / "models", "--bind", str(source)) as models:
        subprocess.run(["mount", "-o", "remount,bind,ro", models], check=True)
        result = train(project, tmp_path, models)
    assert result.returncode == 1, result.stdout[-3000:]
    output = " ".join(result.stdout.split())  # rich wraps long lines
    assert "cannot write the model folder" in output
    assert "Read-only file system" in output
    assert "nothing was trained" in output
    assert not (tmp_path / "mlflow.db").exists()  # not a single run started
    assert list(source.iterdir()) == []


def test_a_full_disk_says_so_and_leaves_nothing_behind(project: Installed, tmp_path: Path) -> None:
    with mounted(tmp_path / "models", "-t", "tmpfs", "-o", "size=64k", "tmpfs") as models:
        result = train(project, tmp_path, models)
        assert result.returncode == 1, result.stdout[-3000:]
        output = " ".join(result.stdout.split())
        assert "No space left on device" in output
        assert "the model in place is unchanged" in output
        assert list(models.iterdir()) == []


def test_the_service_finishes_an_export_a_kill_interrupted(
    project: Installed, tmp_path: Path
) -> None:
    """A kill between two renames: the service finishes the swap at start-up and
    serves the new model instead of answering 503."""
    with mounted(tmp_path / "models", "-t", "tmpfs", "-o", "size=64m", "tmpfs") as models:
        assert train(project, tmp_path, models).returncode == 0
        # The state a kill leaves: the model's files moved in, metadata.json not yet.
        ready = models / ".ready"
        ready.mkdir()
        (models / "metadata.json").rename(ready / "metadata.json")
        shutil.copy(models / ".manifest", ready / ".manifest")
        package = next((project.project / "src").iterdir()).name
        script = (
            "import sys\n"
            "from fastapi.testclient import TestClient\n"
            f"from {package}.config import Settings\n"
            f"from {package}.serving.app import create_app\n"
            "with TestClient(create_app(Settings(model_dir=sys.argv[1]))) as client:\n"
            "    print(client.get('/ready').status_code)\n"
        )
        result = project.run(project.bin("python"), "-c", script, str(models), cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.split()[-1] == "200"
        assert (models / "metadata.json").is_file()
        assert not ready.exists()


def test_a_full_disk_under_a_new_mlflow_store_leaves_no_half_store(
    project: Installed, tmp_path: Path
) -> None:
    """Once, this left a half-migrated mlflow.db that broke every later run."""
    with mounted(tmp_path / "tracking", "-t", "tmpfs", "-o", "size=64k", "tmpfs") as tracking:
        result = train(project, tmp_path, tmp_path / "models", store=tracking / "mlflow.db")
        assert result.returncode == 1, result.stdout[-3000:]
        output = " ".join(result.stdout.split())
        assert "could not create the MLflow store" in output
        assert "full" in output and "Traceback" not in result.stdout + result.stderr
        assert list(tracking.iterdir()) == []
    assert not (tmp_path / "models").exists()  # nothing was trained
