"""Training: an explicit loop with validation, early stopping and a best checkpoint.

``train(settings)`` is what the ``train`` command runs: seed, split, fit
(keeping the epoch with the lowest validation loss), score the held-out test
split, log everything to MLflow, register the model, export ONNX for serving.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import torch
from mlflow.models import infer_signature
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from torch import nn
from torch.utils.data import DataLoader

from .config import Settings
from .data import loader, split_dataset
from .devices import pick_device, seed_everything
from .digits import CLASSES, IMAGE_SIZE
from .export import export_model, onnx_parity
from .figures import save_confusion_matrix, save_curves, save_misclassified
from .model import DigitCNN, count_parameters
from .readme import update_results_table
from .results import results_table
from .tracking import configure_tracking, flatten_params, log_files

console = Console()


@dataclass
class History:
    """Per-epoch curves, logged to MLflow and drawn in reports/curves.png."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class TrainResult:
    metrics: dict[str, float]
    run_id: str
    model_version: str
    model_dir: Path
    epochs_run: int
    best_epoch: int
    train_seconds: float


def run_epoch(
    model: nn.Module,
    batches: DataLoader,
    device: torch.device,
    optimizer: torch.optim.Optimizer | None = None,
    progress: Progress | None = None,
    label: str = "",
) -> tuple[float, float]:
    """One pass over `batches`; trains when given an optimizer. Returns (loss, accuracy)."""
    training = optimizer is not None
    model.train(training)
    total_loss, correct, seen = 0.0, 0, 0
    task = progress.add_task(label, total=len(batches)) if progress else None
    with torch.set_grad_enabled(training):
        for images, labels in batches:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)  # (N, 10)
            loss = nn.functional.cross_entropy(logits, labels)
            if training:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            total_loss += loss.item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
            if progress is not None and task is not None:
                progress.update(
                    task, advance=1, description=f"{label} loss {total_loss / seen:.4f}"
                )
    if progress is not None and task is not None:
        progress.remove_task(task)
    return total_loss / seen, correct / seen


def fit(
    model: nn.Module,
    settings: Settings,
    train_batches: DataLoader,
    val_batches: DataLoader,
    device: torch.device,
    checkpoint: Path,
) -> tuple[History, int]:
    """Train until `epochs` or `patience` epochs without a better validation loss.

    The best epoch's weights are saved to `checkpoint` (and reloaded at the end),
    so a late bad epoch never becomes the model.
    """
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    history = History()
    best_loss, best_epoch = math.inf, 0
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # One bar per epoch over its batches, cleared when the epoch's line is printed.
    with Progress(*columns, console=console, transient=True) as progress:
        for epoch in range(1, settings.epochs + 1):
            train_loss, train_accuracy = run_epoch(
                model,
                train_batches,
                device,
                optimizer,
                progress,
                f"epoch {epoch}/{settings.epochs}",
            )
            val_loss, val_accuracy = run_epoch(model, val_batches, device)
            for name, value in (
                ("train_loss", train_loss),
                ("train_accuracy", train_accuracy),
                ("val_loss", val_loss),
                ("val_accuracy", val_accuracy),
            ):
                getattr(history, name).append(value)
                mlflow.log_metric(name, value, step=epoch)
            improved = val_loss < best_loss
            if improved:
                best_loss, best_epoch = val_loss, epoch
                torch.save({"epoch": epoch, "model": model.state_dict()}, checkpoint)
            console.print(
                f"epoch {epoch:>3}: train loss {train_loss:.4f}, val loss {val_loss:.4f}, "
                f"val accuracy {val_accuracy:.4f}{'  (best)' if improved else ''}"
            )
            if epoch - best_epoch >= settings.patience:
                console.print(f"early stop: no better validation loss since epoch {best_epoch}")
                break
    state = torch.load(checkpoint, map_location=device, weights_only=True)
    model.load_state_dict(state["model"])
    return history, best_epoch


def predict_proba(model: nn.Module, images: np.ndarray, device: torch.device) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(images).to(device))
        return torch.softmax(logits, dim=1).cpu().numpy()


