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


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class Predictor:
    def __init__(self, session: ort.InferenceSession, metadata: dict[str, Any]) -> None:
        self.session = session
        self.metadata = metadata
        self.classes: list[str] = [str(label) for label in metadata["classes"]]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 1, 8, 8) float32 in [0, 1] -> (N, classes) probabilities."""
        (logits,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: images.astype(np.float32)})
        return softmax(logits)

    def predict(self, images: np.ndarray) -> list[dict[str, Any]]:
        answers = []
        for row in self.probabilities(images):
            best = int(row.argmax())
            answers.append(
                {
                    "digit": self.classes[best],
                    "confidence": round(float(row[best]), 6),
                    "probabilities": {
                        label: round(float(p), 6)
                        for label, p in zip(self.classes, row, strict=True)
                    },
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
