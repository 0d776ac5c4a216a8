"""Fresh MLflow stores for tests, without paying for each one.

A new SQLite store runs every one of MLflow's schema migrations when it is
first opened: about 3 s, longer than most tests here take. The suite makes one
empty store per session and gives each test a byte-for-byte copy, which MLflow
opens as the up-to-date, empty store it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlflow import MlflowClient

STORE_FILE = "mlflow.db"


def create_empty_store(folder: Path) -> Path:
    """An MLflow store in `folder` with every migration applied and no runs."""
    path = folder / STORE_FILE
    MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()  # creates it
    return path


def fresh_store(folder: Path, empty_store: Path) -> str:
    """The tracking URI of a store of its own in `folder`: a copy of `empty_store`.

    A store already in `folder` is kept: settings made twice for one folder
    share it, as they would share a real one.
    """
    path = folder / STORE_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(empty_store, path)
    return f"sqlite:///{path}"
