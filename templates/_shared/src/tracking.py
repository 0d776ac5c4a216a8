"""MLflow helpers shared by every command that logs.

The default store is SQLite (``sqlite:///mlflow.db``); MLflow 3's plain file
store is in maintenance mode. Set MLFLOW_TRACKING_URI to use a server instead.

A store that cannot be used stops the command with one line that names the
cause and the fix, not a page of SQLAlchemy traceback. A new SQLite store is
created under a temporary name and moved into place once complete, so a full
disk never leaves a half-migrated ``mlflow.db`` that breaks every later run.
A run ended by Ctrl-C or SIGTERM (``docker stop``, ``kill``, torchrun) is
marked KILLED instead of staying RUNNING forever; SIGKILL cannot be caught.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from types import FrameType

import mlflow
from mlflow import MlflowClient

SQLITE_HEADER = b"SQLite format 3\x00"


class TrackingStoreError(OSError):
    """The MLflow store cannot be used; the message says why and what to do."""


def configure_tracking(tracking_uri: str, experiment_name: str) -> None:
    # Telemetry is on by default in MLflow 3; a portfolio project should not phone home.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    path = sqlite_path(tracking_uri)
    if path is not None:
        check_sqlite_store(path) if path.exists() else create_sqlite_store(path)
    mlflow.set_tracking_uri(tracking_uri)
    try:
        mlflow.set_experiment(experiment_name)
    except Exception as error:  # SQLAlchemy, sqlite3 and MLflow raise many types
        raise TrackingStoreError(
            f"the MLflow store {tracking_uri} cannot be used: {first_line(error)}"
        ) from error
    end_runs_as_killed_on_signal()


def sqlite_path(tracking_uri: str) -> Path | None:
    """The file behind a sqlite:/// URI (None for servers and in-memory stores)."""
    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix) or len(tracking_uri) == len(prefix):
        return None
    return Path(tracking_uri[len(prefix) :].split("?", 1)[0])


def check_sqlite_store(path: Path) -> None:
    """Refuse a store file that MLflow would misread or choke on."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        message = f"cannot read the MLflow store {path}: {error.strerror}"
        raise TrackingStoreError(message) from error
    if not header:
        raise TrackingStoreError(
            f"the MLflow store {path} is empty (0 bytes): it was cut short, so its runs "
            "are gone. Restore it from a backup, or delete it to start a new store"
        )
    if header != SQLITE_HEADER:
        raise TrackingStoreError(
            f"{path} is not an SQLite database, so it cannot be the MLflow store. "
            "Move it aside (a new store is made in its place) or set tracking_uri"
        )
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as connection:
            leftovers = connection.execute(
                "SELECT name FROM sqlite_master WHERE name GLOB '_alembic_tmp_*'"
            ).fetchall()
    except sqlite3.DatabaseError as error:
        raise TrackingStoreError(
            f"the MLflow store {path} is damaged ({error}). Restore it from a backup, "
            "or move it aside to start a new store"
        ) from error
    if leftovers:
        raise TrackingStoreError(
            f"the MLflow store {path} was left half-migrated (a full disk or a kill "
            "while MLflow changed its tables). Restore it from a backup, or delete it "
            "to start a new store"
        )


def create_sqlite_store(path: Path) -> None:
    """Make a new store under a temporary name, then link it into place.

    Migrations write a dozen tables; a full disk half-way leaves only the
    temporary file, which is removed. A link fails if another process made the
    store first, and then that store is used.
    """
    temporary = path.with_name(f".{path.name}.creating-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        MlflowClient(tracking_uri=f"sqlite:///{temporary}").search_experiments()
        os.link(temporary, path)
    except FileExistsError:
        pass  # made by another process meanwhile
    except Exception as error:
        raise TrackingStoreError(
            f"could not create the MLflow store {path}: {first_line(error)}; nothing was written"
        ) from error
    finally:
        temporary.unlink(missing_ok=True)


def first_line(error: BaseException) -> str:
    """The cause without the SQL statement and traceback that follow it."""
    cause: BaseException = error
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # the innermost is the plainest
    text = str(cause).strip() or type(cause).__name__
    return text.splitlines()[0]


def end_runs_as_killed_on_signal() -> None:
    """From now on, Ctrl-C or SIGTERM ends the active runs as KILLED, then stops
    the process as the signal would have."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set signal handlers

    def end_runs(signum: int, _: FrameType | None) -> None:
        while mlflow.active_run() is not None:
            mlflow.end_run("KILLED")
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, end_runs)


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
