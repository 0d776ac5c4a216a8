"""The loaded model, ready to answer: rows of features in, predictions out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import onnxruntime as ort

from ..config import Settings
from ..export import ExportedModel, ModelLoadError, load_model

if TYPE_CHECKING:  # pandas is imported only on the scikit-learn path
    import pandas as pd

__all__ = ["ModelLoadError", "OutOfRange", "Predictor", "load_predictor"]


class OutOfRange(ValueError):
    """Finite inputs so extreme that the model cannot produce a number for them."""


def _raise_for_bad_rows(finite: np.ndarray) -> None:
    if not finite.all():
        bad_rows = np.flatnonzero(~finite).tolist()
        raise OutOfRange(f"rows {bad_rows} are too far outside the training range for the model")


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
    _raise_for_bad_rows(finite)
    return output


def _row_is_finite(method: Callable[[pd.DataFrame], np.ndarray], row: pd.DataFrame) -> bool:
    try:
        return bool(np.isfinite(method(row)).all())
    except ValueError:
        return False


def _onnx_session(path: Path) -> ort.InferenceSession:
    # One thread: a request is microseconds of work, and the server scales by
    # processes (one per core), not by threads fighting over the same cores.
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own types for a damaged file
        raise ModelLoadError(
            f"{path} is not a readable ONNX file ({error}); re-run training"
        ) from error


class Predictor:
    def __init__(self, exported: ExportedModel) -> None:
        self.pipeline = exported.pipeline
        self.metadata = exported.metadata
        self.features: list[dict[str, Any]] = exported.metadata["features"]
        self.columns = [feature["name"] for feature in self.features]
        self._categorical = [f["name"] for f in self.features if f["type"] == "category"]
        self.classes: list[str] | None = exported.metadata.get("classes")
        self._session = _onnx_session(exported.onnx_path) if exported.onnx_path else None

    @property
    def is_fast(self) -> bool:
        """True when predictions take microseconds (ONNX), not milliseconds."""
        return self._session is not None

    def frame(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame.from_records(rows, columns=self.columns)
        # Match the dtypes the pipeline saw in training: numbers and Python strings.
        for name in self._categorical:
            frame[name] = frame[name].map(lambda v: v if pd.isna(v) else str(v)).astype(object)
        return frame

    def predict(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Raises OutOfRange when extreme inputs overflow the model's arithmetic."""
        if self._session is not None:
            return self._predict_onnx(rows)
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

    def _predict_onnx(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # (n_rows, 1) float32 per feature, built straight from the validated rows;
        # a value beyond float32 becomes inf and is reported below as out of range.
        with np.errstate(over="ignore"):
            feeds = {
                name: np.array([[row[name]] for row in rows], dtype=np.float32)
                for name in self.columns
            }
        outputs = self._session.run(None, feeds)
        if self.classes is None:
            values = outputs[0].reshape(len(rows))
            _raise_for_bad_rows(np.isfinite(values))
            return [{"prediction": float(value)} for value in values]
        labels, probabilities = outputs
        _raise_for_bad_rows(np.isfinite(probabilities).all(axis=1))
        return [
            {
                "prediction": str(label),
                "probabilities": dict(zip(self.classes, map(float, row), strict=True)),
            }
            for label, row in zip(labels, probabilities, strict=True)
        ]

    def warm_up(self) -> None:
        """Run one prediction so the first real request pays no lazy set-up."""
        self.predict([{f["name"]: f["example"] for f in self.features}])


def load_predictor(settings: Settings) -> Predictor:
    predictor = Predictor(load_model(settings.model_dir, need_pipeline=False))
    predictor.warm_up()
    return predictor
