"""Print where a test run's time went, from the rows its stages recorded.

    python3 scripts/ci_times.py build/ci-times.tsv
    python3 scripts/ci_times.py --group-seconds build/ci-times.tsv > tests/group_seconds.json

The second form writes the seconds each test group took, which conftest.py
uses to start the longest groups first: refresh it after a full run when
groups change a lot. Each row of the file is `kind<TAB>name<TAB>seconds[<TAB>count]`,
appended by .ci/run and scripts/test.sh (stages), tests/conftest.py (each test
module, xdist worker and test group, and every test of 10 s or more) and
tests/test_containers.py (each image build). Standard library only: it runs
before and after the suite's own environment exists.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

HEADINGS = {
    "stage": "Stages (wall clock, in order)",
    "worker": "pytest workers (time spent in tests; the slower one sets the wall clock)",
    "module": "Test modules (time in tests summed over both workers, largest first)",
    "group": "Test groups: one (track, level) each, on one worker (largest first)",
    "image": "Image builds (inside their test modules' time, largest first)",
    "test": "The slowest tests: setup, call and teardown (the 40 largest)",
}
SHOWN = {"test": 40}  # kinds with many rows: only the largest are printed


def read(path: Path) -> dict[str, list[tuple[str, float, str]]]:
    rows: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for line in path.read_text().splitlines():
        kind, name, seconds, *count = line.split("\t")
        rows[kind].append((name, float(seconds), count[0] if count else ""))
    return rows


def group_seconds(path: Path) -> int:
    groups = {name: round(seconds) for name, seconds, _ in read(path)["group"]}
    print(json.dumps(dict(sorted(groups.items())), indent=2))
    return 0


def main(path: Path) -> int:
    if not path.is_file():
        print(f"no timings recorded in {path}")
        return 0
    rows = read(path)
    for kind, heading in HEADINGS.items():
        if not rows[kind]:
            continue
        entries = rows[kind] if kind == "stage" else sorted(rows[kind], key=lambda r: -r[1])
        entries = entries[: SHOWN.get(kind)]
        print(f"\n{heading}\n")
        print("| name | seconds | minutes | tests |")
        print("|---|---:|---:|---:|")
        for name, seconds, count in entries:
            print(f"| {name} | {seconds:,.0f} | {seconds / 60:.1f} | {count} |")
        if kind not in ("stage", "test"):
            total = sum(seconds for _, seconds, _ in entries)
            print(f"| total | {total:,.0f} | {total / 60:.1f} | |")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--group-seconds"]:
        sys.exit(group_seconds(Path(args[1] if len(args) > 1 else "build/ci-times.tsv")))
    sys.exit(main(Path(args[0] if args else "build/ci-times.tsv")))
