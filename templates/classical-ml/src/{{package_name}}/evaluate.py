"""Held-out metrics for a fitted pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.pipeline import Pipeline

from .data import Task

# The one number that ranks models, per task (higher is better for both).
PRIMARY_METRIC = {"classification": "f1", "regression": "r2"}
CV_SCORING = {"classification": "f1_macro", "regression": "r2"}


def compute_metrics(model: Pipeline, x: pd.DataFrame, y: pd.Series, task: Task) -> dict[str, float]:
    predicted = model.predict(x)
    if task == "regression":
        return {
            "rmse": float(np.sqrt(metrics.mean_squared_error(y, predicted))),
            "mae": float(metrics.mean_absolute_error(y, predicted)),
            "r2": float(metrics.r2_score(y, predicted)),
        }
    # Macro averages treat every class alike, binary or not.
    scores = {
        "accuracy": float(metrics.accuracy_score(y, predicted)),
        "precision": float(metrics.precision_score(y, predicted, average="macro", zero_division=0)),
        "recall": float(metrics.recall_score(y, predicted, average="macro", zero_division=0)),
        "f1": float(metrics.f1_score(y, predicted, average="macro", zero_division=0)),
    }
    probabilities = model.predict_proba(x)
    classes = model.classes_
    if len(np.unique(y)) == len(classes) >= 2:
        if len(classes) == 2:
            scores["roc_auc"] = float(metrics.roc_auc_score(y == classes[1], probabilities[:, 1]))
        else:
            scores["roc_auc"] = float(
                metrics.roc_auc_score(y, probabilities, multi_class="ovr", labels=classes)
            )
    return scores