def train(settings: Settings) -> TrainResult:
    if settings.num_threads:
        torch.set_num_threads(settings.num_threads)
    generator = seed_everything(settings.seed)
    device = pick_device(settings.device)
    split = split_dataset(settings)
    train_batches = loader(
        split.x_train, split.y_train, settings.batch_size, shuffle=True, generator=generator
    )
    val_batches = loader(split.x_val, split.y_val, settings.batch_size)
    model = DigitCNN(len(CLASSES), settings.channels, settings.dropout).to(device)

    configure_tracking(settings.tracking_uri, settings.experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_params(
            flatten_params(
                {
                    **settings.model_dump(include=TRAINING_PARAMS),
                    "device": str(device),
                    "parameters": count_parameters(model),
                    "train_images": len(split.y_train),
                }
            )
        )
        started = time.perf_counter()
        history, best_epoch = fit(
            model,
            settings,
            train_batches,
            val_batches,
            device,
            settings.checkpoint_dir / "best.pt",
        )
        train_seconds = time.perf_counter() - started

        probabilities = predict_proba(model, split.x_test, device)
        predicted = probabilities.argmax(axis=1)
        metrics = {
            "test_accuracy": float((predicted == split.y_test).mean()),
            "test_loss": float(
                -np.log(probabilities[np.arange(len(predicted)), split.y_test] + 1e-12).mean()
            ),
            "best_val_accuracy": history.val_accuracy[best_epoch - 1],
            "train_seconds": train_seconds,
        }
        mlflow.log_metrics(metrics)

        settings.reports_dir.mkdir(parents=True, exist_ok=True)
        figures = [
            save_curves(history, best_epoch, settings.reports_dir / "curves.png"),
            save_confusion_matrix(
                split.y_test, predicted, CLASSES, settings.reports_dir / "confusion_matrix.png"
            ),
            save_misclassified(
                split.x_test, split.y_test, predicted, settings.reports_dir / "misclassified.png"
            ),
        ]
        log_files(figures, "figures")

        # One model, two formats: MLflow registers it, the service runs its ONNX
        # twin. Both answer with probabilities (softmax inside, nothing to redo).
        registered = nn.Sequential(model.to("cpu"), nn.Softmax(dim=1)).eval()
        # Export first: an ONNX twin that disagrees with torch stops the run
        # before anything is registered.
        onnx_bytes, max_difference = onnx_parity(registered, split.x_test)
        mlflow.log_metric("onnx_max_abs_difference", max_difference)

        example = split.x_test[:4]
        with torch.no_grad():
            signature = infer_signature(example, registered(torch.from_numpy(example)).numpy())
        logged = mlflow.pytorch.log_model(
            registered,
            name="model",
            signature=signature,
            input_example=example,
            # Explicit requirements: inferring them costs seconds on every run.
            pip_requirements=[f"torch=={torch.__version__.split('+')[0]}", "numpy"],
            registered_model_name=settings.registered_model_name,
        )
        version = str(logged.registered_model_version)

        metadata: dict[str, Any] = {
            "model_version": version,
            "run_id": run.info.run_id,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "classes": CLASSES,
            "input": {"shape": [1, IMAGE_SIZE, IMAGE_SIZE], "range": [0.0, 1.0]},
            "metrics": {**metrics, "onnx_max_abs_difference": max_difference},
            "epochs_run": len(history.val_loss),
            "best_epoch": best_epoch,
            "parameters": count_parameters(model),
            "device": str(device),
        }
        exported = export_model(onnx_bytes, metadata, settings.model_dir)
        mlflow.log_artifacts(str(exported), artifact_path="serving")
        update_results_table(settings.readme_path, results_table(metadata))

    return TrainResult(
        metrics=metrics,
        run_id=run.info.run_id,
        model_version=version,
        model_dir=settings.model_dir,
        epochs_run=len(history.val_loss),
        best_epoch=best_epoch,
        train_seconds=train_seconds,
    )


# The settings that shape a run; logged as MLflow params.
TRAINING_PARAMS = {
    "seed",
    "epochs",
    "patience",
    "batch_size",
    "learning_rate",
    "weight_decay",
    "channels",
    "dropout",
    "test_fraction",
    "validation_fraction",
}
