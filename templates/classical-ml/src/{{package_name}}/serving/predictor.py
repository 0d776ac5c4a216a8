"""The loaded model, ready to answer: rows of features in, predictions out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..config import Settings
from ..export import ExportedModel, ModelLoadError, load_model

__all__ = ["ModelLoadError", "OutOfRange", "Predictor", "load_predictor"]


class OutOfRange(ValueError):
    """Finite inputs so extreme that the model cannot produce a number for them."""


def _checked(method: Callable[[pd.DataFrame], np.ndarray], frame: pd.DataFrame) -> np.ndarray:
    """Call predict/predict_proba; extreme rows become OutOfRange, never a 500.

    Values like 1e308 pass validation but overflow the scaler or a linear model
    to inf/NaN, which scikit-learn refuses and JSON cannot carry.
    """
    with np.errstate(all="ignore"):
        try:
            output = method(frame)
            finite = np.isfinite(output).reshape(len(output), -1).all(axis=1)
        except ValueError:
            finite = np.array([_row_is_finite(method, frame.iloc[[i]]) for i in range(len(frame))])
    if not finite.all():
        bad_rows = np.flatnonzero(~finite).tolist()
        raise OutOfRange(f"rows {bad_rows} are too far outside the training range for the model")
    return output


def _row_is_finite(method: Callable[[pd.DataFrame], np.ndarray], row: pd.DataFrame) -> bool:
    try:
        return bool(np.isfinite(method(row)).all())
    except ValueError:
        return False


class Predictor:
    def __init__(self, exported: ExportedModel) -> None:
        self.pipeline = exported.pipeline
        self.metadata = exported.metadata
        self.features: list[dict[str, Any]] = exported.metadata["features"]
        self.columns = [feature["name"] for feature in self.features]
        self._categorical = [f["name"] for f in self.features if f["type"] == "category"]
        self.classes: list[str] | None = exported.metadata.get("classes")

    def frame(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        frame = pd.DataFrame.from_records(rows, columns=self.columns)
        # Match the dtypes the pipeline saw in training: numbers and Python strings.
        for name in self._categorical:
            frame[name] = frame[name].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
        return frame

    def predict(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Raises OutOfRange when extreme inputs overflow the model's arithmetic."""
        frame = self.frame(rows)
        if self.classes is None:
            values = _checked(self.pipeline.predict, frame)
            return [{"prediction": float(value)} for value in values]
        probabilities = _checked(self.pipeline.predict_proba, frame)
        labels = self.pipeline.classes_[np.argmax(probabilities, axis=1)]
        names = [str(c) for c in self.pipeline.classes_]
        return [
            {
                "prediction": str(label),
                "probabilities": dict(zip(names, map(float, row), strict=True)),
            }
            for label, row in zip(labels, probabilities, strict=True)
        ]

    def warm_up(self) -> None:
        """Run one prediction so the first real request pays no lazy set-up."""
        self.predict([{f["name"]: f["example"] for f in self.features}])


def load_predictor(settings: Settings) -> Predictor:
    predictor = Predictor(load_model(settings.model_dir))
    predictor.warm_up()
    return predictor
