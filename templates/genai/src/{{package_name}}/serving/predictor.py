"""The loaded index, ready to answer: queries in, ranked chunks out.

onnxruntime embeds the query with the exported encoder; torch is not needed
(or installed) here.
"""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..query_encoder import QueryEncoder
from ..search_index import ModelLoadError, SearchIndex, load_index, read_metadata

__all__ = ["ModelLoadError", "Searcher", "load_predictor"]


class Searcher:
    def __init__(self, encoder: QueryEncoder, index: SearchIndex, metadata: dict[str, Any]) -> None:
        self.encoder = encoder
        self.index = index
        self.metadata = metadata

    def search(self, queries: list[str], k: int) -> list[list[dict[str, Any]]]:
        """For each query its `k` best chunks: rank, score, source, position, text."""
        hits = self.index.search(self.encoder.encode(queries), k)
        return [
            [
                {"rank": rank, "score": round(score, 6), **self.index.chunks[number]}
                for rank, (number, score) in enumerate(ranked, start=1)
            ]
            for ranked in hits
        ]

    def sources(self, queries: list[str], k: int) -> list[list[str]]:
        """The files the results come from, best first (what evaluation scores)."""
        return [[hit["source"] for hit in hits] for hits in self.search(queries, k)]


def load_predictor(settings: Settings) -> Searcher:
    metadata = read_metadata(settings.model_dir)
    index = load_index(settings.model_dir)
    try:
        encoder = QueryEncoder.load(settings.model_dir)
    except Exception as error:  # onnxruntime and tokenizers raise their own types
        raise ModelLoadError(
            f"the query encoder in {settings.model_dir}/ is unusable: {error}"
        ) from error
    dimensions = index.embeddings.shape[1]
    if dimensions != metadata["dimensions"]:
        raise ModelLoadError(
            f"the index has {dimensions}-dimensional vectors, "
            f"the metadata says {metadata['dimensions']}"
        )
    return Searcher(encoder, index, metadata)
