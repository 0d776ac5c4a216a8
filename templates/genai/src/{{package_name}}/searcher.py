"""Queries in, ranked chunks out: the loaded encoder and index together.

A module of its own: the service loads it, ``rag.py`` retrieves through it and
``indexing.py`` evaluates with it, and none of them need the others.
"""

from __future__ import annotations

from typing import Any

from .query_encoder import Embeddings, QueryEncoder
from .search_index import SearchIndex


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

    def embed(self, texts: list[str], max_tokens: int | None = None) -> Embeddings:
        """Texts as the index's vectors (what /v1/embeddings serves)."""
        return self.encoder.embed(texts, max_tokens)
