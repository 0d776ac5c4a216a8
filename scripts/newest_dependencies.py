"""Try each level's default project on the newest release of every dependency.

    python3 scripts/newest_dependencies.py [--report build/newest-dependencies.md]

Generated projects pin each dependency from the version this template was
tested with up to, not including, its next major version. This script finds out
what next year's install will meet. For every built (track, level) it:

1. renders the default case;
2. drops the upper bounds from its pyproject.toml, so new major versions are
   tried too;
3. installs it with uv's highest resolution into a fresh environment;
4. runs the project's own lint and tests.

The report has one row per level (passed or failed, and the failing step) and
lists every installed version past the tested range. The exit status is 1 when
any level fails. It needs PyPI (torch comes from PyTorch's CPU index), so the
scheduled workflow (.github/workflows/newest-dependencies.yml) runs it, not the
suite; the suite tests the bound rewriting.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from matrix import built_track_levels  # the suite's reading of copier.yml  # noqa: E402

# ",<4" inside a quoted requirement: "pandas>=3.1.1,<4; marker" -> "pandas>=3.1.1; marker"
UPPER_BOUND = re.compile(r',\s*<\s*[0-9][0-9.]*(?=\s*(?:;[^"]*)?")')
TORCH_TRACKS = {"deep-learning", "genai"}


def without_upper_bounds(pyproject: str) -> str:
    """pyproject.toml's text with every requirement's upper bound removed."""
    return UPPER_BOUND.sub("", pyproject)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


def try_level(track: str, level: str, work: Path) -> dict:
    project = work / f"{track}-{level}"
    render = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--quiet"]
    render += ["-d", f"track={track}", "-d", f"level={level}", str(ROOT), str(project)]
    outcome: dict = {"track": track, "level": level, "failed_step": None, "past_range": []}
    done = run(render, work)
    if done.returncode != 0:
        return {**outcome, "failed_step": "render", "output": done.stderr[-3000:]}
    pyproject = project / "pyproject.toml"
    bounded = pyproject.read_text()
    pyproject.write_text(without_upper_bounds(bounded))
    install = ["uv", "pip", "install", "--python", ".venv/bin/python", "--resolution", "highest"]
    if track in TORCH_TRACKS:
        install += ["--no-sources", "--torch-backend", "cpu"]
    for step, command in [
        ("venv", ["uv", "venv", "--quiet", ".venv"]),
        ("install", [*install, "-e", ".[dev]"]),
        ("lint", [".venv/bin/ruff", "check", "."]),
        ("test", [".venv/bin/pytest", "-q", "-p", "no:cacheprovider"]),
    ]:
        done = run(command, project)
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-3000:]
            return {**outcome, "failed_step": step, "output": output}
    listed = run(["uv", "pip", "list", "--python", ".venv/bin/python", "--format", "json"], project)
    installed = {row["name"].lower(): row["version"] for row in json.loads(listed.stdout)}
    outcome["past_range"] = past_tested_range(upper_bounds(bounded), installed)
    return outcome


def upper_bounds(pyproject: str) -> dict[str, int]:
    """Each requirement's first untested major version: {"pandas": 4, ...}."""
    found = re.findall(r'"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?>=[0-9.]+,\s*<\s*([0-9]+)', pyproject)
    return {name.lower(): int(upper) for name, upper in found}


def past_tested_range(bounds: dict[str, int], installed: dict[str, str]) -> list[str]:
    """'name version' for every installed version at or past its first untested major."""
    past = []
    for name, upper in sorted(bounds.items()):
        version = installed.get(name)
        if version and int(version.split(".")[0]) >= upper:
            past.append(f"{name} {version}")
    return past


def report(outcomes: list[dict]) -> str:
    lines = ["# Newest dependencies", "", "| track | level | result | past the tested range |"]
    lines.append("|---|---|---|---|")
    for outcome in outcomes:
        result = (
            "passed" if outcome["failed_step"] is None else f"failed at {outcome['failed_step']}"
        )
        past = ", ".join(outcome["past_range"]) or "none"
        lines.append(f"| {outcome['track']} | {outcome['level']} | {result} | {past} |")
    for outcome in outcomes:
        if outcome["failed_step"] is not None:
            title = f"{outcome['track']} {outcome['level']}: {outcome['failed_step']}"
            lines += ["", f"## {title}", "", "```", outcome["output"].strip(), "```"]
    return "\n".join(lines) + "\n"


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=ROOT / "build" / "newest-dependencies.md")
    options = parser.parse_args(arguments)
    with tempfile.TemporaryDirectory(prefix="newest-") as folder:
        outcomes = [try_level(track, level, Path(folder)) for track, level in built_track_levels()]
    options.report.parent.mkdir(parents=True, exist_ok=True)
    options.report.write_text(report(outcomes))
    print(options.report.read_text())
    return 0 if all(outcome["failed_step"] is None for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
