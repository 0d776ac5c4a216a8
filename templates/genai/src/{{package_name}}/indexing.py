"""The ``index`` command: read, chunk, embed, export, evaluate, log.

The evaluation runs on exactly what the service will load (the exported ONNX
encoder and the saved vectors), so its numbers describe the served search.
"""

from __future__ import annotations

import csv
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mlflow
from rich.console import Console

from .config import Settings
from .corpus import chunk_documents, read_documents, read_queries
from .encoder import export_encoder, load_embedding_model
from .evaluation import Evaluation, evaluate
from .query_encoder import QueryEncoder
from .readme import update_results_table
from .results import results_table
from .search_index import SearchIndex, save_index
from .serving.predictor import Searcher
from .tracking import configure_tracking

console = Console()
PARITY_TEXTS = 64  # chunks the ONNX encoder is checked on


@dataclass(frozen=True)
class IndexResult:
    documents: int
    chunks: int
    skipped: list[str]
    metrics: dict[str, float]
    run_id: str
    model_dir: Path


def build_index(settings: Settings) -> IndexResult:
    documents, skipped = read_documents(settings.docs_dir)
    for note in skipped:
        console.print(f"[yellow]skipped {note}[/yellow]")
    chunks = chunk_documents(documents, settings.chunk_words, settings.chunk_overlap)
    texts = [chunk.text for chunk in chunks]
    model = load_embedding_model(settings.embedding_model, settings.device)

    configure_tracking(settings.tracking_uri, settings.experiment_name)
    with mlflow.start_run() as run:
        mlflow.log_params(
            {
                "embedding_model": settings.embedding_model,
                "chunk_words": settings.chunk_words,
                "chunk_overlap": settings.chunk_overlap,
                "eval_k": settings.eval_k,
                "documents": len(documents),
                "chunks": len(chunks),
                "device": str(model.device),
            }
        )
        started = time.perf_counter()
        embeddings = model.encode(
            texts,
            batch_size=settings.batch_size,
            normalize_embeddings=True,  # unit vectors: cosine similarity is a dot product
            convert_to_numpy=True,
            show_progress_bar=True,
        )
        embed_seconds = time.perf_counter() - started
        files, difference = export_encoder(model, texts[:PARITY_TEXTS])
        metrics: dict[str, float] = {
            "embed_seconds": embed_seconds,
            "chunks_per_second": len(chunks) / embed_seconds,
            "onnx_max_abs_difference": difference,
        }
        chunk_rows = [asdict(chunk) for chunk in chunks]
        metadata: dict[str, Any] = {
            "run_id": run.info.run_id,
            "indexed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "embedding_model": settings.embedding_model,
            "dimensions": int(embeddings.shape[1]),
            "max_tokens": model.max_seq_length,
            "chunk_words": settings.chunk_words,
            "chunk_overlap": settings.chunk_overlap,
            "documents": len(documents),
            "chunks": len(chunks),
            "metrics": metrics,
        }
        if settings.queries_file.is_file():
            searcher = Searcher(
                QueryEncoder.from_files(files), SearchIndex(embeddings, chunk_rows), metadata
            )
            evaluation = evaluate(
                searcher.sources, read_queries(settings.queries_file), settings.eval_k
            )
            metrics.update(evaluation.metrics())
            report = write_evaluation(evaluation, settings.reports_dir / "evaluation.csv")
            mlflow.log_artifact(str(report), artifact_path="evaluation")
            unknown = {row["relevant"] for row in evaluation.rows} - {c.source for c in chunks}
            if unknown:
                console.print(
                    f"[yellow]{len(unknown)} labelled file(s) are not in the index "
                    f"(e.g. {sorted(unknown)[0]}): check {settings.queries_file}[/yellow]"
                )
        else:
            console.print(f"no labelled queries at {settings.queries_file}: not evaluated")
        mlflow.log_metrics(metrics)
        exported = save_index(settings.model_dir, embeddings, chunk_rows, files, metadata)
        mlflow.log_artifact(str(exported / "metadata.json"), artifact_path="index")
        update_results_table(settings.readme_path, results_table(metadata))
    return IndexResult(
        len(documents), len(chunks), skipped, metrics, run.info.run_id, settings.model_dir
    )


def write_evaluation(evaluation: Evaluation, path: Path) -> Path:
    """One row per labelled query: where its file ranked (empty: not in the top k)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["query", "relevant", "rank", "top"])
        writer.writeheader()
        writer.writerows(evaluation.rows)
    return path
