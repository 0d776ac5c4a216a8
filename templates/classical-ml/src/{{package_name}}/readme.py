"""Keep the README's results table in step with the latest training run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- results:start -->"
END = "<!-- results:end -->"


def results_table(metadata: dict[str, Any]) -> str:
    rows = [f"| {name} | {value:.4f} |" for name, value in sorted(metadata["metrics"].items())]
    lines = [
        f"Data set `{metadata['dataset']}` ({metadata['task']}), estimator "
        f"`{metadata['estimator']}`, model version {metadata['model_version']}, "
        f"trained {metadata['trained_at']}. Test-set metrics unless marked `cv_`.",
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


def update_results_table(readme: Path, metadata: dict[str, Any]) -> bool:
    """Replace the text between the markers; leave the README alone if they are gone."""
    if not readme.is_file():
        return False
    text = readme.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{results_table(metadata)}\n{END}{tail}")
    return True
