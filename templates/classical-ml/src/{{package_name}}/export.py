"""Write the trained model to a folder the service loads, and read it back safely.

The folder holds ``model.skops``, ``metadata.json`` and, for all-numeric data,
``model.onnx``. skops, unlike pickle, does not run arbitrary code on load: it
rebuilds only types it is told to trust. The allow-list lives here, in code,
never next to the model file. scikit-learn and skops are imported only when the
skops file is read, so a service that serves the ONNX twin never loads them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_FILE = "model.skops"
ONNX_FILE = "model.onnx"  # optional fast serving path, see onnx_export.py
METADATA_FILE = "metadata.json"

# Types beyond skops' defaults that our pipelines contain (trees for random forests).
TRUSTED_TYPES = ["numpy.dtype", "sklearn.tree._tree.Tree"]


class ModelLoadError(RuntimeError):
    """The exported model is missing, corrupt or not ours; the message says which."""


@dataclass(frozen=True)
class ExportedModel:
    pipeline: Pipeline | None  # None when only the ONNX twin was asked for
    metadata: dict[str, Any]
    onnx_path: Path | None = None  # present when training verified an ONNX twin


def export_model(
    pipeline: Pipeline, metadata: dict[str, Any], model_dir: Path, onnx_model: bytes | None = None
) -> Path:
    """Write the files to a temporary folder, then swap it in.

    A crash half-way never leaves a new model beside old metadata.
    """
    model_dir = model_dir.resolve()
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=model_dir.parent))
    import skops.io as sio

    sio.dump(pipeline, staging / MODEL_FILE)
    if onnx_model is not None:
        (staging / ONNX_FILE).write_bytes(onnx_model)
    (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    if model_dir.exists():
        backup = model_dir.with_name(model_dir.name + ".previous")
        shutil.rmtree(backup, ignore_errors=True)
        model_dir.rename(backup)
        staging.rename(model_dir)
        shutil.rmtree(backup)
    else:
        staging.rename(model_dir)
    return model_dir


def read_metadata(model_dir: Path) -> dict[str, Any]:
    path = model_dir / METADATA_FILE
    if not path.is_file():
        raise ModelLoadError(f"no exported model in {model_dir}: run the train command first")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ModelLoadError(f"{path} is not valid JSON ({error}); re-run training") from error


def load_model(model_dir: Path, *, need_pipeline: bool = True) -> ExportedModel:
    """Read the export; with need_pipeline=False, skip the skops file if ONNX is there."""
    metadata = read_metadata(model_dir)
    onnx_path = model_dir / ONNX_FILE
    if not (metadata.get("onnx") and onnx_path.is_file()):
        return ExportedModel(_load_pipeline(model_dir / MODEL_FILE), metadata)
    pipeline = _load_pipeline(model_dir / MODEL_FILE) if need_pipeline else None
    return ExportedModel(pipeline, metadata, onnx_path)


def _load_pipeline(path: Path) -> Pipeline:
    import skops.io as sio

    if not path.is_file():
        raise ModelLoadError(f"{path} is missing: run the train command first")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as error:  # skops raises several types for a damaged file
        raise ModelLoadError(
            f"{path} is not a readable skops file ({error}); re-run training"
        ) from error
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelLoadError(
            f"{path} contains types this project does not trust: {unexpected}. "
            "If you added them yourself, extend TRUSTED_TYPES in export.py."
        )
    try:
        pipeline = sio.load(path, trusted=untrusted)
    except Exception as error:
        raise ModelLoadError(f"could not load {path} ({error}); re-run training") from error
    return pipeline
