"""Queries to vectors without torch: the exported encoder in onnxruntime.

The tokenizer is the model's own (``tokenizer.json``, the Hugging Face
``tokenizers`` library), with its truncation and padding saved in the file, so
a query is cut and padded exactly as sentence-transformers would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from .search_index import ENCODER_FILE, ENCODER_INPUTS, ENCODER_OUTPUT, TOKENIZER_FILE

# Texts run through the encoder at a time when embedding many.
BATCH = 32


class TextTooLong(ValueError):
    """A text the encoder would cut: its vector would not stand for all of it."""

    def __init__(self, index: int, window: int) -> None:
        super().__init__(
            f"input {index} is longer than the {window} tokens the embedding model reads"
        )
        self.index = index


class TooManyTokens(ValueError):
    def __init__(self, tokens: int, limit: int) -> None:
        super().__init__(
            f"the texts hold {tokens} tokens in all; one request may embed at most {limit}"
        )


@dataclass
class Embeddings:
    vectors: np.ndarray  # (texts, dimensions) float32 unit vectors
    tokens: int  # tokens read, padding left out


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
        """(texts, dimensions) float32 unit vectors; a text past the window is cut."""
        return self._vectors(self.tokenizer.encode_batch(texts))

    def embed(self, texts: list[str], max_tokens: int | None = None) -> Embeddings:
        """Whole texts to vectors, with the tokens read; TextTooLong for the first
        text the window would cut (a search query is cut instead), TooManyTokens
        when all of them together are over `max_tokens`."""
        encodings = self.tokenizer.encode_batch(texts)
        for index, encoding in enumerate(encodings):
            if encoding.overflowing:
                raise TextTooLong(index, len(encoding.ids))
        tokens = sum(sum(encoding.attention_mask) for encoding in encodings)
        if max_tokens is not None and tokens > max_tokens:
            raise TooManyTokens(tokens, max_tokens)
        # In small batches, each padded only to its own longest text: one long
        # text does not make every short one cost a whole window.
        batches = [encodings[at : at + BATCH] for at in range(0, len(encodings), BATCH)]
        return Embeddings(np.concatenate([self._vectors(batch) for batch in batches]), tokens)

    def _vectors(self, encodings: list[Encoding]) -> np.ndarray:
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        width = max(int(mask.sum(axis=1).max()), 1)  # padding is on the right
        (vectors,) = self.session.run(
            [ENCODER_OUTPUT],
            dict(zip(ENCODER_INPUTS, (ids[:, :width], mask[:, :width]), strict=True)),
        )
        return vectors
