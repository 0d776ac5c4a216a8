"""Figures saved to reports/ and logged with every run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # no display needed: files only
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay

if TYPE_CHECKING:
    from .train import History


def save_curves(history: History, best_epoch: int, path: Path) -> Path:
    """Loss and accuracy per epoch, training against validation."""
    epochs = range(1, len(history.train_loss) + 1)
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axis.plot(epochs, history.train_loss, label="train")
    loss_axis.plot(epochs, history.val_loss, label="validation")
    loss_axis.set(title="Loss", xlabel="epoch", ylabel="cross-entropy")
    accuracy_axis.plot(epochs, history.train_accuracy, label="train")
    accuracy_axis.plot(epochs, history.val_accuracy, label="validation")
    accuracy_axis.set(title="Accuracy", xlabel="epoch", ylabel="accuracy")
    for axis in (loss_axis, accuracy_axis):
        axis.axvline(best_epoch, color="grey", linestyle=":", label="kept")
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def save_confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, classes: list[str], path: Path
) -> Path:
    figure, axis = plt.subplots(figsize=(6, 6))
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=range(len(classes)), display_labels=classes, ax=axis, colorbar=False
    )
    axis.set_title("Confusion matrix (held-out)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def save_misclassified(
    images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, path: Path, limit: int = 24
) -> Path:
    """A grid of held-out images the model got wrong, titled 'true -> predicted'."""
    wrong = np.flatnonzero(y_true != y_pred)[:limit]
    columns = 8
    rows = max(1, -(-len(wrong) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.4), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, wrong, strict=False):
        axis.imshow(images[index, 0], cmap="gray_r", vmin=0, vmax=1)
        axis.set_title(f"{y_true[index]} -> {y_pred[index]}", fontsize=9)
    title = f"Misclassified held-out images ({len(np.flatnonzero(y_true != y_pred))})"
    figure.suptitle(title if len(wrong) else "No misclassified held-out images")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
