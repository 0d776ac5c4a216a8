"""MLflow helpers shared by every command that logs.

The default store is SQLite (``sqlite:///mlflow.db``); MLflow 3's plain file
store is in maintenance mode. Set MLFLOW_TRACKING_URI to use a server instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import mlflow


def configure_tracking(tracking_uri: str, experiment_name: str) -> None:
    # Telemetry is on by default in MLflow 3; a portfolio project should not phone home.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(experiment_name)


def log_files(paths: Iterable[Path], artifact_path: str) -> None:
    for path in paths:
        mlflow.log_artifact(str(path), artifact_path=artifact_path)


def flatten_params(params: dict, prefix: str = "") -> dict[str, str]:
    """MLflow params are flat strings: {'a': {'b': 1}} -> {'a.b': '1'}."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_params(value, prefix=f"{name}."))
        else:
            flat[name] = str(value)
    return flat
