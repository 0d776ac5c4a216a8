"""Figures people would rather look at than read: written as PNGs under reports/."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay
from sklearn.pipeline import Pipeline

from .data import Task
from .evaluate import CV_SCORING

TOP_FEATURES = 15
# Every figure training may draw of a model: the next export replaces them all.
MODEL_FIGURES = (
    "confusion_matrix.png",
    "roc_curve.png",
    "residuals.png",
    "feature_importance.png",
    "shap_summary.png",
)


def write_figures(
    model: Pipeline, x: pd.DataFrame, y: pd.Series, task: Task, out_dir: Path, seed: int
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    if task == "classification":
        paths.append(_save(_confusion_matrix(model, x, y), out_dir / "confusion_matrix.png"))
        if len(model.classes_) == 2:
            paths.append(_save(_roc_curve(model, x, y), out_dir / "roc_curve.png"))
    else:
        paths.append(_save(_residuals(model, x, y), out_dir / "residuals.png"))
    figure = _feature_importance(model, x, y, task, seed)
    paths.append(_save(figure, out_dir / "feature_importance.png"))
    return paths


def _save(figure: plt.Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _confusion_matrix(model: Pipeline, x: pd.DataFrame, y: pd.Series) -> plt.Figure:
    figure, axes = plt.subplots(figsize=(5, 4.5))
    ConfusionMatrixDisplay.from_estimator(model, x, y, ax=axes, cmap="Blues", colorbar=False)
    axes.set_title("Confusion matrix (test set)")
    return figure


def _roc_curve(model: Pipeline, x: pd.DataFrame, y: pd.Series) -> plt.Figure:
    figure, axes = plt.subplots(figsize=(5, 4.5))
    RocCurveDisplay.from_estimator(model, x, y, ax=axes, pos_label=model.classes_[1])
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    axes.set_title("ROC curve (test set)")
    axes.legend(loc="lower right")
    return figure


def _residuals(model: Pipeline, x: pd.DataFrame, y: pd.Series) -> plt.Figure:
    predicted = model.predict(x)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
    left.scatter(y, predicted, alpha=0.6)
    limits = [min(y.min(), predicted.min()), max(y.max(), predicted.max())]
    left.plot(limits, limits, linestyle="--", color="grey")
    left.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual (test set)")
    right.scatter(predicted, y - predicted, alpha=0.6)
    right.axhline(0, linestyle="--", color="grey")
    right.set(xlabel="predicted", ylabel="residual", title="Residuals (test set)")
    return figure


def _feature_importance(
    model: Pipeline, x: pd.DataFrame, y: pd.Series, task: Task, seed: int
) -> plt.Figure:
    # Permutation importance works for any estimator and speaks in the metric's units.
    result = permutation_importance(
        model, x, y, scoring=CV_SCORING[task], n_repeats=5, random_state=seed, n_jobs=1
    )
    order = np.argsort(result.importances_mean)[::-1][:TOP_FEATURES][::-1]
    figure, axes = plt.subplots(figsize=(7, 0.35 * len(order) + 1.5))
    axes.barh(x.columns[order], result.importances_mean[order], xerr=result.importances_std[order])
    axes.set(xlabel=f"drop in {CV_SCORING[task]} when shuffled", title="Feature importance")
    return figure
