"""Queries to vectors without torch: the exported encoder in onnxruntime.

The tokenizer is the model's own (``tokenizer.json``, the Hugging Face
``tokenizers`` library), with its truncation and padding saved in the file, so
a query is cut and padded exactly as sentence-transformers would.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from .search_index import ENCODER_FILE, ENCODER_INPUTS, ENCODER_OUTPUT, TOKENIZER_FILE


class QueryEncoder:
    def __init__(self, tokenizer: Tokenizer, session: ort.InferenceSession) -> None:
        self.tokenizer = tokenizer
        self.session = session

    @classmethod
    def load(cls, model_dir: Path) -> QueryEncoder:
        """From an exported index folder; on a GPU where onnxruntime-gpu has one."""
        return cls(
            Tokenizer.from_file(str(model_dir / TOKENIZER_FILE)),
            ort.InferenceSession(
                str(model_dir / ENCODER_FILE), providers=ort.get_available_providers()
            ),
        )

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> QueryEncoder:
        """From the files ``encoder.export_encoder`` made, before they are written."""
        return cls(
            Tokenizer.from_str(files[TOKENIZER_FILE].decode()),
            ort.InferenceSession(files[ENCODER_FILE], providers=["CPUExecutionProvider"]),
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        """(texts, dimensions) float32 unit vectors."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        (vectors,) = self.session.run(
            [ENCODER_OUTPUT], dict(zip(ENCODER_INPUTS, (ids, mask), strict=True))
        )
        return vectors
