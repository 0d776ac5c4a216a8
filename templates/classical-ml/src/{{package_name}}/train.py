"""Training: load, split, cross-validate, fit, evaluate, log to MLflow, export.

``train(settings)`` is the whole job; the CLI only builds the settings and
prints the result. Everything random is seeded by ``settings.seed``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import mlflow
from mlflow.models import infer_signature
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

from .config import Settings
from .data import load_dataset, split_dataset
from .evaluate import CV_SCORING, PRIMARY_METRIC, compute_metrics
from .export import TRUSTED_TYPES, export_model
from .figures import write_figures
from .model import build_pipeline, feature_schema
from .onnx_export import convert_to_onnx
from .readme import update_results_table
from .tracking import configure_tracking, flatten_params, log_files

log = logging.getLogger(__name__)

STEPS = ["load data", "cross-validate", "fit", "evaluate", "log to MLflow", "export"]


@dataclass(frozen=True)
class TrainResult:
    metrics: dict[str, float]
    run_id: str
    model_version: str | None
    model_dir: Path


def train(settings: Settings, *, show_progress: bool = True) -> TrainResult:
    configure_tracking(settings.tracking_uri, settings.experiment_name)
    with (
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            disable=not show_progress,
        ) as progress,
        mlflow.start_run() as run,
    ):
        overall = progress.add_task("training", total=len(STEPS))

        def step(name: str) -> None:
            progress.update(overall, description=name)

        step("load data")
        dataset = load_dataset(settings)
        split = split_dataset(dataset, settings)
        pipeline = build_pipeline(split.x_train, dataset.task, settings)
        progress.advance(overall)

        step("cross-validate")
        folds_class = StratifiedKFold if dataset.task == "classification" else KFold
        folds = folds_class(settings.cv_folds, shuffle=True, random_state=settings.seed)
        cv_scores = cross_val_score(
            pipeline, split.x_train, split.y_train, cv=folds, scoring=CV_SCORING[dataset.task]
        )
        progress.advance(overall)

        step("fit")
        started = time.perf_counter()
        pipeline.fit(split.x_train, split.y_train)
        fit_seconds = time.perf_counter() - started
        progress.advance(overall)

        step("evaluate")
        metrics = compute_metrics(pipeline, split.x_test, split.y_test, dataset.task)
        metrics[f"cv_{CV_SCORING[dataset.task]}_mean"] = float(cv_scores.mean())
        metrics[f"cv_{CV_SCORING[dataset.task]}_std"] = float(cv_scores.std())
        figures = write_figures(
            pipeline, split.x_test, split.y_test, dataset.task, settings.reports_dir, settings.seed
        )
        progress.advance(overall)

        step("log to MLflow")
        mlflow.log_params(
            flatten_params(
                {
                    "dataset": dataset.name,
                    "task": dataset.task,
                    "estimator": settings.estimator,
                    "test_size": settings.test_size,
                    "cv_folds": settings.cv_folds,
                    "seed": settings.seed,
                    "n_train": len(split.x_train),
                    "n_test": len(split.x_test),
                    "model": pipeline.named_steps["model"].get_params(),
                }
            )
        )
        mlflow.log_metrics({**metrics, "fit_seconds": fit_seconds})
        log_files(figures, artifact_path="figures")
        input_example = split.x_train.head(3)
        model_info = mlflow.sklearn.log_model(
            pipeline,
            name="model",
            signature=infer_signature(input_example, pipeline.predict(input_example)),
            input_example=input_example,
            registered_model_name=settings.registered_model_name,
            serialization_format="skops",
            skops_trusted_types=TRUSTED_TYPES,
            # Explicit requirements: inferring them costs seconds and can guess wrong.
            pip_requirements=[
                f"{package}=={version(package)}"
                for package in ("scikit-learn", "skops", "pandas", "numpy")
            ],
        )
        model_version = (
            str(model_info.registered_model_version)
            if model_info.registered_model_version is not None
            else None
        )
        progress.advance(overall)

        step("export")
        onnx_model = convert_to_onnx(pipeline, split.x_test, dataset.task)
        classes = pipeline.classes_.tolist() if dataset.task == "classification" else None
        metadata = {
            "model_name": settings.registered_model_name,
            "model_version": model_version,
            "run_id": run.info.run_id,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "dataset": dataset.name,
            "task": dataset.task,
            "target": str(dataset.target.name),
            "estimator": settings.estimator,
            "onnx": onnx_model is not None,
            "classes": classes,
            "primary_metric": PRIMARY_METRIC[dataset.task],
            "metrics": metrics,
            "features": feature_schema(split.x_train),
        }
        export_model(pipeline, metadata, settings.model_dir, onnx_model)
        settings.reports_dir.mkdir(parents=True, exist_ok=True)
        (settings.reports_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        update_results_table(settings.readme_path, metadata)
        progress.advance(overall)
        progress.update(overall, description="done")

    return TrainResult(metrics, run.info.run_id, model_version, settings.model_dir)
