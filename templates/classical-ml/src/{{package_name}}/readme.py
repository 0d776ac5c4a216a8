"""Keep the README's results table in step with the latest training run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- results:start -->"
END = "<!-- results:end -->"


def results_table(metadata: dict[str, Any]) -> str:
    rows = [f"| {name} | {value:.4f} |" for name, value in sorted(metadata["metrics"].items())]
    return "\n".join(
        [
            f"Data set `{metadata['dataset']}` ({metadata['task']}), estimator "
            f"`{metadata['estimator']}`, model version {metadata['model_version']}, "
            f"trained {metadata['trained_at']}. Test-set metrics unless marked `cv_`.",
            "",
            "| metric | value |",
            "|---|---|",
            *rows,
        ]
    )


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
