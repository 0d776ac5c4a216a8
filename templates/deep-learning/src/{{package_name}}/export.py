"""The exported model: ``model.onnx`` and ``metadata.json`` in one folder.

Training writes it; the service reads it through onnxruntime and never
imports torch, which keeps the serving image small and its start fast.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from torch import nn

ONNX_FILE = "model.onnx"
METADATA_FILE = "metadata.json"
INPUT_NAME = "image"  # (batch, 1, 8, 8) float32 in [0, 1]
OUTPUT_NAME = "probabilities"  # (batch, 10), softmax inside the graph
PARITY_TOLERANCE = 1e-4  # largest |torch - onnxruntime| probability accepted


class ModelLoadError(RuntimeError):
    """The exported model is missing, corrupt or not ours; the message says which."""


def to_onnx(model: nn.Module, example: np.ndarray) -> bytes:
    """The model as ONNX bytes, with a dynamic batch dimension."""
    import torch

    batch = torch.export.Dim("batch", min=1, max=4096)
    buffer = io.BytesIO()
    # The exporter logs and warns about ops this model does not use (torchvision's).
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.eval(),
            # A copy: a view into a larger array is traced with index arithmetic
            # (Range, Gather) that then costs every request a few microseconds.
            (torch.from_numpy(example.copy()),),
            buffer,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_shapes=({0: batch},),
            dynamo=True,
            external_data=False,  # one self-contained file (the weights are ~0.4 MB)
            verbose=False,
        )
    return buffer.getvalue()


def onnx_parity(model: nn.Module, images: np.ndarray) -> tuple[bytes, float]:
    """Export, then run both models on `images`; refuse an export that disagrees."""
    import onnxruntime as ort
    import torch

    onnx_bytes = to_onnx(model, images[:2])
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    (onnx_output,) = session.run([OUTPUT_NAME], {INPUT_NAME: images})
    with torch.no_grad():
        torch_output = model(torch.from_numpy(images)).numpy()
    difference = float(np.abs(onnx_output - torch_output).max())
    if difference > PARITY_TOLERANCE:
        raise ValueError(
            f"the ONNX export differs from the torch model by {difference:.2e} "
            f"(more than {PARITY_TOLERANCE:.0e}); not exporting it"
        )
    return onnx_bytes, difference


def export_model(onnx_bytes: bytes, metadata: dict[str, Any], model_dir: Path) -> Path:
    """Write the files to a temporary folder, then swap it in.

    A crash half-way never leaves a new model beside old metadata.
    """
    model_dir = model_dir.resolve()
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=model_dir.parent))
    (staging / ONNX_FILE).write_bytes(onnx_bytes)
    (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    previous = model_dir.with_name(model_dir.name + ".previous")
    if model_dir.exists():
        shutil.rmtree(previous, ignore_errors=True)
        model_dir.rename(previous)
    staging.rename(model_dir)
    shutil.rmtree(previous, ignore_errors=True)
    return model_dir


def read_metadata(model_dir: Path) -> dict[str, Any]:
    path = model_dir / METADATA_FILE
    if not path.is_file():
        raise ModelLoadError(
            f"no exported model in {model_dir}/ (run `train` first, or set APP_MODEL_DIR)"
        )
    try:
        metadata = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ModelLoadError(f"{path} is not readable JSON: {error}") from error
    if not isinstance(metadata, dict) or not isinstance(metadata.get("classes"), list):
        raise ModelLoadError(f"{path} does not describe a model (no 'classes' list)")
    return metadata
