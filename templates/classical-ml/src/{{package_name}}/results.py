"""The results table of the README: test metrics and the estimators compared."""

from __future__ import annotations

from typing import Any

LOG_TARGET_NOTE = " on the logarithm of the target"


def results_table(metadata: dict[str, Any]) -> str:
    rows = [f"| {name} | {value:.4f} |" for name, value in sorted(metadata["metrics"].items())]
    lines = [
        f"Data set `{metadata['dataset']}` ({metadata['task']}), estimator "
        f"`{metadata['estimator']}`, model version {metadata['model_version']}, "
        f"trained {metadata['trained_at']}{LOG_TARGET_NOTE * metadata.get('log_target', False)}. "
        f"Fitted in {metadata['fit_seconds']:.1f} s, model file "
        f"{metadata['model_bytes'] / 1e6:.2f} MB. Test-set metrics unless marked `cv_`.",
        "",
        "| metric | value |",
        "|---|---|",
        *rows,
    ]
    comparison = metadata.get("comparison") or {}
    if len(comparison) > 1:
        lines += ["", *comparison_table(comparison, metadata["estimator"])]
    return "\n".join(lines)


def comparison_table(comparison: dict[str, dict[str, float]], chosen: str) -> list[str]:
    """Every estimator trained side by side; the one kept is chosen by cross-validation."""
    metrics = list(next(iter(comparison.values())))
    lines = [
        "Estimators compared (kept: the best cross-validation score, in bold):",
        "",
        "| estimator | " + " | ".join(metrics) + " |",
        "|---" * (len(metrics) + 1) + "|",
    ]
    for name, row in comparison.items():
        label = f"**{name}**" if name == chosen else name
        lines.append(f"| {label} | " + " | ".join(f"{row[m]:.4f}" for m in metrics) + " |")
    return lines
