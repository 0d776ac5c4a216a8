"""Retrieval quality on labelled queries: recall@k and mean reciprocal rank.

A query is answered at rank r when the r-th result comes from the file it is
labelled with. recall@k is the share of queries answered within the first k
results; MRR averages 1/r over the queries (0 when not answered within k).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .corpus import LabelledQuery

# Queries in, for each one the sources of its results, best first.
Search = Callable[[list[str], int], list[list[str]]]


@dataclass(frozen=True)
class Evaluation:
    k: int
    ranks: list[int | None]  # per query: where its file first appears (None: not in top k)
    rows: list[dict[str, Any]]

    @property
    def recall_at_1(self) -> float:
        return sum(rank == 1 for rank in self.ranks) / len(self.ranks)

    @property
    def recall_at_k(self) -> float:
        return sum(rank is not None for rank in self.ranks) / len(self.ranks)

    @property
    def mrr(self) -> float:
        return sum(1 / rank for rank in self.ranks if rank) / len(self.ranks)

    def metrics(self) -> dict[str, float]:
        return {
            "recall_at_1": self.recall_at_1,
            f"recall_at_{self.k}": self.recall_at_k,
            "mrr": self.mrr,
        }


def first_rank(sources: list[str], relevant: str) -> int | None:
    return next((rank for rank, source in enumerate(sources, start=1) if source == relevant), None)


def evaluate(search: Search, queries: list[LabelledQuery], k: int) -> Evaluation:
    results = search([query.query for query in queries], k)
    ranks = [
        first_rank(sources, query.relevant) for sources, query in zip(results, queries, strict=True)
    ]
    rows = [
        {
            "query": query.query,
            "relevant": query.relevant,
            "rank": rank,
            "top": sources[0] if sources else "",
        }
        for query, sources, rank in zip(queries, results, ranks, strict=True)
    ]
    return Evaluation(k, ranks, rows)
