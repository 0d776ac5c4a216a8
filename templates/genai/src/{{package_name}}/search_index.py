"""The exported index: what the service loads, in one folder.

- ``embeddings.npy``: one unit vector per chunk, float32 (chunks x dimensions)
- ``chunks.jsonl``: each chunk's source, place and text, in the same order
- ``encoder.onnx`` and ``tokenizer.json``: the embedding model for queries,
  exported from sentence-transformers (see encoder.py), run without torch
- ``metadata.json``: the model, the chunking and the evaluation of this index

Vectors have length one, so cosine similarity is a dot product, and an exact
search over every chunk takes well under a millisecond for a few thousand.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

EMBEDDINGS_FILE = "embeddings.npy"
CHUNKS_FILE = "chunks.jsonl"
ENCODER_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
METADATA_FILE = "metadata.json"
ENCODER_INPUTS = ["input_ids", "attention_mask"]  # int64 (batch, tokens)
ENCODER_OUTPUT = "sentence_embedding"  # float32 (batch, dimensions), unit length


class ModelLoadError(RuntimeError):
    """The exported index is missing, corrupt or not ours; the message says which."""


class SearchIndex:
    def __init__(self, embeddings: np.ndarray, chunks: list[dict[str, Any]]) -> None:
        if len(embeddings) != len(chunks):
            raise ModelLoadError(f"{len(embeddings)} embeddings for {len(chunks)} chunks")
        self.embeddings = embeddings
        self.chunks = chunks

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """For each query vector, the `k` best (chunk number, similarity), best first."""
        scores = queries @ self.embeddings.T  # (queries, chunks)
        k = min(k, scores.shape[1])
        # argpartition finds the top k in linear time; only those k get sorted.
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        results = []
        for row, candidates in zip(scores, top, strict=True):
            ranked = candidates[np.argsort(-row[candidates], kind="stable")]
            results.append([(int(i), float(row[i])) for i in ranked])
        return results


def save_index(
    model_dir: Path,
    embeddings: np.ndarray,
    chunks: list[dict[str, Any]],
    encoder: dict[str, bytes],
    metadata: dict[str, Any],
) -> Path:
    """Write every file to a temporary folder, then swap it in.

    A crash half-way never leaves new embeddings beside old chunks.
    """
    model_dir = model_dir.resolve()
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=model_dir.parent))
    np.save(staging / EMBEDDINGS_FILE, embeddings.astype(np.float32))
    lines = (json.dumps(chunk, ensure_ascii=False) for chunk in chunks)
    (staging / CHUNKS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, data in encoder.items():
        (staging / name).write_bytes(data)
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
        raise ModelLoadError(f"no index in {model_dir}/ (run `index` first, or set APP_MODEL_DIR)")
    try:
        metadata = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ModelLoadError(f"{path} is not readable JSON: {error}") from error
    if not isinstance(metadata, dict) or "embedding_model" not in metadata:
        raise ModelLoadError(f"{path} does not describe an index (no 'embedding_model')")
    return metadata


def load_index(model_dir: Path) -> SearchIndex:
    try:
        embeddings = np.load(model_dir / EMBEDDINGS_FILE)
        lines = (model_dir / CHUNKS_FILE).read_text(encoding="utf-8").splitlines()
        chunks = [json.loads(line) for line in lines if line]
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"the index in {model_dir}/ is unreadable: {error}") from error
    return SearchIndex(embeddings, chunks)
