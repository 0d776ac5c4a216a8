"""genai: one query against N chunks, numpy exact search (the beginner level)
against FAISS flat and HNSW (the vector store from intermediate up).

Renders the genai beginner and intermediate projects, installs the
intermediate one (CPU torch, as the suite does) and, in its environment, times
each project's own ``SearchIndex.search`` on random unit vectors of
all-MiniLM-L6-v2's width (384): one query at a time, as the service searches.
Ratios are against the beginner's numpy search measured in the same run; HNSW
recall@10 is against the exact result. Random vectors are HNSW's hard case
(no clusters), so real collections recall at least as well.

    python benchmarks/vector_search.py          # after `bash scripts/test.sh` made .venv
    python benchmarks/vector_search.py --sizes 1000 10000 100000 --queries 200
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from projects import install, render_head  # the suite's way to install a project with CPU torch

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "vector_search.md"

MEASURE = Path(__file__).with_name("vector_search_measure.py")  # runs in the project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        projects = {}
        for level in ("beginner", "intermediate"):
            projects[level] = Path(folder) / level
            render_head(projects[level], {"track": "genai", "level": level})
        installed = install(projects["intermediate"], "document-assistant")
        beginner_index = projects["beginner"] / "src" / "document_search" / "search_index.py"
        result = installed.run(
            installed.bin("python"),
            str(MEASURE),
            str(beginner_index),
            json.dumps(arguments.sizes),
            str(arguments.queries),
        )
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:])
            return 1
        rows = json.loads(result.stdout.strip().splitlines()[-1])
    write_report(rows, arguments)
    print(DOCS.read_text())
    return 0


def write_report(rows: list[dict], arguments: argparse.Namespace) -> None:
    sizes = " ".join(str(size) for size in arguments.sizes)
    lines = [
        "# Vector search: numpy (beginner) against FAISS (intermediate and up)",
        "",
        f"Written by `python benchmarks/vector_search.py --sizes {sizes} --queries "
        f"{arguments.queries}` on this machine (2 cores). One query at a time, k = 10,",
        "random unit vectors of 384 dimensions; each project's own `SearchIndex`.",
        "Ratios are queries per second against the beginner's numpy search in the same run;",
        "recall@10 is against the exact top 10.",
        "",
        "| chunks | engine | queries/s | vs numpy | recall@10 | index build (s) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        build = f"{row['build_s']:.1f}" if row["build_s"] is not None else ""
        lines.append(
            f"| {row['size']:,} | {row['engine']} | {row['qps']:,.0f} | {row['ratio']:.2f}x "
            f"| {row['recall']:.3f} | {build} |"
        )
    DOCS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
