"""Keep the README's results table in step with the latest training run."""

from __future__ import annotations

from pathlib import Path

START = "<!-- results:start -->"
END = "<!-- results:end -->"


def update_results_table(readme: Path, table: str) -> bool:
    """Replace the text between the markers; leave the README alone if they are gone."""
    if not readme.is_file():
        return False
    text = readme.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{table}\n{END}{tail}")
    return True
