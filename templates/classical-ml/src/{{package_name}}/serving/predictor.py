"""The loaded model, ready to answer: rows of features in, predictions out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import Settings
from ..export import ExportedModel, ModelLoadError, load_model

__all__ = ["ModelLoadError", "Predictor", "load_predictor"]


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
        frame = self.frame(rows)
        if self.classes is None:
            return [{"prediction": float(value)} for value in self.pipeline.predict(frame)]
        probabilities = self.pipeline.predict_proba(frame)
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
