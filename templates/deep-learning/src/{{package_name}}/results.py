"""The results table of the README: what the latest training run reached."""

from __future__ import annotations

from typing import Any

ROWS = [
    ("test_accuracy", "held-out accuracy", "{:.4f}"),
    ("test_loss", "held-out cross-entropy", "{:.4f}"),
    ("best_val_accuracy", "validation accuracy (best epoch)", "{:.4f}"),
    ("train_seconds", "training time (s)", "{:.1f}"),
    ("onnx_max_abs_difference", "ONNX vs torch, max probability difference", "{:.1e}"),
]


def results_table(metadata: dict[str, Any]) -> str:
    metrics = metadata["metrics"]
    lines = [
        f"Model version {metadata['model_version']}, trained {metadata['trained_at']} on "
        f"`{metadata['device']}`: {metadata['epochs_run']} epochs, the best at epoch "
        f"{metadata['best_epoch']}, {metadata['parameters']:,} parameters.",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [
        f"| {label} | {fmt.format(metrics[key])} |" for key, label, fmt in ROWS if key in metrics
    ]
    return "\n".join(lines)
