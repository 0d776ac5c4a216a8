"""Retrieval quality on labelled queries: recall@k and mean reciprocal rank.

A query is answered at rank r when the r-th result comes from the file it is
labelled with. recall@k is the share of queries answered within the first k
results; MRR averages 1/r over the queries (0 when not answered within k).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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
    """Retrieval on the queries some file answers (the others have no rank to find)."""
    queries = [query for query in queries if query.answerable]
    if not queries:
        raise ValueError("no labelled query names a file that answers it")
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


def write_evaluation(evaluation: Evaluation, path: Path) -> Path:
    """One row per labelled query: where its file ranked (empty: not in the top k)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["query", "relevant", "rank", "top"])
        writer.writeheader()
        writer.writerows(evaluation.rows)
    return path


def log_evaluation(
    evaluation: Evaluation, metadata: dict[str, Any], report: Path, tracking: tuple[str, str]
) -> str:
    """An MLflow run of its own for an evaluation of an exported index: its
    metrics, the index it scored and the per-query file. Returns the run id."""
    import mlflow  # a training-side library: the service never evaluates

    from .tracking import configure_tracking

    configure_tracking(*tracking)
    with mlflow.start_run(run_name=f"evaluate@{evaluation.k}") as run:
        mlflow.log_params(
            {
                "index_run_id": metadata.get("run_id"),
                "embedding_model": metadata.get("embedding_model"),
                "k": evaluation.k,
                "queries": len(evaluation.rows),
            }
        )
        mlflow.log_metrics(evaluation.metrics())
        mlflow.log_artifact(str(report), artifact_path="evaluation")
    return run.info.run_id


def save_rank_chart(evaluation: Evaluation, path: Path) -> Path:
    """Bars: how many labelled queries found their file at rank 1, 2, ... k, or
    not within k, with recall@1, recall@k and MRR in the title."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed: files only
    import matplotlib.pyplot as plt

    labels = [str(rank) for rank in range(1, evaluation.k + 1)] + [f"not in {evaluation.k}"]
    counts = [evaluation.ranks.count(rank) for rank in range(1, evaluation.k + 1)]
    counts.append(evaluation.ranks.count(None))
    figure, axes = plt.subplots(figsize=(6, 3.5))
    colours = ["#2563eb"] * evaluation.k + ["#b91c1c"]
    axes.bar(labels, counts, color=colours)
    axes.set_xlabel("rank of the labelled file among the results")
    axes.set_ylabel("queries")
    axes.set_title(
        f"recall@1 {evaluation.recall_at_1:.2f} · recall@{evaluation.k} "
        f"{evaluation.recall_at_k:.2f} · MRR {evaluation.mrr:.2f}"
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
