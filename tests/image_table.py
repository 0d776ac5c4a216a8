"""docs/images.md: each built image's size and build time.

Images build on both xdist workers, so each build appends a row to a file that
the reporting process (the controller, or the only process) names in
MLFOLIO_IMAGE_ROWS at start-up, and writes the table from at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

from matrix import ROOT

TABLE = ROOT / "docs" / "images.md"
ROWS = "MLFOLIO_IMAGE_ROWS"


def start(folder: Path) -> None:
    """Before the workers start: a fresh rows file, which they inherit by name."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = folder / "image-rows.tsv"
    rows.write_text("")
    os.environ[ROWS] = str(rows)


def record(case_id: str, python: str, megabytes: float, seconds: float) -> None:
    if os.environ.get(ROWS):
        with open(os.environ[ROWS], "a") as rows:
            rows.write(f"{case_id}\t{python}\t{megabytes:.0f}\t{seconds:.0f}\n")
    if os.environ.get("MLFOLIO_TIMES"):  # for .ci/run's table of where the time went
        with open(os.environ["MLFOLIO_TIMES"], "a") as times:
            times.write(f"image\t{case_id}\t{seconds:.1f}\n")


def write() -> None:
    """The table from every row recorded this run; an unchanged file if none were."""
    rows_file = Path(os.environ.get(ROWS, ""))
    if not rows_file.is_file() or not rows_file.read_text().strip():
        return
    rows = sorted(line.split("\t") for line in rows_file.read_text().splitlines() if line)
    lines = [
        "# Docker image sizes",
        "",
        "Written by the template suite on every run that builds images",
        "(local Debian base image from `scripts/base_image.sh`, BuildKit). Build time",
        "includes installing dependencies unless Docker's layer cache had them; uv's",
        "download cache is a BuildKit cache mount shared by every build of the run,",
        "and two builds may run at once (one per pytest worker).",
        "",
        "| case | Python | image size (MB) | build time (s) |",
        "|---|---|---|---|",
    ]
    for case_id, python, megabytes, seconds in rows:
        lines.append(f"| {case_id} | {python} | {int(megabytes):,} | {seconds} |")
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text("\n".join(lines) + "\n")
