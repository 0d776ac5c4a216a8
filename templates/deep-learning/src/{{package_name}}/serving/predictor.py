"""The loaded model, ready to answer: (N, 1, 8, 8) images in, digits out.

onnxruntime runs the exported graph; torch is not needed (or installed) here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from ..config import Settings
from ..export import INPUT_NAME, ONNX_FILE, OUTPUT_NAME, ModelLoadError, read_metadata

__all__ = ["ModelLoadError", "Predictor", "load_predictor"]


class Predictor:
    def __init__(self, session: ort.InferenceSession, metadata: dict[str, Any]) -> None:
        self.session = session
        self.metadata = metadata
        self.classes: list[str] = [str(label) for label in metadata["classes"]]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 1, 8, 8) float32 in [0, 1] -> (N, classes) probabilities."""
        (probabilities,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: images.astype(np.float32)})
        # float64, so that rounding to 6 places gives short decimals in the JSON.
        return probabilities.astype(np.float64)

    def predict(self, images: np.ndarray) -> list[dict[str, Any]]:
        # One conversion to Python floats for the whole batch: per-value float()
        # and round() calls cost more than the network itself for one image.
        answers = []
        for row in self.probabilities(images).round(6).tolist():
            best = row.index(max(row))
            answers.append(
                {
                    "digit": self.classes[best],
                    "confidence": row[best],
                    "probabilities": dict(zip(self.classes, row, strict=True)),
                }
            )
        return answers


def providers() -> list[str]:
    """The GPU when onnxruntime was built with CUDA and sees one, else the CPU."""
    available = ort.get_available_providers()
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available]


def load_predictor(settings: Settings) -> Predictor:
    model_dir = Path(settings.model_dir)
    metadata = read_metadata(model_dir)
    path = model_dir / ONNX_FILE
    if not path.is_file():
        raise ModelLoadError(f"{path} is missing; run `train` again to export the model")
    options = ort.SessionOptions()
    # One thread a request: small models lose more to thread hand-offs than they
    # gain, and uvicorn workers (one per core) supply the parallelism.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(str(path), options, providers=providers())
    except Exception as error:  # onnxruntime raises its own types for bad files
        raise ModelLoadError(f"{path} could not be loaded: {error}") from error
    predictor = Predictor(session, metadata)
    predictor.probabilities(np.zeros((1, 1, 8, 8), dtype=np.float32))  # warm up once
    return predictor
