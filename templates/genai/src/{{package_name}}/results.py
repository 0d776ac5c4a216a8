"""The results table of the README: what the latest index reached."""

from __future__ import annotations

from typing import Any


def results_table(metadata: dict[str, Any]) -> str:
    metrics = metadata["metrics"]
    rows = [
        ("recall_at_1", "recall@1", "{:.3f}"),
        *[
            (key, key.replace("recall_at_", "recall@"), "{:.3f}")
            for key in metrics
            if key.startswith("recall_at_") and key != "recall_at_1"
        ],
        ("mrr", "mean reciprocal rank", "{:.3f}"),
        ("chunks_per_second", "chunks embedded per second", "{:.1f}"),
        ("onnx_max_abs_difference", "ONNX vs sentence-transformers, max difference", "{:.1e}"),
    ]
    lines = [
        f"Index of {metadata['documents']} documents in {metadata['chunks']} chunks "
        f"({metadata['chunk_words']} words, {metadata['chunk_overlap']} shared), built "
        f"{metadata['indexed_at']} with `{metadata['embedding_model']}` "
        f"({metadata['dimensions']} dimensions).",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [
        f"| {label} | {fmt.format(metrics[key])} |" for key, label, fmt in rows if key in metrics
    ]
    return "\n".join(lines)
