"""Keep the README's results table and figures in step with the exported model.

Each is a block between two HTML comments (invisible on GitHub and Hugging
Face). The figures are copied to ``docs/figures/`` beside the README, which
is committed (``reports/`` is not), so they show wherever the repository does.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

START = "<!-- results:start -->"
END = "<!-- results:end -->"
FIGURES_START = "<!-- figures:start -->"
FIGURES_END = "<!-- figures:end -->"
FIGURES_DIR = Path("docs/figures")  # relative to the README's folder


def replace_block(readme: Path, start: str, end: str, text: str) -> bool:
    """Replace the text between the markers; leave the README alone if they are gone."""
    if not readme.is_file():
        return False
    content = readme.read_text(encoding="utf-8")
    if start not in content or end not in content:
        return False
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")
    return True


def update_results_table(readme: Path, table: str) -> bool:
    return replace_block(readme, START, END, table)


def update_figures(readme: Path, figures: list[Path]) -> bool:
    """Show `figures` in the README: copied to docs/figures/ (replacing the
    previous model's), linked by relative paths, titled by their file names."""
    if not readme.is_file():
        return False
    content = readme.read_text(encoding="utf-8")
    if FIGURES_START not in content or FIGURES_END not in content:
        return False
    # The previous model's figures go; anything else in the folder stays.
    block = content.split(FIGURES_START, 1)[1].split(FIGURES_END, 1)[0]
    for linked in re.findall(r"\]\(([^)]+)\)", block):
        if Path(linked).parent == FIGURES_DIR:
            (readme.parent / linked).unlink(missing_ok=True)
    folder = readme.parent / FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    images = []
    for figure in figures:
        shutil.copy2(figure, folder / figure.name)
        title = figure.stem.replace("_", " ").capitalize()
        images.append(f"![{title}]({(FIGURES_DIR / figure.name).as_posix()})")
    return replace_block(readme, FIGURES_START, FIGURES_END, "\n".join(images))
